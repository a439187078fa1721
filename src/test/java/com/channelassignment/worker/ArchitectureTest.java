package com.channelassignment.worker;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.AssignmentRules;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.regex.Pattern;

/**
 * Keeps the dependency direction true: the domain is plain Java, the application knows no adapter, the wire contract
 * (with the Avro classes generated into {@code kafka.avro}) knows neither Spring nor an adapter, each technology
 * (Kafka, JDBC, HTTP) stays in its adapter, and the command-line client is a program of its own that speaks the
 * contract. No package cycle anywhere.
 */
@AnalyzeClasses(packages = ArchitectureTest.ROOT, importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    static final String ROOT = "com.channelassignment.worker";
    private static final String DOMAIN = ROOT + ".domain..";
    private static final String APPLICATION = ROOT + ".application..";
    private static final String KAFKA = ROOT + ".kafka..";
    /** Generated from schemas/: part of the contract, in the package the schemas' Avro namespace names. */
    private static final String GENERATED_CONTRACT = ROOT + ".kafka.avro..";
    private static final String CONTRACT = ROOT + ".contract..";
    private static final String JDBC = ROOT + ".jdbc..";
    private static final String HTTP = ROOT + ".http..";
    private static final String CLI = ROOT + ".cli..";
    private static final String DIRECTORY_SHOW = ROOT + ".cli.DirectoryShow";

    /** The Avro classes generated from schemas/ live in ..kafka.avro and are imported like hand-written ones. */
    @ArchTest
    static void analysesMainClassesIncludingTheGeneratedContract(JavaClasses classes) {
        assertThat(classes.contain(AssignmentRules.class)).isTrue();
        assertThat(classes.contain(ChannelAssignmentRequest.class)).isTrue();
        assertThat(classes.contain(ChannelAssignmentOutcome.class)).isTrue();
        assertThat(classes.contain(ArchitectureTest.class)).isFalse();
    }

    @ArchTest
    static final ArchRule domainDependsOnlyOnTheJdk = classes()
            .that().resideInAPackage(DOMAIN)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", DOMAIN)
            .because("the rules are a pure function, readable and testable without any framework");

    @ArchTest
    static final ArchRule onlyTheContractUsesAvro = noClasses()
            .that().resideOutsideOfPackages(CONTRACT, GENERATED_CONTRACT)
            .should().dependOnClassesThat().resideInAPackage("org.apache.avro..")
            .because("the wire format is the contract's business; adapters and the CLI speak it through the contract");

    @ArchTest
    static final ArchRule contractKnowsOnlyAvroTheDomainAndTheJdk = classes()
            .that().resideInAnyPackage(CONTRACT, GENERATED_CONTRACT)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax..", CONTRACT, GENERATED_CONTRACT,
                    DOMAIN, "org.apache.avro..", "tools.jackson..")
            .because("the worker and the CLI both speak the wire through it, and neither may come along with it: "
                    + "no Spring, no Kafka client, no adapter; Jackson only reads the registry's answers");

    // The root package is the composition root: WorkerConfiguration builds the Kafka and JDBC beans, so it has to
    // name their types. The command-line client is a Kafka client program of its own. Everything else must go
    // through the adapters.
    @ArchTest
    static final ArchRule onlyTheKafkaAdapterTheWiringAndTheCliUseKafka = noClasses()
            .that().resideOutsideOfPackages(KAFKA, ROOT, CLI)
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..")
            .because("Kafka stays in one package");

    // The application sees a record's trace only as an opaque RecordTrace, entered while its lines are logged.
    @ArchTest
    static final ArchRule onlyTheKafkaAdapterAndTheWiringUseTheTracer = noClasses()
            .that().resideOutsideOfPackages(KAFKA, ROOT)
            .should().dependOnClassesThat().resideInAnyPackage("io.micrometer.tracing..", "io.opentelemetry..")
            .because("trace context travels in Kafka record headers, read and written by the Kafka adapter");

    @ArchTest
    static final ArchRule onlyTheJdbcAdapterAndTheWiringUseSpringJdbc = noClasses()
            .that().resideOutsideOfPackages(JDBC, ROOT)
            .should().dependOnClassesThat().resideInAPackage("org.springframework.jdbc..")
            .because("SQL stays in one package");

    @ArchTest
    static final ArchRule onlyTheJdbcAdapterUsesThePostgresqlDriver = noClasses()
            .that().resideOutsideOfPackage(JDBC)
            .should().dependOnClassesThat().resideInAPackage("org.postgresql..")
            .because("the driver's error details are read where the SQL runs");

    // The one exception is the CLI's directory show, a program of its own that reads the database read-only and
    // reports a failure to a person: there is no application on the other side to translate it for.
    @ArchTest
    static final ArchRule onlyTheJdbcAdapterClassifiesDatabaseFailures = noClasses()
            .that().resideOutsideOfPackage(JDBC)
            // DirectoryShow and the types nested in it, such as its row reader.
            .and().haveNameNotMatching(Pattern.quote(DIRECTORY_SHOW) + "(\\$.+)?")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.springframework.dao..")
            .because("the JDBC adapter translates database failures into application exceptions at the edge; "
                    + "directory show, the CLI's read-only look at the database, reports its own to the operator");

    @ArchTest
    static final ArchRule generatedContractIsUsedOnlyByTheContractTheKafkaAdapterAndTheCli = classes()
            .that().resideInAPackage(GENERATED_CONTRACT)
            .should().onlyHaveDependentClassesThat().resideInAnyPackage(CONTRACT, KAFKA, CLI)
            .because("the rest of the worker speaks domain types, not Avro records");

    // Jackson reads directory files and writes the --json output, picocli parses the command line: libraries, not
    // frameworks, bringing no context or database along.
    // java.sql is allowed by "java..", and only DirectoryShow may use it (onlyTheJdbcAdapterClassifiesDatabaseFailures).
    // The domain is plain Java: the contract hands the CLI domain values, and one rule (how a handle is stored) is
    // shared rather than copied.
    @ArchTest
    static final ArchRule cliUsesOnlyTheWireContractAndPlainClients = classes()
            .that().resideInAPackage(CLI)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", CLI, GENERATED_CONTRACT, CONTRACT, DOMAIN,
                    "org.apache.kafka.clients..", "org.apache.kafka.common..", "com.nimbusds..", "tools.jackson..",
                    "picocli..")
            .because("the client speaks the worker's wire contract from outside: no Spring, no adapter, and the "
                    + "database only read through plain JDBC by directory show, never written");

    @ArchTest
    static final ArchRule cliDoesNotKnowTheKafkaAdapter = noClasses()
            .that().resideInAPackage(CLI)
            .should().dependOnClassesThat(resideInAPackage(KAFKA).and(not(resideInAPackage(GENERATED_CONTRACT))))
            .because("what the CLI shares with the worker is the contract; the adapter is the worker's own");

    /** Each package a slice: no two packages, at any depth, depend on each other both ways. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching(ROOT + ".(**)").should().beFreeOfCycles();

    /** The arrows point inwards: adapters and the CLI to the contract and the application, those to the domain. */
    @ArchTest
    static final ArchRule layersPointInwards = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("domain").definedBy(DOMAIN)
            .layer("application").definedBy(APPLICATION)
            .layer("contract").definedBy(CONTRACT, GENERATED_CONTRACT)
            .layer("kafka").definedBy(resideInAPackage(KAFKA).and(not(resideInAPackage(GENERATED_CONTRACT))))
            .layer("jdbc").definedBy(JDBC)
            .layer("http").definedBy(HTTP)
            .layer("cli").definedBy(CLI)
            .layer("wiring").definedBy(ROOT)
            .whereLayer("application").mayOnlyBeAccessedByLayers("kafka", "jdbc", "http", "wiring")
            .whereLayer("contract").mayOnlyBeAccessedByLayers("kafka", "cli", "wiring")
            .whereLayer("kafka").mayOnlyBeAccessedByLayers("wiring")
            .whereLayer("jdbc").mayOnlyBeAccessedByLayers("wiring")
            .whereLayer("http").mayOnlyBeAccessedByLayers("wiring")
            .whereLayer("cli").mayOnlyBeAccessedByLayers("wiring")
            .whereLayer("wiring").mayNotBeAccessedByAnyLayer();

    @ArchTest
    static final ArchRule onlyTheEntryPointKnowsTheCli = noClasses()
            .that().resideOutsideOfPackage(CLI)
            .and().doNotBelongToAnyOf(ChannelAssignmentWorkerApplication.class)
            .should().dependOnClassesThat().resideInAPackage(CLI)
            .because("main hands the client its arguments; the worker itself never runs client code");

    @ArchTest
    static final ArchRule applicationDoesNotKnowItsAdapters = noClasses()
            .that().resideInAPackage(APPLICATION)
            .should().dependOnClassesThat().resideInAnyPackage(KAFKA, JDBC)
            .because("adapters depend on the use case, never the other way round");

    @ArchTest
    static final ArchRule adaptersDoNotKnowEachOther = noClasses()
            .that().resideInAPackage(KAFKA)
            .should().dependOnClassesThat().resideInAPackage(JDBC)
            .orShould().dependOnClassesThat().resideInAPackage(ROOT)
            .because("each adapter talks to the application only");

    @ArchTest
    static final ArchRule httpAdapterKnowsOnlyTheApplication = noClasses()
            .that().resideInAPackage(HTTP)
            .should().dependOnClassesThat().resideInAnyPackage(KAFKA, JDBC, ROOT)
            .because("the HTTP API translates calls for the use case, and the Kafka adapter carries them");

    @ArchTest
    static final ArchRule otherAdaptersDoNotKnowTheHttpApi = noClasses()
            .that().resideInAnyPackage(KAFKA, JDBC, DOMAIN, APPLICATION, CLI)
            .should().dependOnClassesThat().resideInAPackage(HTTP)
            .because("each adapter talks to the application only");

    @ArchTest
    static final ArchRule jdbcAdapterDoesNotKnowKafka = noClasses()
            .that().resideInAPackage(JDBC)
            .should().dependOnClassesThat().resideInAnyPackage(KAFKA, ROOT)
            .because("each adapter talks to the application only");

    @ArchTest
    static final ArchRule domainAndApplicationDoNotKnowTheWiring = noClasses()
            .that().resideInAnyPackage(DOMAIN, APPLICATION)
            .should().dependOnClassesThat().resideInAPackage(ROOT)
            .because("configuration is applied from the outside, by constructor");
}
