package io.github.pooledtransport.spring.web.caps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * transport.max-conns-per-host=2 holds: ten concurrent calls to one host never have more than two connections,
 * the rest queue and reuse them.
 */
@SpringBootTest(classes = MaxConnsPerHostIntegrationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=transport", "transport.max-conns-per-host=2" })
class MaxConnsPerHostIntegrationTest {

    static final int CALLS = 10;

    /** Holds each response until two requests are in the server: the cap, reached and provably not exceeded. */
    static final MockWebServer downstream = WebTestSupport.startBarrierServer(2);

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Autowired
    RestClient.Builder builder;

    @LocalServerPort
    int port;

    @Test
    void tenConcurrentCallsToOneHostUseAtMostTwoConnections() throws Exception {
        RestClient client = this.builder.baseUrl(WebTestSupport.url(downstream)).build();

        List<String> bodies = WebTestSupport.concurrently(CALLS, () -> client.get().uri("/capped").retrieve()
                .body(String.class));

        assertThat(bodies).hasSize(CALLS).containsOnly("hello /capped");
        JsonNode host = WebTestSupport.hostEntry(
                WebTestSupport.getJson(WebTestSupport.appClient(this.port), "/actuator/transport/transport"),
                WebTestSupport.hostKey(downstream));
        assertThat(host.required("maxConnsPerHost").asInt()).isEqualTo(2);
        assertThat(host.required("peakActive").asInt()).isLessThanOrEqualTo(2).isEqualTo(2);
        assertThat(host.required("opened").asLong()).isEqualTo(2);
        assertThat(host.required("requests").asLong()).isEqualTo(CALLS);
        assertThat(host.required("reused").asLong()).isEqualTo(CALLS - 2);
        assertThat(host.required("waiting").asInt()).isZero();
        assertThat(host.required("acquireTimeouts").asLong()).isZero();
        List<RecordedRequest> received = WebTestSupport.drain(downstream);
        assertThat(received).hasSize(CALLS);
        assertThat(received).extracting(RecordedRequest::getConnectionIndex).containsOnly(0, 1);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
