package io.github.pooledtransport.spring.web.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * An idle cap of 1 under bursts of 20 concurrent requests: every burst closes 19 connections on release and opens
 * 19 new ones the next time. The endpoint and the health indicator both diagnose it and say how far to raise the
 * cap.
 */
@SpringBootTest(classes = IdleCapDiagnosisIntegrationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=transport,health",
                "management.endpoint.health.show-details=always", "transport.max-idle-conns-per-host=1" })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdleCapDiagnosisIntegrationTest {

    static final int BURST = 20;

    static final Pattern AT_LEAST = Pattern.compile("at least (\\d+)");

    static final MockWebServer downstream = WebTestSupport.startBarrierServer(BURST);

    @Autowired
    RestClient.Builder builder;

    @LocalServerPort
    int port;

    @BeforeAll
    void twoBurstsOfTwentyConcurrentRequests() throws Exception {
        RestClient client = this.builder.baseUrl(WebTestSupport.url(downstream)).build();
        for (int burst = 0; burst < 2; burst++) {
            assertThat(WebTestSupport.concurrently(BURST, () -> client.get().uri("/burst").retrieve()
                    .body(String.class))).containsOnly("hello /burst");
        }
    }

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Test
    void eachBurstBeyondTheIdleCapClosesAndReopensConnections() {
        JsonNode host = host();
        assertThat(host.required("maxIdleConnsPerHost").asInt()).isEqualTo(1);
        assertThat(host.required("requests").asLong()).isEqualTo(2 * BURST);
        assertThat(host.required("peakActive").asInt()).isEqualTo(BURST);
        assertThat(host.required("opened").asLong()).isEqualTo(2 * BURST - 1);
        assertThat(host.required("reused").asLong()).isEqualTo(1);
        assertThat(host.required("closed").required("idle-per-host-cap").asLong()).isEqualTo(2 * (BURST - 1));
        assertThat(host.required("idle").asInt()).isEqualTo(1);
    }

    @Test
    void endpointDiagnosesIdleCapTooSmallAndRecommendsAtLeastThePeak() {
        JsonNode transport = WebTestSupport.getJson(WebTestSupport.appClient(this.port), "/actuator/transport/transport");
        int peak = WebTestSupport.hostEntry(transport, WebTestSupport.hostKey(downstream)).required("peakActive")
                .asInt();

        List<JsonNode> findings = WebTestSupport.findings(transport.required("diagnosis"), "idle-cap-too-small");

        assertThat(findings).hasSize(1);
        JsonNode finding = findings.get(0);
        assertThat(finding.required("host").asString()).isEqualTo(WebTestSupport.hostKey(downstream));
        String recommendation = finding.required("recommendation").asString();
        assertThat(recommendation).contains("transport.max-idle-conns-per-host");
        assertThat(recommendedValue(recommendation)).isGreaterThanOrEqualTo(peak).isEqualTo(BURST);
    }

    @Test
    void healthIsUpAndItsTransportComponentCarriesTheIdleCapFinding() {
        JsonNode health = WebTestSupport.getJson(WebTestSupport.appClient(this.port), "/actuator/health");

        assertThat(health.required("status").asString()).isEqualTo("UP");
        JsonNode transport = health.required("components").required("transport");
        assertThat(transport.required("status").asString()).isEqualTo("UP");
        JsonNode details = transport.required("details");
        assertThat(details.required("totals").required("opened").asLong()).isEqualTo(2 * BURST - 1);
        List<JsonNode> findings = WebTestSupport.findings(details.required("findings"), "idle-cap-too-small");
        assertThat(findings).hasSize(1);
        assertThat(recommendedValue(findings.get(0).required("recommendation").asString())).isEqualTo(BURST);
    }

    private JsonNode host() {
        return WebTestSupport.hostEntry(
                WebTestSupport.getJson(WebTestSupport.appClient(this.port), "/actuator/transport/transport"),
                WebTestSupport.hostKey(downstream));
    }

    private static int recommendedValue(String recommendation) {
        Matcher matcher = AT_LEAST.matcher(recommendation);
        assertThat(matcher.find()).as("a value in: %s", recommendation).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
