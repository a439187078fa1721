package com.channelassignment.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.RunningWorker;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.data.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * Swagger UI, in a real headless Chromium, shows the repository's OpenAPI document and calls the worker it was loaded
 * from: a user authorizes with a bearer token, tries the mailbox assignment and sees the worker's 200 and identity.
 * Chromium and its driver are Debian's ({@code .ci/run} installs them); without them this test fails, never skips.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SwaggerUiIntegrationTest {

    private static final Tokens TOKENS = Tokens.generate();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @LocalServerPort
    int port;

    @Autowired
    Environment environment;

    private Path profile;
    private ChromeDriverService driverService;
    private WebDriver browser;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        SpringWorkerHarness.ownServices(registry, "swagger", 1);
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", TOKENS::publicKeyLocation);
        // The first call also starts the pipeline's transactions; on a busy machine that can take seconds.
        registry.add("channel-assignment.http.answer-timeout", () -> "30s");
    }

    @BeforeEach
    void startChromium() throws IOException {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium chromium-driver)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromedriver (apt-get install chromium-driver)").isExecutable();
        profile = Files.createTempDirectory("swagger-ui-chromium");
        // The driver is named, so Selenium Manager never looks for or downloads one.
        driverService = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--no-first-run", "--disable-sync",
                        "--window-size=1400,1000", "--user-data-dir=" + profile.toAbsolutePath());
        browser = new ChromeDriver(driverService, options);
    }

    @AfterEach
    void stopChromium() throws IOException {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (driverService != null) {
                driverService.stop();
            }
            if (profile != null) {
                FileSystemUtils.deleteRecursively(profile);
            }
        }
    }

    @Test
    void servesTheRepositorysDocumentAsItIsAndGeneratesNone() throws Exception {
        HttpResponse<String> document = get("/openapi/channel-assignment-api.yaml");
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.body()).isEqualTo(Files.readString(OpenApiContract.DOCUMENT));

        assertThat(get("/v3/api-docs/swagger-config").body())
                .contains("\"url\":\"/openapi/channel-assignment-api.yaml\"");
        // springdoc's own document stays on (its UI needs it) and describes nothing.
        assertThat(get("/v3/api-docs").body()).contains("\"paths\":{}").doesNotContain("/identities");
    }

    /**
     * The element under {@code parent} once Swagger UI has rendered it: it renders after the click that opens an
     * operation or starts a try-out returns, so a plain lookup can run before the element exists.
     */
    private static WebElement rendered(WebDriverWait wait, WebElement parent, By selector) {
        return wait.until(ExpectedConditions.presenceOfNestedElementLocatedBy(parent, selector));
    }

    private static void replaceText(WebElement field, String text) {
        field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        field.sendKeys(text);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void assignsAMailboxThroughTryItOutWithAnAuthorizedToken() {
        DirectoryFixture directory = new DirectoryFixture();
        String handle = "swagger-" + UUID.randomUUID().toString().substring(0, 8);
        directory.identity(handle);
        String mailboxId = directory.mailbox().id().toString();
        directory.publishTo(RunningWorker.of(environment));
        WebDriverWait wait = new WebDriverWait(browser, PATIENCE);

        browser.get("http://localhost:" + port + "/swagger-ui/index.html");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".info .title"),
                "Channel assignment API"));

        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(".scheme-container button.authorize")))
                .click();
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".modal-ux")));
        dialog.findElement(By.cssSelector("input")).sendKeys(TOKENS.forOrganization(directory.organizationId()));
        dialog.findElement(By.cssSelector("button.authorize[type=submit]")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(".modal-ux button.btn-done"))).click();

        WebElement operation = browser.findElement(By.id("operations-Channel_assignment-assignMailbox"));
        operation.findElement(By.cssSelector(".opblock-summary-control")).click();
        wait.until(ExpectedConditions.elementToBeClickable(rendered(wait, operation, By.cssSelector(".try-out__btn"))))
                .click();
        // Both fields come filled with the document's examples.
        replaceText(rendered(wait, operation, By.cssSelector("tr[data-param-name='agent_handle'] input")), handle);
        replaceText(rendered(wait, operation, By.cssSelector("textarea.body-param__text")),
                "{\"mailbox_id\": \"" + mailboxId + "\"}");
        operation.findElement(By.cssSelector("button.execute")).click();

        By status = By.cssSelector(".live-responses-table .response .response-col_status");
        wait.until(ExpectedConditions.presenceOfNestedElementLocatedBy(operation, status));
        // The body is highlighted code: its text, whether or not scrolled into view.
        String shown = operation.findElement(
                By.cssSelector(".live-responses-table .response .response-col_description")).getDomProperty("textContent");
        assertThat(operation.findElement(status).getText()).as("the status Swagger UI shows, with %s", shown)
                .isEqualTo("200");
        assertThat(shown).contains(mailboxId).contains(handle);
        assertThat(operation.findElement(By.cssSelector(".request-url")).getText())
                .as("the server it was loaded from").contains("http://localhost:" + port + "/identities/" + handle);
    }
}
