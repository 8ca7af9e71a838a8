package io.github.pooledtransport.sample;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
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

    private JsonNode post(String path) {
        RestTestClient client = RestTestClient.bindToServer(new JdkClientHttpRequestFactory())
                .baseUrl("http://127.0.0.1:" + this.port).build();
        String body = client.post().uri(path).exchange().expectStatus().isOk().returnResult(String.class)
                .getResponseBody();
        return new ObjectMapper().readTree(body);
    }

    @Test
    void goodConfigurationOpensAtMostOneConnectionPerConcurrentCaller() {
        JsonNode result = post("/demo/good");
        assertThat(result.required("failed").asInt()).isZero();
        assertThat(result.required("requests").asInt()).isEqualTo(DemoService.REQUESTS);
        assertThat(result.required("opened").asLong()).isBetween(1L, (long) DemoService.CONCURRENCY);
        assertThat(result.required("reused").asLong()).isGreaterThanOrEqualTo(DemoService.REQUESTS - DemoService.CONCURRENCY);
        assertThat(result.required("diagnosis").isEmpty()).isTrue();
    }

    @Test
    void smallIdleCapClosesAndReopensConnectionsAndIsDiagnosed() {
        JsonNode result = post("/demo/small-idle-cap");
        assertThat(result.required("failed").asInt()).isZero();
        assertThat(result.required("opened").asLong()).isGreaterThan(DemoService.CONCURRENCY);
        assertThat(result.required("closed").required("idle-per-host-cap").asLong()).isPositive();
        assertThat(result.required("diagnosis").toString()).contains("idle-cap-too-small")
                .contains("transport.max-idle-conns-per-host");
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
        assertThat(result.required("closed").required("body-not-consumed").asLong())
                .isEqualTo(DemoService.REQUESTS);
        assertThat(result.required("diagnosis").toString()).contains("bodies-not-consumed");
    }

    @Test
    void keepAlivesDisabledOpenAConnectionPerRequestAndAreDiagnosed() {
        JsonNode result = post("/demo/keep-alives-disabled");
        assertThat(result.required("failed").asInt()).isZero();
        assertThat(result.required("opened").asLong()).isEqualTo(DemoService.REQUESTS);
        assertThat(result.required("closed").required("keep-alive-disabled").asLong()).isEqualTo(DemoService.REQUESTS);
        assertThat(result.required("diagnosis").toString()).contains("keep-alive-disabled");
    }

    @Test
    void unknownDemoIsNotFound() {
        RestTestClient.bindToServer(new JdkClientHttpRequestFactory()).baseUrl("http://127.0.0.1:" + this.port)
                .build().post().uri("/demo/nope").exchange().expectStatus().isNotFound();
    }
}
