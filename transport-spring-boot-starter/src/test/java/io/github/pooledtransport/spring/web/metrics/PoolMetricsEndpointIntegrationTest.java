package io.github.pooledtransport.spring.web.metrics;

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
 * /actuator/metrics serves the pool's meters: after three concurrent calls the pool holds three idle connections,
 * and transport.pool.connections{state=idle} says 3.
 */
@SpringBootTest(classes = PoolMetricsEndpointIntegrationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=transport,metrics")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoolMetricsEndpointIntegrationTest {

    static final int CONCURRENT = 3;

    static final MockWebServer downstream = WebTestSupport.startBarrierServer(CONCURRENT);

    @Autowired
    RestClient.Builder builder;

    @LocalServerPort
    int port;

    @BeforeAll
    void threeConcurrentCallsLeaveThreeIdleConnections() throws Exception {
        RestClient client = this.builder.baseUrl(WebTestSupport.url(downstream)).build();
        WebTestSupport.concurrently(CONCURRENT, () -> client.get().uri("/m").retrieve().body(String.class));
    }

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Test
    void idleConnectionsGaugeShowsTheIdleCount() {
        JsonNode metric = WebTestSupport.getJson(WebTestSupport.appClient(this.port),
                "/actuator/metrics/transport.pool.connections?tag=state:idle");

        assertThat(metric.required("name").asString()).isEqualTo("transport.pool.connections");
        assertThat(value(metric, "VALUE")).isEqualTo(CONCURRENT);
        int endpointIdle = WebTestSupport.getJson(WebTestSupport.appClient(this.port), "/actuator/transport/transport")
                .required("totals").required("idle").asInt();
        assertThat(value(metric, "VALUE")).isEqualTo(endpointIdle);
    }

    @Test
    void idleConnectionsGaugeIsTaggedWithTheHostKey() {
        JsonNode metric = WebTestSupport.getJson(WebTestSupport.appClient(this.port),
                "/actuator/metrics/transport.pool.connections?tag=state:idle&tag=host:"
                        + WebTestSupport.hostKey(downstream));

        assertThat(value(metric, "VALUE")).isEqualTo(CONCURRENT);
    }

    @Test
    void openedConnectionsCounterCountsThreeConnections() {
        JsonNode metric = WebTestSupport.getJson(WebTestSupport.appClient(this.port),
                "/actuator/metrics/transport.pool.opened");

        assertThat(value(metric, "COUNT")).isEqualTo(CONCURRENT);
    }

    private static double value(JsonNode metric, String statistic) {
        for (JsonNode measurement : metric.required("measurements")) {
            if (statistic.equals(measurement.required("statistic").asString())) {
                return measurement.required("value").asDouble();
            }
        }
        throw new AssertionError("No " + statistic + " measurement in " + metric);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
