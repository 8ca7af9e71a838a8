package io.github.pooledtransport.spring.web.closeidle;

import static org.assertj.core.api.Assertions.assertThat;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.servlet.client.EntityExchangeResult;
import org.springframework.test.web.servlet.client.RestTestClient;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * DELETE /actuator/transport closes the pool's idle connections (Go's CloseIdleConnections) and says how many.
 */
@SpringBootTest(classes = CloseIdleConnectionsEndpointIntegrationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=transport")
class CloseIdleConnectionsEndpointIntegrationTest {

    static final int CONCURRENT = 3;

    static final MockWebServer downstream = WebTestSupport.startBarrierServer(CONCURRENT);

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Autowired
    RestClient.Builder builder;

    @LocalServerPort
    int port;

    @Test
    void deleteClosesEveryIdleConnectionAndCountsThemAsIdleClosed() throws Exception {
        RestClient client = this.builder.baseUrl(WebTestSupport.url(downstream)).build();
        WebTestSupport.concurrently(CONCURRENT, () -> client.get().uri("/idle").retrieve().body(String.class));
        RestTestClient actuator = WebTestSupport.appClient(this.port);
        JsonNode before = WebTestSupport.getJson(actuator, "/actuator/transport/transport");
        int idleBefore = before.required("totals").required("idle").asInt();
        long closedBefore = before.required("totals").required("closed").required("idle-closed").asLong();
        assertThat(idleBefore).isEqualTo(CONCURRENT);

        EntityExchangeResult<String> deleted = actuator.delete().uri("/actuator/transport/transport").exchange()
                .returnResult(String.class);

        assertThat(deleted.getStatus().value()).isEqualTo(200);
        assertThat(WebTestSupport.parse(deleted.getResponseBody()).required("closedIdleConnections").asInt())
                .isEqualTo(idleBefore);
        JsonNode after = WebTestSupport.getJson(actuator, "/actuator/transport/transport");
        assertThat(after.required("totals").required("idle").asInt()).isZero();
        assertThat(after.required("totals").required("closed").required("idle-closed").asLong())
                .isEqualTo(closedBefore + idleBefore);
        JsonNode host = WebTestSupport.hostEntry(after, WebTestSupport.hostKey(downstream));
        assertThat(host.required("idle").asInt()).isZero();
        assertThat(host.required("closed").required("idle-closed").asLong()).isEqualTo(CONCURRENT);
        assertThat(host.required("closed").required("transport-closed").asLong()).isZero();
        assertThat(after.required("closed").asBoolean()).isFalse();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
