package com.channelassignment.worker.http;

import com.channelassignment.worker.application.ServeAssignmentCalls;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP API's edge: bearer tokens checked by Spring Security's OAuth2 resource server (issuer, JWK set or public
 * key, from {@code spring.security.oauth2.resourceserver.jwt.*}), and the controller. The worker ships no key: with
 * none configured, every call is refused as unauthenticated.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "channel-assignment.http.enabled", havingValue = "true", matchIfMissing = true)
public class HttpApiConfiguration {

    private static final Logger log = LoggerFactory.getLogger(HttpApiConfiguration.class);
    private static final String JWT = "spring.security.oauth2.resourceserver.jwt.";
    /** RFC 9728's well-known path, under which Spring Security serves the protected resource metadata. */
    static final String RESOURCE_METADATA = "/.well-known/oauth-protected-resource";

    @Bean
    IdentityChannelsController identityChannelsController(ServeAssignmentCalls calls, Clock clock,
            @Value("${channel-assignment.http.organization-claim:org_id}") String organizationClaim,
            @Value("${channel-assignment.http.correlation-header:X-Correlation-Id}") String correlationHeader) {
        return new IdentityChannelsController(calls, clock, organizationClaim, correlationHeader);
    }

    /**
     * Every 401 names the protected resource metadata (RFC 9728) in its challenge; it is served here, without a
     * token, with the issuer (when one is configured) as the authorization server.
     */
    @Bean
    @Order(1)
    SecurityFilterChain identitiesApi(HttpSecurity http,
            @Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri:}") String issuer) throws Exception {
        AuthenticationEntryPoint unauthenticated = new ProblemAuthenticationEntryPoint();
        return http.securityMatcher("/identities/**", RESOURCE_METADATA, RESOURCE_METADATA + "/**")
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(RESOURCE_METADATA, RESOURCE_METADATA + "/**").permitAll()
                        .anyRequest().authenticated())
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults())
                        .protectedResourceMetadata(metadata -> metadata.protectedResourceMetadataCustomizer(
                                resource -> {
                                    if (StringUtils.hasText(issuer)) {
                                        resource.authorizationServer(issuer);
                                    }
                                }))
                        .authenticationEntryPoint(unauthenticated))
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(unauthenticated))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // A stateless API has no page to return to, no session to log out of and no anonymous caller: these
                // filters would only cost every call some work.
                .requestCache(cache -> cache.disable())
                .logout(logout -> logout.disable())
                .anonymous(anonymous -> anonymous.disable())
                .build();
    }

    /**
     * No observation per security filter, authentication and authorization: with Micrometer present, Spring Security
     * otherwise wraps each of the chain's filters in one on every call. Calls are still measured as a whole
     * ({@code http.server.requests}).
     */
    @Bean
    SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * Spring Security's strict firewall with its default header rules (no unassigned code points, no control
     * characters), checked by a loop instead of a regular expression: the regex walked every character of the bearer
     * token on every call.
     */
    @Bean
    WebSecurityCustomizer headerRulesWithoutRegex() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(HttpApiConfiguration::assignedAndNotControl);
        firewall.setAllowedHeaderValues(HttpApiConfiguration::assignedAndNotControl);
        return web -> web.httpFirewall(firewall);
    }

    /** The firewall's default rule for header names and values, {@code [\p{IsAssigned}&&[^\p{IsControl}]]*}. */
    static boolean assignedAndNotControl(String text) {
        return text.codePoints().allMatch(point -> Character.isDefined(point)
                && Character.getType(point) != Character.CONTROL);
    }

    /**
     * The actuator (on its own port), open to every caller, and reading the same bearer tokens as the API: a caller
     * whose token carries one of {@code management.endpoint.health.roles} (application.yml: the scope
     * {@code channel-assignment.health}) sees the health components' details. A token the API would refuse is refused
     * here too (401); without a token, statuses only.
     */
    @Bean
    @Order(2)
    SecurityFilterChain actuator(HttpSecurity http) throws Exception {
        AuthenticationEntryPoint unauthenticated = new ProblemAuthenticationEntryPoint();
        return http.securityMatcher("/actuator", "/actuator/**")
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults())
                        .authenticationEntryPoint(unauthenticated))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .logout(logout -> logout.disable())
                .build();
    }

    /** Everything else, open and authenticating no one: the probes on the API port (/livez, /readyz). */
    @Bean
    @Order(3)
    SecurityFilterChain everythingElse(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    /**
     * Wraps whichever token decoder Spring Boot built (issuer, JWK set or public key) so that accepted tokens are
     * remembered until they expire; {@code channel-assignment.http.remembered-tokens=0} turns this off.
     */
    @Bean
    static BeanPostProcessor rememberAcceptedTokens(ObjectProvider<Clock> clock,
            @Value("${channel-assignment.http.remembered-tokens:4096}") int capacity) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof JwtDecoder decoder && !(bean instanceof RememberedJwtDecoder) && capacity > 0) {
                    return new RememberedJwtDecoder(decoder, clock.getObject(), capacity);
                }
                return bean;
            }
        };
    }

    /**
     * How long past its {@code exp} (or before its {@code nbf}) a token is still accepted. Boot hands every
     * {@code OAuth2TokenValidator<Jwt>} bean to the decoder it builds, beside its issuer and audience validators, and
     * Spring Security adds its own timestamp validator (60 s of skew) only when none is among them.
     */
    @Bean
    JwtTimestampValidator tokenLifetime(Clock clock,
            @Value("${channel-assignment.http.token-clock-skew:60s}") Duration clockSkew) {
        JwtTimestampValidator lifetime = new JwtTimestampValidator(clockSkew);
        lifetime.setClock(clock);
        return lifetime;
    }

    /** Before Spring Security, so that an oversized body is refused before any token is checked or body read. */
    @Bean
    FilterRegistrationBean<BodySizeLimit> bodySizeLimit(
            @Value("${channel-assignment.http.max-body-size:16KB}") DataSize maxBodySize) {
        FilterRegistrationBean<BodySizeLimit> registration = new FilterRegistrationBean<>(
                new BodySizeLimit(maxBodySize));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    /** Replaces Spring Boot's BasicErrorController, which Boot backs off from when an ErrorController exists. */
    @Bean
    ProblemErrorController problemErrorController() {
        return new ProblemErrorController();
    }

    @Bean
    MvcProblems mvcProblems() {
        return new MvcProblems();
    }

    /**
     * Tomcat answers what it refuses before any servlet runs (a header over the size limit, a malformed request line)
     * with its own error report; the host's report valve is made ours, so those are problem documents too.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof org.apache.catalina.core.StandardHost host) {
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
        });
    }

    @Bean
    @Conditional(NoTokenKeyConfigured.class)
    JwtDecoder refuseEveryToken() {
        log.warn("the HTTP API has no token key ({}issuer-uri, jwk-set-uri or public-key-location): every call is "
                + "answered 401", JWT);
        return token -> {
            throw new BadJwtException("no token key is configured");
        };
    }

    /**
     * A 401 like every other refusal of the API, a problem document, with the {@code WWW-Authenticate} challenge of
     * RFC 6750 that Spring Security's own entry point sets (and that alone would leave the body empty).
     */
    static final class ProblemAuthenticationEntryPoint implements AuthenticationEntryPoint {

        private final BearerTokenAuthenticationEntryPoint challenge = new BearerTokenAuthenticationEntryPoint();

        @Override
        public void commence(HttpServletRequest request, HttpServletResponse response,
                AuthenticationException exception) throws IOException {
            challenge.commence(request, response, exception);
            Map<String, Object> problem = Problems.document(HttpStatus.UNAUTHORIZED.value(),
                    exception instanceof OAuth2AuthenticationException invalid
                            && invalid.getError().getDescription() != null ? invalid.getError().getDescription()
                            : "a bearer token is required", request.getRequestURI());
            response.setContentType(Problems.CONTENT_TYPE);
            JsonMapper.shared().writeValue(response.getOutputStream(), problem);
        }
    }

    /** True when none of Spring Boot's JWT sources is set. */
    static final class NoTokenKeyConfigured implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            var environment = context.getEnvironment();
            return !environment.containsProperty(JWT + "issuer-uri")
                    && !environment.containsProperty(JWT + "jwk-set-uri")
                    && !environment.containsProperty(JWT + "public-key-location");
        }
    }
}
