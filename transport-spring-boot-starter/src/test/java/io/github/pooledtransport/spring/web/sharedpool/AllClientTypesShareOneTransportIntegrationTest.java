package io.github.pooledtransport.spring.web.sharedpool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.ImportHttpServices;
import tools.jackson.databind.JsonNode;

import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * RestClient (from the injected RestClient.Builder), RestTemplate (from the injected RestTemplateBuilder), an
 * HTTP service client group and WebClient (from the injected WebClient.Builder) all run on the application's one
 * transport: calls made through each, one after the other, all travel on a single pooled connection, and the
 * one endpoint counts them all.
 */
@SpringBootTest(classes = AllClientTypesShareOneTransportIntegrationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=transport")
class AllClientTypesShareOneTransportIntegrationTest {

    static final int CALLS_PER_CLIENT = 4;

    static final MockWebServer downstream = WebTestSupport.startEchoServer();

    @DynamicPropertySource
    static void downstream(DynamicPropertyRegistry registry) {
        registry.add("spring.http.serviceclient.downstream.base-url", () -> WebTestSupport.url(downstream));
    }

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Autowired
    RestClient.Builder restClientBuilder;

    @Autowired
    RestTemplateBuilder restTemplateBuilder;

    @Autowired
    DownstreamService service;

    @Autowired
    WebClient.Builder webClientBuilder;

    @LocalServerPort
    int port;

    @Test
    void restClientRestTemplateHttpServiceClientAndWebClientAllReuseOnePooledConnection() throws Exception {
        RestClient restClient = this.restClientBuilder.baseUrl(WebTestSupport.url(downstream)).build();
        RestTemplate restTemplate = this.restTemplateBuilder.rootUri(WebTestSupport.url(downstream)).build();
        WebClient webClient = this.webClientBuilder.baseUrl(WebTestSupport.url(downstream)).build();
        for (int i = 0; i < CALLS_PER_CLIENT; i++) {
            assertThat(restClient.get().uri("/rest-client/{i}", i).retrieve().body(String.class))
                    .isEqualTo("hello /rest-client/" + i);
            assertThat(restTemplate.getForObject("/rest-template/{i}", String.class, i))
                    .isEqualTo("hello /rest-template/" + i);
            assertThat(this.service.call(i)).isEqualTo("hello /service/" + i);
            assertThat(webClient.get().uri("/web-client/{i}", i).retrieve().bodyToMono(String.class)
                    .block(Duration.ofSeconds(10))).isEqualTo("hello /web-client/" + i);
        }
        int total = 4 * CALLS_PER_CLIENT;

        JsonNode host = WebTestSupport.hostEntry(
                WebTestSupport.getJson(WebTestSupport.appClient(this.port), "/actuator/transport/transport"),
                WebTestSupport.hostKey(downstream));
        assertThat(host.required("requests").asLong()).isEqualTo(total);
        assertThat(host.required("opened").asLong()).isEqualTo(1);
        assertThat(host.required("reused").asLong()).isEqualTo(total - 1);
        assertThat(host.required("idle").asInt()).isEqualTo(1);
        assertThat(host.required("active").asInt()).isZero();

        List<RecordedRequest> received = WebTestSupport.drain(downstream);
        assertThat(received).hasSize(total);
        assertThat(received).extracting(RecordedRequest::getConnectionIndex).containsOnly(0);
        assertThat(received).extracting(RecordedRequest::getExchangeIndex)
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        assertThat(received).extracting(RecordedRequest::getTarget).startsWith("/rest-client/0",
                "/rest-template/0", "/service/0", "/web-client/0");
    }

    interface DownstreamService {

        @GetExchange("/service/{i}")
        String call(@PathVariable("i") int i);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @ImportHttpServices(group = "downstream", types = DownstreamService.class)
    static class App {
    }
}
