package io.github.pooledtransport.spring.web.shutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportClosedException;
import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * Closing the application context closes the shared transport: its idle connections go at once and later requests
 * fail fast instead of opening connections nobody will close.
 */
class ContextShutdownClosesTransportIntegrationTest {

    MockWebServer downstream;

    ConfigurableApplicationContext context;

    Transport transport;

    @BeforeEach
    void startAppAndMakeOnePooledConnection() {
        this.downstream = WebTestSupport.startEchoServer();
        this.context = new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
                .properties("server.port=0", "spring.main.banner-mode=off", "spring.jmx.enabled=false")
                .run();
        this.transport = this.context.getBean(Transport.class);
        RestClient client = this.context.getBean(RestClient.Builder.class).baseUrl(WebTestSupport.url(this.downstream))
                .build();
        assertThat(client.get().uri("/before-close").retrieve().body(String.class)).isEqualTo("hello /before-close");
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
    }

    @AfterEach
    void stop() {
        if (this.context.isActive()) {
            this.context.close();
        }
        this.downstream.close();
    }

    @Test
    void closingTheContextClosesTheTransportAndItsIdleConnection() {
        this.context.close();

        assertThat(this.transport.stats().closed()).isTrue();
        assertThat(this.transport.stats().totals().idle()).isZero();
        assertThat(this.transport.stats().totals().closed(CloseReason.TRANSPORT_CLOSED)).isEqualTo(1);
    }

    @Test
    void roundTripAfterTheContextClosedFailsWithTransportClosedException() {
        this.context.close();

        assertThatExceptionOfType(TransportClosedException.class)
                .isThrownBy(() -> this.transport.roundTrip(Request.get(WebTestSupport.url(this.downstream) + "/after")));
        assertThat(this.downstream.getRequestCount()).isEqualTo(1);
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
