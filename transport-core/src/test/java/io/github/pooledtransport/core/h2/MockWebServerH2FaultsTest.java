package io.github.pooledtransport.core.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.ResponseHeaderTimeoutException;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;

/**
 * Scripted HTTP/2 faults from OkHttp's {@code mockwebserver3} (h2c with prior knowledge), a second server
 * implementation beside Jetty and the raw peer: a refused stream is sent again, and a stream that stalls fails on
 * its own timeout while the connection serves the next request.
 */
@Timeout(30)
class MockWebServerH2FaultsTest {

    /** RFC 9113 7: REFUSED_STREAM. */
    private static final int REFUSED_STREAM = 0x7;

    private final MockWebServer server = new MockWebServer();

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server.setProtocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE));
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        this.transport = new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C))
                .responseHeaderTimeout(Duration.ofMillis(500)).readTimeout(Duration.ofMillis(500)).build());
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void postWhoseStreamWasRefusedIsSentAgainAndAnswered() throws Exception {
        this.server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseStream(REFUSED_STREAM))
                .build());
        this.server.enqueue(new MockResponse.Builder().body("answered").build());
        Request post = Request.newBuilder(URI.create(url("/orders")))
                .post(RequestBody.of("one order".getBytes(StandardCharsets.UTF_8))).build();

        try (Response response = this.transport.roundTrip(post)) {
            assertThat(response.protocol()).isEqualTo("HTTP/2.0");
            assertThat(response.body().readAllBytes()).asString().isEqualTo("answered");
        }
        assertThat(this.transport.stats().totals().replays()).isEqualTo(1);
    }

    @Test
    void streamWhoseHeadStallsFailsOnItsTimeoutAndTheConnectionServesTheNext() throws Exception {
        this.server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        assertThatThrownBy(() -> this.transport.roundTrip(Request.get(url("/stalls"))))
                .isInstanceOf(ResponseHeaderTimeoutException.class);
        try (Response next = this.transport.roundTrip(Request.get(url("/next")))) {
            assertThat(next.body().readAllBytes()).asString().isEqualTo("next");
        }
        RecordedRequest stalled = this.server.takeRequest();
        RecordedRequest served = this.server.takeRequest();
        assertThat(served.getConnectionIndex()).isEqualTo(stalled.getConnectionIndex());
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
    }

    @Test
    void streamWhoseBodyStallsFailsOnTheReadTimeoutAndTheConnectionServesTheNext() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("never all of it")
                .onResponseBody(SocketEffect.Stall.INSTANCE).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        try (Response stalled = this.transport.roundTrip(Request.get(url("/stalls")))) {
            assertThatThrownBy(() -> stalled.body().readAllBytes()).isInstanceOf(TransportException.class)
                    .hasMessageContaining("readTimeout");
        }
        try (Response next = this.transport.roundTrip(Request.get(url("/next")))) {
            assertThat(next.body().readAllBytes()).asString().isEqualTo("next");
        }
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + this.server.getPort() + path;
    }
}
