package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.Properties;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;

import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.ProxyResolver;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactoryBuilder;

/**
 * {@code transport.proxy.*} reaches the transport's proxy resolver and CONNECT headers.
 */
class TransportProxyPropertiesTests {

    private static final URI EXTERNAL = URI.create("http://api.example.com/v1");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TransportAutoConfiguration.class));

    private Properties savedSystemProperties;

    @BeforeEach
    void saveSystemProperties() {
        this.savedSystemProperties = (Properties) System.getProperties().clone();
    }

    @AfterEach
    void restoreSystemProperties() {
        System.setProperties(this.savedSystemProperties);
    }

    private static ProxyResolver resolver(org.springframework.context.ApplicationContext context) {
        return context.getBean(Transport.class).config().proxyResolver();
    }

    @Test
    void proxyUrlShouldBeChosenForANonExcludedHost() {
        this.runner.withPropertyValues("transport.proxy.url=http://proxy.internal:3128")
                .run(context -> assertThat(resolver(context).proxyFor(EXTERNAL))
                        .isEqualTo(new Proxy(Proxy.Type.HTTP, "proxy.internal", 3128, null, null)));
    }

    @Test
    void proxyUrlShouldBeChosenForLoopbackToo() {
        this.runner.withPropertyValues("transport.proxy.url=socks5h://proxy.internal:1080")
                .run(context -> assertThat(resolver(context).proxyFor(URI.create("http://127.0.0.1:8080/")))
                        .isEqualTo(new Proxy(Proxy.Type.SOCKS5H, "proxy.internal", 1080, null, null)));
    }

    @Test
    void proxyUsernameAndPasswordShouldBeTheProxyCredentials() {
        this.runner.withPropertyValues("transport.proxy.url=http://proxy.internal:3128", "transport.proxy.username=alice",
                "transport.proxy.password=s3cret")
                .run(context -> assertThat(resolver(context).proxyFor(EXTERNAL))
                        .isEqualTo(new Proxy(Proxy.Type.HTTP, "proxy.internal", 3128, "alice", "s3cret")));
    }

    @Test
    void proxyCredentialsInTheUrlShouldBeUsed() {
        this.runner.withPropertyValues("transport.proxy.url=http://alice:s3cret@proxy.internal:3128")
                .run(context -> assertThat(resolver(context).proxyFor(EXTERNAL))
                        .isEqualTo(new Proxy(Proxy.Type.HTTP, "proxy.internal", 3128, "alice", "s3cret")));
    }

    @Test
    void proxyUsernameShouldOverrideTheOneInTheUrl() {
        this.runner.withPropertyValues("transport.proxy.url=http://bob:old@proxy.internal:3128",
                "transport.proxy.username=alice", "transport.proxy.password=s3cret")
                .run(context -> assertThat(resolver(context).proxyFor(EXTERNAL).username()).isEqualTo("alice"));
    }

    /** TransportProperties.Proxy#password: "Proxy password; overrides one given in the url." */
    @Test
    void proxyPasswordAloneShouldOverrideTheOneInTheUrl() {
        this.runner.withPropertyValues("transport.proxy.url=http://alice:old@proxy.internal:3128",
                "transport.proxy.password=n3w")
                .run(context -> {
                    Proxy proxy = resolver(context).proxyFor(EXTERNAL);
                    assertThat(proxy.username()).isEqualTo("alice");
                    assertThat(proxy.password()).as("password").isEqualTo("n3w");
                });
    }

    @Test
    void noProxyHostShouldBeReachedDirectly() {
        this.runner.withPropertyValues("transport.proxy.url=http://proxy.internal:3128",
                "transport.proxy.no-proxy=internal.example.com,10.0.0.0/8").run(context -> {
                    assertThat(resolver(context).proxyFor(URI.create("http://internal.example.com/"))).isNull();
                    assertThat(resolver(context).proxyFor(URI.create("http://10.1.2.3:8080/"))).isNull();
                    assertThat(resolver(context).proxyFor(EXTERNAL)).isNotNull();
                });
    }

    @Test
    void connectHeadersShouldMapToConfig() {
        this.runner.withPropertyValues("transport.proxy.url=http://proxy.internal:3128",
                "transport.proxy.connect-headers.X-Proxy-Token=t0ken").run(context -> {
                    TransportConfig c = context.getBean(Transport.class).config();
                    assertThat(c.proxyConnectHeaders().get("X-Proxy-Token")).isEqualTo("t0ken");
                });
    }

    @Test
    void systemPropertyProxyShouldBeUsedByDefaultWithoutUrl() {
        System.setProperty("http.proxyHost", "sysproxy.example");
        System.setProperty("http.proxyPort", "3129");
        this.runner.run(context -> assertThat(resolver(context).proxyFor(EXTERNAL))
                .isEqualTo(new Proxy(Proxy.Type.HTTP, "sysproxy.example", 3129, null, null)));
    }

    @Test
    void fromSystemPropertiesFalseShouldIgnoreSystemPropertyProxy() {
        System.setProperty("http.proxyHost", "sysproxy.example");
        System.setProperty("http.proxyPort", "3129");
        this.runner.withPropertyValues("transport.proxy.from-system-properties=false")
                .run(context -> assertThat(String.valueOf(resolver(context).proxyFor(EXTERNAL)))
                        .doesNotContain("sysproxy.example"));
    }

    @Test
    void explicitUrlShouldWinOverSystemProperties() {
        System.setProperty("http.proxyHost", "sysproxy.example");
        this.runner.withPropertyValues("transport.proxy.url=http://proxy.internal:3128")
                .run(context -> assertThat(resolver(context).proxyFor(EXTERNAL).host()).isEqualTo("proxy.internal"));
    }

    @Test
    void fromEnvironmentFalseShouldLeaveTheEnvironmentOut() {
        this.runner.withPropertyValues("transport.proxy.from-environment=false")
                .run(context -> assertThat(resolver(context).toString()).doesNotContain("EnvironmentProxies")
                        .contains("SystemPropertyProxies"));
    }

    @Test
    void bothSourcesOffWithoutUrlShouldConnectDirectly() {
        this.runner.withPropertyValues("transport.proxy.from-environment=false",
                "transport.proxy.from-system-properties=false")
                .run(context -> assertThat(resolver(context)).isSameAs(ProxyResolver.DIRECT));
    }

    @Test
    void requestThroughTheBuilderShouldBeForwardedToTheConfiguredProxy() throws IOException, InterruptedException {
        try (MockWebServer proxy = new MockWebServer()) {
            proxy.enqueue(new MockResponse.Builder().body("via proxy").build());
            proxy.start(InetAddress.getLoopbackAddress(), 0);
            this.runner.withPropertyValues("transport.proxy.url=http://127.0.0.1:" + proxy.getPort(),
                    "transport.proxy.username=alice", "transport.proxy.password=s3cret").run(context -> {
                        RestClient client = RestClient.builder()
                                .requestFactory(context.getBean(TransportClientHttpRequestFactoryBuilder.class).build())
                                .build();
                        assertThat(client.get().uri("http://origin.invalid/x").retrieve().body(String.class))
                                .isEqualTo("via proxy");
                    });
            RecordedRequest recorded = proxy.takeRequest();
            assertThat(recorded.getTarget()).isEqualTo("http://origin.invalid/x");
            assertThat(recorded.getHeaders().get("Proxy-Authorization")).isEqualTo("Basic YWxpY2U6czNjcmV0");
        }
    }
}
