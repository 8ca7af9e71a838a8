package io.github.pooledtransport.spring.web.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * With a real tracer (Brave, as Boot auto-configures it), a {@code RestClient} or {@code WebClient} call's trace
 * shows the pool's work:
 * a {@code connection acquire} span under the call's {@code http get} span, and for a new connection a
 * {@code connection dial} span under the acquire; a reused connection shows the acquire alone.
 */
@SpringBootTest(classes = ConnectionSpansIntegrationTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "management.tracing.sampling.probability=1.0")
class ConnectionSpansIntegrationTest {

    static final MockWebServer downstream = WebTestSupport.startEchoServer();

    /** Called by one test only: its first call opens a connection. */
    static final MockWebServer fresh = WebTestSupport.startEchoServer();

    @Autowired
    RestClient.Builder builder;

    @Autowired
    WebClient.Builder webClientBuilder;

    /** Called by the WebClient test only. */
    static final MockWebServer reactive = WebTestSupport.startEchoServer();

    @Autowired
    Spans spans;

    @AfterAll
    static void stop() {
        downstream.close();
        fresh.close();
        reactive.close();
    }

    @BeforeEach
    void clear() {
        this.spans.finished.clear();
    }

    @Test
    void aNewConnectionsAcquireAndDialAreSpansUnderTheClientRequestSpan() {
        RestClient client = this.builder.baseUrl(WebTestSupport.url(fresh)).build();
        assertThat(client.get().uri("/traced").retrieve().body(String.class)).isEqualTo("hello /traced");
        MutableSpan request = this.spans.named("http get").get(0);
        MutableSpan acquire = this.spans.named("connection acquire").get(0);
        assertThat(acquire.traceId()).isEqualTo(request.traceId());
        assertThat(acquire.parentId()).isEqualTo(request.id());
        assertThat(acquire.tag("host")).isEqualTo(WebTestSupport.url(fresh));
        assertThat(acquire.tag("outcome")).isEqualTo("NEW");
        assertThat(this.spans.named("connection dial")).singleElement().satisfies(dial -> {
            assertThat(dial.traceId()).isEqualTo(request.traceId());
            assertThat(dial.parentId()).isEqualTo(acquire.id());
            assertThat(dial.tag("outcome")).isEqualTo("SUCCESS");
            assertThat(dial.tag("network.peer.address")).endsWith(":" + fresh.getPort());
            assertThat(dial.tag("connection.id")).isEqualTo(acquire.tag("connection.id"));
        });
    }

    @Test
    void aReusedConnectionIsAnAcquireSpanWithoutADial() {
        RestClient client = this.builder.baseUrl(WebTestSupport.url(downstream)).build();
        client.get().uri("/warm").retrieve().body(String.class);
        this.spans.finished.clear();

        client.get().uri("/again").retrieve().body(String.class);
        MutableSpan request = this.spans.named("http get").get(0);
        assertThat(this.spans.named("connection acquire")).singleElement().satisfies(acquire -> {
            assertThat(acquire.parentId()).isEqualTo(request.id());
            assertThat(acquire.tag("outcome")).isEqualTo("REUSED");
        });
        assertThat(this.spans.named("connection dial")).isEmpty();
    }

    @Test
    void aWebClientCallsAcquireAndDialAreSpansUnderItsClientRequestSpan() {
        WebClient client = this.webClientBuilder.baseUrl(WebTestSupport.url(reactive)).build();
        assertThat(client.get().uri("/traced").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)))
                .isEqualTo("hello /traced");
        // WebClient ends its observation as the exchange terminates, which may come just after block() returns.
        MutableSpan request = this.spans.awaitNamed("http get");
        MutableSpan acquire = this.spans.named("connection acquire").get(0);
        assertThat(acquire.traceId()).isEqualTo(request.traceId());
        assertThat(acquire.parentId()).isEqualTo(request.id());
        assertThat(acquire.tag("outcome")).isEqualTo("NEW");
        assertThat(this.spans.named("connection dial")).singleElement()
                .satisfies(dial -> assertThat(dial.parentId()).isEqualTo(acquire.id()));
    }

    /** Keeps the spans the tracer finished. */
    static final class Spans extends SpanHandler {

        final List<MutableSpan> finished = new CopyOnWriteArrayList<>();

        @Override
        public boolean end(TraceContext context, MutableSpan span, Cause cause) {
            this.finished.add(span);
            return true;
        }

        List<MutableSpan> named(String name) {
            return this.finished.stream().filter(s -> name.equals(s.name())).toList();
        }

        /** The first span of that name, waiting up to 10 s for it to finish on another thread. */
        MutableSpan awaitNamed(String name) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (named(name).isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertThat(named(name)).as("a finished %s span", name).isNotEmpty();
            return named(name).get(0);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        Spans spans() {
            return new Spans();
        }
    }
}
