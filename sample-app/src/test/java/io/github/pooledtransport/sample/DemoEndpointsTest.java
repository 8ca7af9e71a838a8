package io.github.pooledtransport.sample;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.test.web.servlet.client.RestTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Starts the sample and runs each demo over HTTP, as a newcomer would with curl: the good configuration reuses
 * its connections, and each classic failure shows up in the numbers and the diagnosis.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DemoEndpointsTest {

    @LocalServerPort
    int port;

    @Value("${sample.downstream.ports.small-idle-cap}")
    int smallIdleCapPort;

    @Value("${sample.downstream.ports.no-keep-alive}")
    int noKeepAlivePort;

    private JsonNode post(String path) {
        String body = client().post().uri(path).exchange().expectStatus().isOk().returnResult(String.class)
                .getResponseBody();
        return new ObjectMapper().readTree(body);
    }

    private JsonNode get(String path) {
        String body = client().get().uri(path).exchange().expectStatus().isOk().returnResult(String.class)
                .getResponseBody();
        return new ObjectMapper().readTree(body);
    }

    private RestTestClient client() {
        return RestTestClient.bindToServer(new JdkClientHttpRequestFactory()).baseUrl("http://127.0.0.1:" + this.port)
                .build();
    }

    @Test
    void prometheusShowsThePoolMetersUnderTheirConventionalNames() {
        post("/demo/good");
        String scrape = client().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseBody();
        assertThat(scrape).contains("transport_pool_opened_connections_total{", "transport_pool_reused_requests_total{",
                "transport_pool_connections{", "transport_pool_acquire_seconds_count{",
                "transport_pool_closed_connections_total{", "transport_connect_seconds_count{");
        assertThat(scrape).doesNotContain("_connections_connections", "_requests_requests", "_total_total");
    }

    @Test
    void goodConfigurationOpensAboutOneConnectionPerConcurrentCallerAndClosesNone() {
        JsonNode result = post("/demo/good");
        assertThat(result.required("failed").asInt()).isZero();
        assertThat(result.required("requests").asInt()).isEqualTo(DemoService.REQUESTS);
        // Late binding: a caller may take a connection another released while its own dial was under way; that
        // dial's connection joins the pool. So at most two per caller (none when an earlier test warmed the
        // pool), and none is closed.
        long opened = result.required("opened").asLong();
        assertThat(opened).isBetween(0L, 2L * DemoService.CONCURRENCY);
        assertThat(result.required("closed").size()).as("close reasons with a count").isZero();
        assertThat(result.required("reused").asLong()).isGreaterThanOrEqualTo(DemoService.REQUESTS - opened);
        assertThat(result.required("diagnosis").isEmpty()).isTrue();
    }

    @Test
    void smallIdleCapOpensMoreConnectionsThanCallersWhileMostRequestsReuse() {
        JsonNode result = post("/demo/small-idle-cap");
        assertThat(result.required("failed").asInt()).isZero();
        assertThat(result.required("opened").asLong()).isGreaterThan(DemoService.CONCURRENCY);
        assertThat(result.required("reused").asLong()).isGreaterThan(DemoService.REQUESTS / 2);
        long capClosed = result.required("closed").required("idle-per-host-cap").asLong();
        assertThat(capClosed).isPositive();
        if (!result.required("timeWait").isNull()) {
            // The pool closes first, so the TIME_WAIT sockets are on this app's side.
            assertThat(result.required("timeWait").asLong()).isGreaterThanOrEqualTo(capClosed / 2);
        }
    }

    @Test
    void smallIdleCapFixNamesThePerHostOverrideThatSetTheCap() {
        JsonNode finding = post("/demo/small-idle-cap").required("diagnosis").required(0);
        assertThat(finding.required("code").asString()).isEqualTo("idle-cap-too-small");
        assertThat(finding.required("recommendation").asString())
                .startsWith("Raise transport.hosts[127.0.0.1:" + this.smallIdleCapPort
                        + "].max-idle-conns-per-host (the override set for this host) from 2 to at least ")
                .doesNotContain("transport.max-idle-conns-per-host");
    }

    @Test
    void transportPerRequestOpensAConnectionForEveryRequestAndIsDiagnosed() {
        JsonNode result = post("/demo/transport-per-request");
        assertThat(result.required("failed").asInt()).isZero();
        assertThat(result.required("opened").asLong()).isEqualTo(result.required("requests").asLong());
        assertThat(result.required("diagnosis").toString()).contains("multiple-transports");
    }

    @Test
    void bodiesNotReadCloseTheirConnectionsAndAreDiagnosed() {
        JsonNode result = post("/demo/bodies-not-read");
        assertThat(result.required("failed").asInt()).isZero();
        assertThat(result.required("opened").asLong()).isEqualTo(DemoService.REQUESTS);
        assertThat(result.required("closed").required("body-not-consumed").asLong())
                .isEqualTo(DemoService.REQUESTS);
        assertThat(result.required("diagnosis").toString()).contains("bodies-not-consumed");
    }

    @Test
    void bodiesNotReadAreResetSoTheyLeaveNoTimeWait() {
        JsonNode result = post("/demo/bodies-not-read");
        if (!result.required("timeWait").isNull()) {
            assertThat(result.required("timeWait").asInt()).isZero();
            assertThat(result.required("downstreamTimeWait").asInt()).isZero();
        }
    }

    @Test
    void keepAlivesOffOpenAConnectionPerRequestAndAreDiagnosed() {
        JsonNode result = post("/demo/keep-alives-disabled");
        assertThat(result.required("failed").asInt()).isZero();
        assertThat(result.required("opened").asLong()).isEqualTo(DemoService.REQUESTS);
        assertThat(result.required("reused").asLong()).isZero();
        assertThat(result.required("closed").required("connection-close").asLong()).isEqualTo(DemoService.REQUESTS);
        assertThat(result.required("diagnosis").toString()).contains("keep-alive-refused");
    }

    @Test
    void keepAlivesOffAreNamedByTheLiveDiagnosisOfTheSharedTransport() {
        post("/demo/keep-alives-disabled");
        String host = "http://127.0.0.1:" + this.noKeepAlivePort;

        JsonNode diagnosis = get("/actuator/transport/transport").required("diagnosis");

        assertThat(diagnosis.valueStream().filter((f) -> f.required("code").asString().equals("keep-alive-refused"))
                .map((f) -> f.required("host").asString())).contains(host);
    }

    @Test
    void unknownDemoIsNotFound() {
        RestTestClient.bindToServer(new JdkClientHttpRequestFactory()).baseUrl("http://127.0.0.1:" + this.port)
                .build().post().uri("/demo/nope").exchange().expectStatus().isNotFound();
    }
}
