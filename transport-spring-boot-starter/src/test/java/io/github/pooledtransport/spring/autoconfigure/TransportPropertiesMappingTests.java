package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ByteArrayResource;

import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.HostOverrides;
import io.github.pooledtransport.core.LeakDetection;
import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * Each {@code transport.*} property reaches the effective {@link TransportConfig} of the {@link Transport} bean,
 * and no property means the documented default.
 */
class TransportPropertiesMappingTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TransportAutoConfiguration.class));

    private void runWith(String property, Consumer<TransportConfig> assertion) {
        this.runner.withPropertyValues(property).run(context -> {
            assertThat(context).hasNotFailed();
            assertion.accept(context.getBean(Transport.class).config());
        });
    }

    @Test
    void runWithoutPropertiesShouldUseDocumentedDefaults() {
        this.runner.run(context -> {
            TransportConfig c = context.getBean(Transport.class).config();
            SoftAssertions softly = new SoftAssertions();
            softly.assertThat(c.maxIdleConns()).as("max-idle-conns").isEqualTo(1024);
            softly.assertThat(c.maxIdleConnsPerHost()).as("max-idle-conns-per-host").isEqualTo(256);
            softly.assertThat(c.maxConnsPerHost()).as("max-conns-per-host").isZero();
            softly.assertThat(c.idleConnTimeout()).as("idle-conn-timeout").isEqualTo(Duration.ofSeconds(90));
            softly.assertThat(c.maxConnLifetime()).as("max-conn-lifetime").isEqualTo(Duration.ZERO);
            softly.assertThat(c.acquireTimeout()).as("acquire-timeout").isEqualTo(Duration.ofSeconds(30));
            softly.assertThat(c.dialTimeout()).as("dial-timeout").isEqualTo(Duration.ofSeconds(30));
            softly.assertThat(c.keepAlive()).as("keep-alive").isEqualTo(Duration.ofSeconds(15));
            softly.assertThat(c.tlsHandshakeTimeout()).as("tls-handshake-timeout").isEqualTo(Duration.ofSeconds(10));
            softly.assertThat(c.responseHeaderTimeout()).as("response-header-timeout").isEqualTo(Duration.ZERO);
            softly.assertThat(c.expectContinueTimeout()).as("expect-continue-timeout").isEqualTo(Duration.ofSeconds(1));
            softly.assertThat(c.maxResponseHeaderBytes()).as("max-response-header-bytes").isEqualTo(1024 * 1024);
            softly.assertThat(c.disableKeepAlives()).as("disable-keep-alives").isFalse();
            softly.assertThat(c.disableCompression()).as("disable-compression").isFalse();
            softly.assertThat(c.drainOnCloseBytes()).as("drain-on-close").isEqualTo(256 * 1024);
            softly.assertThat(c.leakDetection()).as("leak-detection").isEqualTo(LeakDetection.ON);
            softly.assertThat(c.hostOverrides()).as("hosts").isEmpty();
            softly.assertThat(c.protocols()).as("protocols").containsExactly(Protocol.HTTP1, Protocol.H2);
            softly.assertThat(c.strictMaxConcurrentStreams()).as("http2.strict-max-concurrent-streams").isFalse();
            softly.assertThat(c.http2ReadIdleTimeout()).as("http2.read-idle-timeout").isEqualTo(Duration.ZERO);
            softly.assertThat(c.http2PingTimeout()).as("http2.ping-timeout").isEqualTo(Duration.ofSeconds(15));
            softly.assertThat(c.sslContext()).as("ssl.bundle").isNull();
            softly.assertThat(c.insecureSkipTlsVerify()).as("ssl.insecure-skip-verify").isFalse();
            softly.assertAll();
        });
    }

    @Test
    void runWithoutPropertiesShouldMatchTheCoreDefaults() {
        // The starter's defaults are documented as the transport's own.
        TransportConfig core = TransportConfig.defaults();
        this.runner.run(context -> {
            TransportConfig c = context.getBean(Transport.class).config();
            assertThat(c).usingRecursiveComparison()
                    .comparingOnlyFields("maxIdleConns", "maxIdleConnsPerHost", "maxConnsPerHost", "idleConnTimeout",
                            "maxConnLifetime", "acquireTimeout", "dialTimeout", "keepAlive", "tlsHandshakeTimeout",
                            "responseHeaderTimeout", "expectContinueTimeout", "maxResponseHeaderBytes",
                            "disableKeepAlives", "disableCompression", "drainOnCloseBytes", "leakDetection")
                    .isEqualTo(core);
        });
    }

    @Test
    void maxIdleConnsShouldMapToConfig() {
        runWith("transport.max-idle-conns=300", c -> assertThat(c.maxIdleConns()).isEqualTo(300));
    }

    @Test
    void maxIdleConnsPerHostShouldMapToConfig() {
        runWith("transport.max-idle-conns-per-host=7", c -> assertThat(c.maxIdleConnsPerHost()).isEqualTo(7));
    }

    @Test
    void maxConnsPerHostShouldMapToConfig() {
        runWith("transport.max-conns-per-host=12", c -> assertThat(c.maxConnsPerHost()).isEqualTo(12));
    }

    @Test
    void idleConnTimeoutShouldMapToConfig() {
        runWith("transport.idle-conn-timeout=45s", c -> assertThat(c.idleConnTimeout()).isEqualTo(Duration.ofSeconds(45)));
    }

    @Test
    void maxConnLifetimeShouldMapToConfig() {
        runWith("transport.max-conn-lifetime=10m", c -> assertThat(c.maxConnLifetime()).isEqualTo(Duration.ofMinutes(10)));
    }

    @Test
    void acquireTimeoutShouldMapToConfig() {
        runWith("transport.acquire-timeout=2s", c -> assertThat(c.acquireTimeout()).isEqualTo(Duration.ofSeconds(2)));
    }

    @Test
    void dialTimeoutShouldMapToConfig() {
        runWith("transport.dial-timeout=3s", c -> assertThat(c.dialTimeout()).isEqualTo(Duration.ofSeconds(3)));
    }

    @Test
    void keepAliveShouldMapToConfig() {
        runWith("transport.keep-alive=20s", c -> assertThat(c.keepAlive()).isEqualTo(Duration.ofSeconds(20)));
    }

    @Test
    void keepAliveZeroShouldTurnTcpKeepAliveOff() {
        runWith("transport.keep-alive=0", c -> assertThat(c.keepAlive()).isEqualTo(Duration.ZERO));
    }

    @Test
    void tlsHandshakeTimeoutShouldMapToConfig() {
        runWith("transport.tls-handshake-timeout=4s",
                c -> assertThat(c.tlsHandshakeTimeout()).isEqualTo(Duration.ofSeconds(4)));
    }

    @Test
    void responseHeaderTimeoutShouldMapToConfig() {
        runWith("transport.response-header-timeout=5s",
                c -> assertThat(c.responseHeaderTimeout()).isEqualTo(Duration.ofSeconds(5)));
    }

    @Test
    void expectContinueTimeoutShouldMapToConfig() {
        runWith("transport.expect-continue-timeout=250ms",
                c -> assertThat(c.expectContinueTimeout()).isEqualTo(Duration.ofMillis(250)));
    }

    @Test
    void maxResponseHeaderBytesShouldMapDataSizeToBytes() {
        runWith("transport.max-response-header-bytes=64KB", c -> assertThat(c.maxResponseHeaderBytes()).isEqualTo(65536));
    }

    @Test
    void maxResponseHeaderBytesWithoutUnitShouldBeBytes() {
        runWith("transport.max-response-header-bytes=8000", c -> assertThat(c.maxResponseHeaderBytes()).isEqualTo(8000));
    }

    @Test
    void disableKeepAlivesShouldMapToConfig() {
        runWith("transport.disable-keep-alives=true", c -> assertThat(c.disableKeepAlives()).isTrue());
    }

    @Test
    void disableCompressionShouldMapToConfig() {
        runWith("transport.disable-compression=true", c -> assertThat(c.disableCompression()).isTrue());
    }

    @Test
    void drainOnCloseShouldMapDataSizeToBytes() {
        runWith("transport.drain-on-close=1MB", c -> assertThat(c.drainOnCloseBytes()).isEqualTo(1024 * 1024));
    }

    @ParameterizedTest
    @CsvSource({ "off, OFF", "on, ON", "with-stack-traces, WITH_STACK_TRACES", "WITH_STACK_TRACES, WITH_STACK_TRACES" })
    void leakDetectionShouldMapToConfig(String value, LeakDetection expected) {
        runWith("transport.leak-detection=" + value, c -> assertThat(c.leakDetection()).isEqualTo(expected));
    }

    /**
     * Host keys hold a ':' which both TestPropertyValues and application.properties take as the key/value
     * separator, so these properties are loaded the way an application.properties file is, colon escaped.
     */
    private ApplicationContextRunner withPropertiesFile(String... lines) {
        return this.runner.withInitializer(context -> {
            try {
                byte[] content = String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
                new PropertiesPropertySourceLoader().load("application.properties", new ByteArrayResource(content))
                        .forEach(source -> context.getEnvironment().getPropertySources().addFirst(source));
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
    }

    @Test
    void hostOverridesShouldMapToConfig() {
        withPropertiesFile("transport.hosts[127.0.0.1\\:8080].max-idle-conns-per-host=4",
                "transport.hosts[127.0.0.1\\:8080].max-conns-per-host=3",
                "transport.hosts[127.0.0.1\\:8080].idle-conn-timeout=5s",
                "transport.hosts[127.0.0.1\\:8080].response-header-timeout=2s").run(context -> {
                    TransportConfig c = context.getBean(Transport.class).config();
                    assertThat(c.hostOverrides()).containsOnlyKeys("127.0.0.1:8080");
                    assertThat(c.hostOverrides().get("127.0.0.1:8080"))
                            .isEqualTo(new HostOverrides(4, 3, Duration.ofSeconds(5), Duration.ofSeconds(2)));
                });
    }

    @Test
    void hostOverridesShouldApplyToThatHostAndPortOnly() {
        withPropertiesFile("transport.hosts[127.0.0.1\\:8080].max-conns-per-host=3").run(context -> {
            TransportConfig c = context.getBean(Transport.class).config();
            assertThat(c.overridesFor(HostKey.of(URI.create("http://127.0.0.1:8080/"))).maxConnsPerHost()).isEqualTo(3);
            assertThat(c.overridesFor(HostKey.of(URI.create("http://127.0.0.1:8081/")))).isEqualTo(HostOverrides.NONE);
        });
    }

    @Test
    void hostOverridesShouldKeepUnsetSettingsTransportWide() {
        this.runner.withPropertyValues("transport.hosts[api.example.com].max-conns-per-host=3").run(context -> {
            HostOverrides o = context.getBean(Transport.class).config().hostOverrides().get("api.example.com");
            assertThat(o).isEqualTo(new HostOverrides(null, 3, null, null));
        });
    }

    @Test
    void insecureSkipVerifyShouldMapToConfig() {
        runWith("transport.ssl.insecure-skip-verify=true", c -> {
            assertThat(c.insecureSkipTlsVerify()).isTrue();
            assertThat(c.tlsIdentity()).isEqualTo("insecure");
        });
    }

    @Test
    void http2HealthCheckTimeoutsMapToTheTransport() {
        this.runner.withPropertyValues("transport.http2.read-idle-timeout=30s", "transport.http2.ping-timeout=5s")
                .run(context -> {
                    TransportConfig c = context.getBean(Transport.class).config();
                    assertThat(c.http2ReadIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(c.http2PingTimeout()).isEqualTo(Duration.ofSeconds(5));
                });
    }

    @Test
    void strictMaxConcurrentStreamsMapsToTheTransport() {
        runWith("transport.http2.strict-max-concurrent-streams=true",
                c -> assertThat(c.strictMaxConcurrentStreams()).isTrue());
    }

    @Test
    void protocolsMapToTheTransportAndToAHost() {
        this.runner.withPropertyValues("transport.protocols=h2c, http1", "transport.hosts[grpc.internal].protocols=h2c")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TransportConfig c = context.getBean(Transport.class).config();
                    assertThat(c.protocols()).containsExactlyInAnyOrder(Protocol.HTTP1, Protocol.H2C);
                    assertThat(c.protocolsFor(new HostKey("http", "grpc.internal", 80, null, null)))
                            .containsExactly(Protocol.H2C);
                    assertThat(c.protocolsFor(new HostKey("http", "other", 80, null, null)))
                            .containsExactlyInAnyOrder(Protocol.HTTP1, Protocol.H2C);
                });
    }
}
