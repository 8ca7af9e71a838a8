package io.github.pooledtransport.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;
import org.springframework.web.client.RestClient;

import io.github.pooledtransport.core.Transport;

/**
 * A real application context with a web server: an injected RestClient calls a real local server through the
 * shared transport, and the actuator endpoint, read over HTTP, counts the reuse.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=transport,health",
                "management.endpoint.health.show-details=always" })
class RestClientThroughTransportIntegrationTest {

    static final MockWebServer downstream = new MockWebServer();

    static {
        downstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("hello " + request.getTarget()).build();
            }
        });
        try {
            downstream.start(InetAddress.getLoopbackAddress(), 0);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @DynamicPropertySource
    static void downstream(DynamicPropertyRegistry registry) {
        registry.add("downstream.url", () -> "http://127.0.0.1:" + downstream.getPort());
    }

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Autowired
    RestClient.Builder builder;

    @Autowired
    Transport transport;

    @LocalServerPort
    int port;

    @Test
    void restClientRequestsReuseOnePooledConnectionAndTheEndpointShowsIt() {
        RestClient client = this.builder.baseUrl("http://127.0.0.1:" + downstream.getPort()).build();
        for (int i = 0; i < 5; i++) {
            assertThat(client.get().uri("/r" + i).retrieve().body(String.class)).isEqualTo("hello /r" + i);
        }
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
        assertThat(this.transport.stats().totals().reused()).isEqualTo(4);

        RestTestClient actuator = RestTestClient.bindToServer(new JdkClientHttpRequestFactory())
                .baseUrl("http://127.0.0.1:" + this.port).build();
        String json = actuator.get().uri("/actuator/transport/transport").exchange().returnResult(String.class).getResponseBody();
        assertThat(json).contains("\"opened\":1").contains("\"reused\":4").contains("\"diagnosis\"");
        String health = actuator.get().uri("/actuator/health").exchange().returnResult(String.class).getResponseBody();
        assertThat(health).contains("\"transport\"").contains("\"status\":\"UP\"");
    }

    @SpringBootApplication
    static class App {
    }
}
