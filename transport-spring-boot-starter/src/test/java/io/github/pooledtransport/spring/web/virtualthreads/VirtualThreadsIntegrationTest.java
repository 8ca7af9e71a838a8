package io.github.pooledtransport.spring.web.virtualthreads;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * With spring.threads.virtual.enabled=true the servlet container runs requests on virtual threads, and a controller
 * calling downstream through the pooled transport works from one.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
@SpringBootTest(classes = VirtualThreadsIntegrationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.threads.virtual.enabled=true")
class VirtualThreadsIntegrationTest {

    static final MockWebServer downstream = WebTestSupport.startEchoServer();

    @DynamicPropertySource
    static void downstream(DynamicPropertyRegistry registry) {
        registry.add("downstream.url", () -> WebTestSupport.url(downstream));
    }

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Autowired
    Transport transport;

    @LocalServerPort
    int port;

    @Test
    void controllerOnAVirtualThreadCallsDownstreamThroughTheTransport() {
        JsonNode relayed = WebTestSupport.getJson(WebTestSupport.appClient(this.port), "/relay");

        assertThat(relayed.required("body").asString()).isEqualTo("hello /from-virtual-thread");
        assertThat(relayed.required("virtual").asBoolean()).isTrue();
        assertThat(downstream.getRequestCount()).isEqualTo(1);
        assertThat(this.transport.stats().hosts()).singleElement().satisfies(host -> {
            assertThat(host.key().toString()).isEqualTo(WebTestSupport.hostKey(downstream));
            assertThat(host.stats().requests()).isEqualTo(1);
            assertThat(host.stats().opened()).isEqualTo(1);
            assertThat(host.stats().idle()).isEqualTo(1);
        });
    }

    @RestController
    static class RelayController {

        private final RestClient client;

        RelayController(RestClient.Builder builder, @Value("${downstream.url}") String downstreamUrl) {
            this.client = builder.baseUrl(downstreamUrl).build();
        }

        @GetMapping("/relay")
        Map<String, Object> relay() {
            String body = this.client.get().uri("/from-virtual-thread").retrieve().body(String.class);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("body", body);
            result.put("virtual", isVirtual(Thread.currentThread()));
            result.put("thread", Thread.currentThread().toString());
            return result;
        }

        /** Thread#isVirtual exists from Java 21; this code compiles for 17. */
        private static boolean isVirtual(Thread thread) {
            try {
                return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
            }
            catch (ReflectiveOperationException ex) {
                return false;
            }
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(RelayController.class)
    static class App {
    }
}
