package io.github.pooledtransport.spring.web.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * A proxy password (in the proxy URL) and a CONNECT header token never show in the actuator. Loopback is in
 * no-proxy, so requests still go straight to the local server and the pool has a host to report.
 */
@SpringBootTest(classes = ProxyCredentialsMaskedIntegrationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=transport,health,configprops,env",
                "management.endpoint.configprops.show-values=always", "management.endpoint.env.show-values=always",
                "management.endpoint.health.show-details=always",
                "transport.proxy.url=http://user:" + ProxyCredentialsMaskedIntegrationTest.PASSWORD + "@127.0.0.1:1",
                "transport.proxy.no-proxy=127.0.0.1",
                "transport.proxy.connect-headers[X-Token]=" + ProxyCredentialsMaskedIntegrationTest.TOKEN })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyCredentialsMaskedIntegrationTest {

    static final String PASSWORD = "s3cret";

    static final String TOKEN = "tok123";

    static final MockWebServer downstream = WebTestSupport.startEchoServer();

    @Autowired
    RestClient.Builder builder;

    @LocalServerPort
    int port;

    @BeforeAll
    void oneRequestSoThePoolHasAHost() {
        assertThat(this.builder.baseUrl(WebTestSupport.url(downstream)).build().get().uri("/direct").retrieve()
                .body(String.class)).isEqualTo("hello /direct");
    }

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Test
    void noProxyHostIsReachedDirectly() {
        JsonNode host = WebTestSupport.hostEntry(
                WebTestSupport.getJson(WebTestSupport.appClient(this.port), "/actuator/transport/transport"),
                WebTestSupport.hostKey(downstream));
        // Actuator's own mapper leaves null values out.
        assertThat(host.path("proxy").isMissingNode() || host.path("proxy").isNull()).as(host.toString()).isTrue();
        assertThat(host.required("requests").asLong()).isEqualTo(1);
        assertThat(downstream.getRequestCount()).isEqualTo(1);
    }

    @Test
    void transportEndpointShowsTheProxyWithPasswordAndConnectHeaderMasked() {
        String body = WebTestSupport.getString(WebTestSupport.appClient(this.port), "/actuator/transport/transport");

        assertThat(body).doesNotContain(PASSWORD).doesNotContain(TOKEN);
        JsonNode proxy = WebTestSupport.parse(body).required("config").required("proxy");
        assertThat(proxy.required("url").asString()).isEqualTo("http://user:***@127.0.0.1:1");
        assertThat(proxy.required("connectHeaders").required("X-Token").asString()).isEqualTo("******");
    }

    @Test
    void healthDoesNotShowProxyCredentials() {
        String body = WebTestSupport.getString(WebTestSupport.appClient(this.port), "/actuator/health");

        assertThat(WebTestSupport.parse(body).required("components").has("transport")).isTrue();
        assertThat(body).doesNotContain(PASSWORD).doesNotContain(TOKEN);
    }

    /**
     * With show-values=always: Boot 4 has no key-name sanitizing, so the starter's SanitizingFunction is what
     * keeps the secrets out.
     */
    @Test
    void configpropsDoesNotShowProxyCredentialsEvenWithShowValuesAlways() {
        String body = WebTestSupport.getString(WebTestSupport.appClient(this.port), "/actuator/configprops");

        assertThat(body).contains("\"transport\"").contains("127.0.0.1:1").doesNotContain(PASSWORD)
                .doesNotContain(TOKEN);
    }

    @Test
    void envDoesNotShowProxyCredentialsEvenWithShowValuesAlways() {
        String body = WebTestSupport.getString(WebTestSupport.appClient(this.port), "/actuator/env");

        assertThat(body).contains("transport.proxy.url").doesNotContain(PASSWORD).doesNotContain(TOKEN);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
