package com.example.quotes;

import static org.assertj.core.api.Assertions.assertThat;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.github.pooledtransport.core.HostStats;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * A context shaped like a user's application, in a package of its own (a {@code @SpringBootApplication} found
 * by {@code @SpringBootTest}, with only the web starter, the actuator and this starter on the test class path, no
 * {@code spring-boot-starter-restclient}) gets a {@code RestClient.Builder}, a {@code RestTemplateBuilder} and an
 * {@code @ImportHttpServices} client, and all three send their requests through the starter's transport.
 */
@SpringBootTest(classes = QuotesApplication.class)
class UserApplicationRunsOnTransportIntegrationTest {

    static final MockWebServer downstream = WebTestSupport.startEchoServer();

    @DynamicPropertySource
    static void downstream(DynamicPropertyRegistry registry) {
        registry.add("quotes.base-url", () -> WebTestSupport.url(downstream));
        registry.add("spring.http.serviceclient.quotes.base-url", () -> WebTestSupport.url(downstream));
    }

    @AfterAll
    static void stop() {
        downstream.close();
    }

    @Autowired
    Quotes quotes;

    @Autowired
    QuotesClient quotesClient;

    @Autowired
    Transport transport;

    @Test
    void restClientRestTemplateAndHttpServiceClientFromAUserApplicationRunOnTheTransport() throws Exception {
        assertThat(this.quotes.viaRestClient()).isEqualTo("hello /rest-client/today");
        assertThat(this.quotes.viaRestTemplate()).isEqualTo("hello /rest-template/today");
        assertThat(this.quotesClient.today()).isEqualTo("hello /service/today");

        HostStats host = this.transport.stats().hosts().stream()
                .filter(h -> h.key().toString().equals(WebTestSupport.hostKey(downstream)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the transport never saw " + WebTestSupport.hostKey(downstream)));
        assertThat(host.stats().requests()).isEqualTo(3);
        assertThat(host.stats().opened()).isEqualTo(1);
        assertThat(WebTestSupport.drain(downstream)).hasSize(3);
    }
}
