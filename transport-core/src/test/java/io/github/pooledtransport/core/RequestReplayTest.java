package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.ScriptedHttpServer.Action;

/**
 * A reused connection that passed the liveness check fails before any response byte: the server read the
 * request and closed the connection without answering. Only a replayable request (idempotent method or
 * {@code Idempotency-Key}, with no body or a repeatable one) is sent again, once, on a fresh connection; any
 * other surfaces a {@link TransportException} and reaches the server exactly once.
 */
@Timeout(20)
class RequestReplayTest {

    private static final String PAYLOAD = "payload";

    private ScriptedHttpServer server;

    private Transport transport;

    @BeforeEach
    void start() throws IOException {
        // The server drops any request to /drop on the first connection after reading it, and answers the rest.
        this.server = ScriptedHttpServer.start().script(r -> (r.target().equals("/drop") && r.connection() == 1)
                ? Action.CLOSE_WITHOUT_RESPONSE : Action.RESPOND);
        this.transport = new Transport(TransportConfig.builder().readTimeout(Duration.ofSeconds(5)).build());
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void getDroppedOnAReusedConnectionIsReplayedOnceOnAFreshConnection() throws Exception {
        warmUpOneConnection();

        assertThat(body(this.transport.roundTrip(Request.get(url("/drop"))))).isEqualTo("/drop");

        assertThat(this.server.requests()).filteredOn(r -> r.target().equals("/drop"))
                .extracting(ScriptedHttpServer.ServedRequest::connection).containsExactly(1, 2);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(totals.requests()).isEqualTo(2);
        assertThat(totals.closed(CloseReason.SERVER_CLOSED)).isEqualTo(1);
    }

    @Test
    void replayedRequestIsNotReplayedASecondTime() throws Exception {
        this.server.script(r -> r.target().equals("/drop") ? Action.CLOSE_WITHOUT_RESPONSE : Action.RESPOND);
        warmUpOneConnection();

        assertThatExceptionOfType(TransportException.class)
                .isThrownBy(() -> this.transport.roundTrip(Request.get(url("/drop"))));

        assertThat(this.server.timesReceived("GET", "/drop")).isEqualTo(2);
        assertThat(this.server.acceptedConnections()).isEqualTo(2);
        assertThat(this.transport.stats().totals().closed(CloseReason.SERVER_CLOSED)).isEqualTo(2);
    }

    @Test
    void getDroppedOnAFreshConnectionIsNotReplayed() {
        assertThatExceptionOfType(TransportException.class)
                .isThrownBy(() -> this.transport.roundTrip(Request.get(url("/drop"))))
                .satisfies(ex -> assertThat(ex.hostKey()).isEqualTo(HostKey.of(URI.create(url("/drop")))));

        assertThat(this.server.timesReceived("GET", "/drop")).isEqualTo(1);
        assertThat(this.server.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void postDroppedOnAReusedConnectionIsNotReplayed() throws Exception {
        warmUpOneConnection();
        Request post = Request.newBuilder(URI.create(url("/drop")))
                .post(RequestBody.of(PAYLOAD, StandardCharsets.UTF_8)).build();

        assertThatExceptionOfType(TransportException.class).isThrownBy(() -> this.transport.roundTrip(post))
                .satisfies(ex -> assertThat(ex.hostKey()).isEqualTo(HostKey.of(post.uri())));

        assertThat(this.server.timesReceived("POST", "/drop")).isEqualTo(1);
        assertThat(this.server.acceptedConnections()).isEqualTo(1);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.closed(CloseReason.SERVER_CLOSED)).isEqualTo(1);
        assertThat(totals.active()).isZero();
        assertThat(totals.idle()).isZero();
    }

    @Test
    void postWithIdempotencyKeyDroppedOnAReusedConnectionIsReplayedOnce() throws Exception {
        warmUpOneConnection();
        Request post = Request.newBuilder(URI.create(url("/drop"))).header("Idempotency-Key", "k-1")
                .post(RequestBody.of(PAYLOAD, StandardCharsets.UTF_8)).build();

        assertThat(body(this.transport.roundTrip(post))).isEqualTo("/drop");

        assertThat(this.server.requests()).filteredOn(r -> r.method().equals("POST"))
                .hasSize(2)
                .allSatisfy(r -> assertThat(r.bodyText()).isEqualTo(PAYLOAD))
                .extracting(ScriptedHttpServer.ServedRequest::connection).containsExactly(1, 2);
        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
    }

    @Test
    void postWithIdempotencyKeyAndOneShotBodyIsNotReplayed() throws Exception {
        warmUpOneConnection();
        Request post = Request.newBuilder(URI.create(url("/drop"))).header("Idempotency-Key", "k-2")
                .post(oneShotPayload()).build();

        assertThatExceptionOfType(TransportException.class).isThrownBy(() -> this.transport.roundTrip(post));

        assertThat(this.server.timesReceived("POST", "/drop")).isEqualTo(1);
        assertThat(this.server.acceptedConnections()).isEqualTo(1);
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
    }

    @Test
    void putWithOneShotBodyIsNotReplayed() throws Exception {
        warmUpOneConnection();
        Request put = Request.newBuilder(URI.create(url("/drop"))).method("PUT", oneShotPayload()).build();

        assertThatExceptionOfType(TransportException.class).isThrownBy(() -> this.transport.roundTrip(put));

        assertThat(this.server.timesReceived("PUT", "/drop")).isEqualTo(1);
        assertThat(this.server.acceptedConnections()).isEqualTo(1);
    }

    /** One answered GET, so the next request goes on a reused connection. */
    private void warmUpOneConnection() throws IOException {
        assertThat(body(this.transport.roundTrip(Request.get(url("/warm-up"))))).isEqualTo("/warm-up");
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
    }

    private static RequestBody oneShotPayload() {
        byte[] bytes = PAYLOAD.getBytes(StandardCharsets.UTF_8);
        return RequestBody.ofStream(new ByteArrayInputStream(bytes), bytes.length);
    }

    private String url(String path) {
        return this.server.url(path);
    }

    private static String body(Response response) throws IOException {
        try (response) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
