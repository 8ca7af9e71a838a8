package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * A {@code transport.*} value the transport cannot use fails start-up with an
 * {@link InvalidTransportPropertyException} naming the property; the failure analyzer turns it into a report.
 */
class TransportPropertiesValidationTests {

    private static final String SECRET = "s3cr3t-Pa55";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, TransportAutoConfiguration.class));

    private Properties savedSystemProperties;

    @BeforeEach
    void saveSystemProperties() {
        this.savedSystemProperties = (Properties) System.getProperties().clone();
    }

    @AfterEach
    void restoreSystemProperties() {
        System.setProperties(this.savedSystemProperties);
    }

    /** Runs with the properties, expects start-up to fail and hands the exception to the assertion. */
    private void runExpectingInvalidProperty(Consumer<InvalidTransportPropertyException> assertion, String... properties) {
        this.runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            assertion.accept(invalidProperty(context.getStartupFailure()));
        });
    }

    private void runExpectingFailureNaming(String property, String... properties) {
        runExpectingInvalidProperty(ex -> {
            assertThat(ex.getProperty()).isEqualTo(property);
            assertThat(ex.getMessage()).contains(property);
        }, properties);
    }

    static InvalidTransportPropertyException invalidProperty(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidTransportPropertyException ex) {
                return ex;
            }
        }
        throw new AssertionError("No InvalidTransportPropertyException in the cause chain of " + failure, failure);
    }

    private static FailureAnalysis analyze(Throwable failure) {
        return new InvalidTransportPropertyFailureAnalyzer().analyze(failure);
    }

    @Test
    void negativeMaxIdleConnsPerHostShouldFailNamingTheProperty() {
        runExpectingFailureNaming("transport.max-idle-conns-per-host", "transport.max-idle-conns-per-host=-1");
    }

    @Test
    void negativeMaxIdleConnsShouldFailNamingTheProperty() {
        runExpectingFailureNaming("transport.max-idle-conns", "transport.max-idle-conns=-5");
    }

    @Test
    void negativeMaxConnsPerHostShouldFailNamingTheProperty() {
        runExpectingFailureNaming("transport.max-conns-per-host", "transport.max-conns-per-host=-2");
    }

    @Test
    void maxIdleConnsPerHostAboveMaxIdleConnsShouldFailNamingBothProperties() {
        runExpectingInvalidProperty(ex -> {
            assertThat(ex.getProperty()).isEqualTo("transport.max-idle-conns-per-host");
            assertThat(ex.getMessage()).contains("max-idle-conns-per-host (20)").contains("max-idle-conns (10)");
        }, "transport.max-idle-conns=10", "transport.max-idle-conns-per-host=20");
    }

    @Test
    void maxIdleConnsPerHostAboveMaxIdleConnsShouldBeFineWhenMaxIdleConnsIsUnlimited() {
        this.runner.withPropertyValues("transport.max-idle-conns=0", "transport.max-idle-conns-per-host=2000")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @ParameterizedTest
    @ValueSource(strings = { "idle-conn-timeout", "max-conn-lifetime", "acquire-timeout", "dial-timeout", "keep-alive",
            "tls-handshake-timeout", "response-header-timeout", "expect-continue-timeout" })
    void negativeDurationShouldFailNamingTheProperty(String name) {
        runExpectingFailureNaming("transport." + name, "transport." + name + "=-1s");
    }

    @ParameterizedTest
    @ValueSource(strings = { "max-response-header-bytes", "drain-on-close" })
    void negativeSizeShouldFailNamingTheProperty(String name) {
        runExpectingFailureNaming("transport." + name, "transport." + name + "=-1KB");
    }

    @Test
    void zeroPingTimeoutShouldFailNamingTheProperty() {
        runExpectingFailureNaming("transport.http2.ping-timeout", "transport.http2.ping-timeout=0s");
    }

    @Test
    void unknownProtocolShouldFailNamingThePropertyAndTheChoices() {
        runExpectingInvalidProperty(ex -> {
            assertThat(ex.getProperty()).isEqualTo("transport.protocols");
            assertThat(ex.getMessage()).contains("'http3'").contains("http1, h2 or h2c");
        }, "transport.protocols=http1,http3");
    }

    @Test
    void emptyHostProtocolsShouldFailNamingTheHostsProperty() {
        runExpectingFailureNaming("transport.hosts[api.example.com].protocols",
                "transport.hosts[api.example.com].protocols= , ");
    }

    @Test
    void maxResponseHeaderBytesAbove2GbShouldFailNamingTheProperty() {
        runExpectingFailureNaming("transport.max-response-header-bytes", "transport.max-response-header-bytes=3GB");
    }

    @ParameterizedTest
    @ValueSource(strings = { "max-idle-conns-per-host=-1", "max-conns-per-host=-1", "idle-conn-timeout=-1s",
        "response-header-timeout=-1s" })
    void negativeHostOverrideShouldFailNamingTheOverrideProperty(String setting) {
        String name = setting.substring(0, setting.indexOf('='));
        runExpectingFailureNaming("transport.hosts[127.0.0.1]." + name, "transport.hosts[127.0.0.1]." + setting);
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://api.example.com", "api.example.com/v1", "api.example.com:99999",
        "api.example.com:https", "::1", "[::1]x", "api example.com", ":443" })
    void invalidHostOverrideKeyShouldFailNamingTheKey(String key) {
        this.runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new MapPropertySource("test", Map.of("transport.hosts[" + key + "].max-conns-per-host", "1"))))
                .run(context -> {
                    assertThat(context).hasFailed();
                    InvalidTransportPropertyException ex = invalidProperty(context.getStartupFailure());
                    assertThat(ex.getProperty()).isEqualTo("transport.hosts[" + key + "]");
                    assertThat(ex.getMessage()).contains("transport.hosts[" + key + "]");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = { "api.example.com", "api.example.com:8443", "10.0.0.1:80", "[::1]:8080", "[::1]" })
    void validHostOverrideKeyShouldStart(String key) {
        this.runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new MapPropertySource("test", Map.of("transport.hosts[" + key + "].max-conns-per-host", "1"))))
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void ipv6HostOverrideKeyInBracketsShouldApplyToThatHost() {
        this.runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new MapPropertySource("test", Map.of("transport.hosts[[::1]:8080].max-conns-per-host", "7"))))
                .run(context -> assertThat(context.getBean(io.github.pooledtransport.core.Transport.class).config()
                        .overridesFor(io.github.pooledtransport.core.HostKey.of(java.net.URI.create("http://[::1]:8080/")))
                        .maxConnsPerHost()).isEqualTo(7));
    }

    @Test
    void negativeMaxHostTagsShouldFailNamingTheProperty() {
        runExpectingFailureNaming("transport.metrics.max-host-tags", "transport.metrics.max-host-tags=-5");
    }

    @Test
    void negativeMaxHostTagsShouldFailNamingThePropertyWhenMetricsAreOn() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TransportMetricsAutoConfiguration.class,
                        TransportAutoConfiguration.class))
                .withBean(io.micrometer.core.instrument.simple.SimpleMeterRegistry.class)
                .withPropertyValues("transport.metrics.max-host-tags=-5")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(invalidProperty(context.getStartupFailure()).getProperty())
                            .isEqualTo("transport.metrics.max-host-tags");
                });
    }

    @Test
    void unknownProxySchemeShouldFailNamingTheProxyUrl() {
        runExpectingInvalidProperty(ex -> {
            assertThat(ex.getProperty()).isEqualTo("transport.proxy.url");
            assertThat(ex.getMessage()).contains("transport.proxy.url").contains("ftp");
        }, "transport.proxy.url=ftp://proxy.internal:21");
    }

    @Test
    void unknownProxySchemeShouldNotShowThePasswordOfTheUrl() {
        runExpectingInvalidProperty(ex -> {
            assertThat(ex.getMessage()).doesNotContain(SECRET);
            FailureAnalysis analysis = analyze(ex);
            assertThat(analysis.getDescription()).doesNotContain(SECRET);
            assertThat(analysis.getAction()).doesNotContain(SECRET);
        }, "transport.proxy.url=ftp://alice:" + SECRET + "@proxy.internal:21");
    }

    @Test
    void malformedProxyUrlShouldNotShowThePassword() {
        runExpectingInvalidProperty(ex -> assertThat(ex.getMessage()).contains("transport.proxy.url").doesNotContain(SECRET),
                "transport.proxy.url=http://alice:" + SECRET + "@proxy internal:3128");
    }

    @Test
    void proxyPasswordWithoutUrlShouldFailNamingTheMissingUrl() {
        runExpectingInvalidProperty(ex -> assertThat(ex.getMessage()).contains("transport.proxy.url"),
                "transport.proxy.password=" + SECRET);
    }

    @Test
    void proxyPasswordWithoutUrlShouldFailNamingThePasswordProperty() {
        // Only the password is set: the report must name it, not transport.proxy.username which has no value.
        runExpectingInvalidProperty(ex -> assertThat(ex.getMessage()).contains("transport.proxy.password"),
                "transport.proxy.password=" + SECRET);
    }

    @Test
    void proxyPasswordWithoutUrlShouldNotShowThePassword() {
        runExpectingInvalidProperty(ex -> {
            assertThat(ex.getMessage()).doesNotContain(SECRET);
            assertThat(ex.getAction()).doesNotContain(SECRET);
        }, "transport.proxy.password=" + SECRET);
    }

    @Test
    void invalidConnectHeaderShouldFailNamingTheProperty() {
        runExpectingFailureNaming("transport.proxy.connect-headers", "transport.proxy.url=http://proxy.internal:3128",
                "transport.proxy.connect-headers[Bad Name]=value");
    }

    @Test
    void invalidConnectHeaderShouldNotShowHeaderValues() {
        // Connect headers carry proxy tokens: the endpoint masks them, so must the start-up report.
        runExpectingInvalidProperty(ex -> {
            assertThat(ex.getMessage()).doesNotContain(SECRET);
            assertThat(analyze(ex).getDescription()).doesNotContain(SECRET);
        }, "transport.proxy.url=http://proxy.internal:3128",
                "transport.proxy.connect-headers.Proxy-Authorization=Bearer " + SECRET,
                "transport.proxy.connect-headers.X-Trace=line1\nline2");
    }

    @Test
    void invalidNoProxyEntryShouldFailNamingTheProperty() {
        runExpectingFailureNaming("transport.proxy.no-proxy", "transport.proxy.url=http://proxy.internal:3128",
                "transport.proxy.no-proxy=10.0.0.0/99");
    }

    @Test
    void invalidSystemPropertyProxyShouldNameFromSystemProperties() {
        System.setProperty("http.proxyHost", "sysproxy.example");
        System.setProperty("http.proxyPort", "not-a-port");
        runExpectingFailureNaming("transport.proxy.from-system-properties");
    }

    @Test
    void missingSslBundleShouldFailNamingTheProperty() {
        runExpectingInvalidProperty(ex -> {
            assertThat(ex.getProperty()).isEqualTo("transport.ssl.bundle");
            assertThat(ex.getMessage()).contains("transport.ssl.bundle").contains("'missing'");
        }, "transport.ssl.bundle=missing");
    }

    @Test
    void missingSslBundleWithoutSslBundlesBeanShouldFailNamingTheProperty() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TransportAutoConfiguration.class))
                .withPropertyValues("transport.ssl.bundle=missing").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(invalidProperty(context.getStartupFailure()).getProperty())
                            .isEqualTo("transport.ssl.bundle");
                });
    }

    @Test
    void failureAnalyzerShouldDescribeTheProperty() {
        this.runner.withPropertyValues("transport.max-idle-conns-per-host=-1").run(context -> {
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("transport.max-idle-conns-per-host").contains("-1");
        });
    }

    @Test
    void failureAnalyzerShouldGiveAnAction() {
        this.runner.withPropertyValues("transport.ssl.bundle=missing").run(context -> {
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getAction()).contains("spring.ssl.bundle.pem.missing");
        });
    }

    @Test
    void failureAnalyzerShouldKeepTheCause() {
        this.runner.withPropertyValues("transport.dial-timeout=-1s").run(context -> {
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getCause()).isInstanceOf(InvalidTransportPropertyException.class);
        });
    }

    @Test
    void failureAnalyzerShouldIgnoreOtherFailures() {
        assertThat(analyze(new IllegalStateException("unrelated"))).isNull();
    }

    @Test
    void failureAnalyzerShouldBeRegisteredInSpringFactories() {
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
                .load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message, ex) -> {
                }));
        assertThat(analyzers).hasAtLeastOneElementOfType(InvalidTransportPropertyFailureAnalyzer.class);
    }
}
