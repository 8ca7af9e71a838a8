package io.github.pooledtransport.spring.web.naming;

import static org.assertj.core.api.Assertions.assertThat;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.servlet.client.RestTestClient;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * The application's Jackson naming strategy is its own business: {@code /actuator/transport} keeps its camelCase
 * keys when the application's mapper writes snake_case.
 */
@SpringBootTest(classes = EndpointJsonIgnoresNamingStrategyIntegrationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=transport",
            "spring.jackson.property-naming-strategy=SNAKE_CASE" })
class EndpointJsonIgnoresNamingStrategyIntegrationTest {

    static final MockWebServer downstream = WebTestSupport.startEchoServer();

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Autowired
    RestClient.Builder builder;

    @Autowired
    JsonMapper applicationMapper;

    @LocalServerPort
    int port;

    record Sample(int peakActive) {
    }

    @Test
    void endpointKeysStayCamelCaseWhenTheApplicationUsesSnakeCase() {
        // The premise: the application's own mapper does write snake_case.
        assertThat(this.applicationMapper.writeValueAsString(new Sample(1))).isEqualTo("{\"peak_active\":1}");
        this.builder.baseUrl(WebTestSupport.url(downstream)).build().get().uri("/a").retrieve().body(String.class);
        RestTestClient actuator = WebTestSupport.appClient(this.port);

        JsonNode transport = WebTestSupport.getJson(actuator, "/actuator/transport/transport");

        assertThat(transport.required("totals").has("peakActive")).isTrue();
        assertThat(transport.required("totals").has("acquireTimeouts")).isTrue();
        assertThat(transport.required("config").has("maxIdleConnsPerHost")).isTrue();
        JsonNode host = WebTestSupport.hostEntry(transport, WebTestSupport.hostKey(downstream));
        assertThat(host.has("maxConnsPerHost")).isTrue();
        assertThat(transport.toString()).doesNotContain("peak_active", "max_conns_per_host");
    }

    @Test
    void deleteAnswerKeyStaysCamelCaseWhenTheApplicationUsesSnakeCase() {
        RestTestClient actuator = WebTestSupport.appClient(this.port);

        String deleted = actuator.delete().uri("/actuator/transport/transport").exchange().returnResult(String.class)
                .getResponseBody();

        assertThat(WebTestSupport.parse(deleted).has("closedIdleConnections")).as(deleted).isTrue();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
