package io.github.pooledtransport.spring.web.several;

import static org.assertj.core.api.Assertions.assertThat;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.web.servlet.client.RestTestClient;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactory;
import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * An application with two Transport beans, one {@code @Primary}: the injected RestClient.Builder uses the primary;
 * {@code /actuator/transport} shows both by bean name, {@code /actuator/transport/{name}} one (404 for an unknown
 * name), {@code DELETE /actuator/transport/{name}} empties one pool only, and health has a component per bean.
 */
@SpringBootTest(classes = SeveralTransportsEndpointIntegrationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=transport,health",
            "management.endpoint.health.show-components=always" })
class SeveralTransportsEndpointIntegrationTest {

    static final MockWebServer downstream = WebTestSupport.startEchoServer();

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Autowired
    RestClient.Builder builder;

    @Autowired
    @Qualifier("partner")
    Transport partner;

    @LocalServerPort
    int port;

    @Test
    void endpointAndHealthShowEachTransportByNameAndTheBuilderUsesThePrimary() {
        this.builder.baseUrl(WebTestSupport.url(downstream)).build().get().uri("/main").retrieve().body(String.class);
        RestClient.builder().requestFactory(new TransportClientHttpRequestFactory(this.partner))
                .baseUrl(WebTestSupport.url(downstream)).build().get().uri("/partner").retrieve().body(String.class);
        RestTestClient actuator = WebTestSupport.appClient(this.port);

        JsonNode all = WebTestSupport.getJson(actuator, "/actuator/transport").required("transports");
        assertThat(all.propertyNames()).containsExactly("main", "partner");
        assertThat(all.required("main").required("totals").required("requests").asLong()).isEqualTo(1);
        assertThat(all.required("partner").required("totals").required("requests").asLong()).isEqualTo(1);
        assertThat(actuator.get().uri("/actuator/transport/nope").exchange().returnResult(String.class).getStatus()
                .value()).isEqualTo(404);
        assertThat(actuator.delete().uri("/actuator/transport/nope").exchange().returnResult(String.class).getStatus()
                .value()).isEqualTo(404);

        String deleted = actuator.delete().uri("/actuator/transport/partner").exchange().returnResult(String.class)
                .getResponseBody();
        assertThat(WebTestSupport.parse(deleted).required("closedIdleConnections").asInt()).isEqualTo(1);
        assertThat(WebTestSupport.getJson(actuator, "/actuator/transport/main").required("totals").required("idle")
                .asInt()).isEqualTo(1);
        assertThat(WebTestSupport.getJson(actuator, "/actuator/transport/partner").required("totals")
                .required("idle").asInt()).isZero();

        JsonNode health = WebTestSupport.getJson(actuator, "/actuator/health").required("components")
                .required("transport").required("components");
        assertThat(health.propertyNames()).containsExactlyInAnyOrder("main", "partner");
        assertThat(health.required("partner").required("status").asString()).isEqualTo("UP");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean(destroyMethod = "close")
        @Primary
        Transport main() {
            return new Transport(TransportConfig.defaults());
        }

        @Bean(destroyMethod = "close")
        Transport partner() {
            return new Transport(TransportConfig.defaults());
        }
    }
}
