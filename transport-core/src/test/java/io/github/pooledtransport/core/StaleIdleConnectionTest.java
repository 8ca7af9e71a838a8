package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A kept-alive connection that the server closed while it sat idle in the pool: the next request must still be
 * served, either because the liveness check at acquire discards the dead connection, or because a replayable
 * request is replayed once on a fresh connection. A non-replayable request is always checked first.
 */
@Timeout(20)
class StaleIdleConnectionTest {

    private ScriptedHttpServer server;

    private Transport transport;

    private final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void startServer() throws IOException {
        // The server answers once per connection, then closes the socket: the pooled connection goes stale.
        this.server = ScriptedHttpServer.start().closeAfterResponses(1);
    }

    @AfterEach
    void stop() {
        if (this.transport != null) {
            this.transport.close();
        }
        this.server.close();
    }

    @Test
    void deadIdleConnectionIsDiscardedAtAcquireWhenTheStaleCheckRuns() throws Exception {
        this.transport = transport(Duration.ZERO);
        pooledConnectionThenServerClosesIt();

        assertThat(body(this.transport.roundTrip(Request.get(this.server.url("/second"))))).isEqualTo("/second");

        assertThat(this.server.acceptedConnections()).isEqualTo(2);
        assertThat(this.server.timesReceived("GET", "/second")).isEqualTo(1);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(totals.requests()).isEqualTo(2);
        assertThat(totals.closed(CloseReason.SERVER_CLOSED)).isEqualTo(1);
        assertThat(totals.closed(CloseReason.ERROR)).isZero();
        // The dead connection was never handed to the request: one gotConn, for a new connection.
        assertThat(this.listener.gotConns).singleElement().satisfies(info -> assertThat(info.reused()).isFalse());
    }

    @Test
    void deadIdleConnectionDiscardedAtAcquireIsNotCountedAsReused() throws Exception {
        this.transport = transport(Duration.ZERO);
        pooledConnectionThenServerClosesIt();

        body(this.transport.roundTrip(Request.get(this.server.url("/second"))));

        assertThat(this.transport.stats().totals().reused()).isZero();
    }

    @Test
    void getOnADeadIdleConnectionIsReplayedOnAFreshConnectionWhenTheStaleCheckIsSkipped() throws Exception {
        this.transport = transport(Duration.ofHours(1));
        pooledConnectionThenServerClosesIt();

        assertThat(body(this.transport.roundTrip(Request.get(this.server.url("/second"))))).isEqualTo("/second");

        // The replay path ran: first the dead reused connection, then a new one.
        assertThat(this.listener.gotConns).extracting(ConnectionInfo::reused).containsExactly(true, false);
        assertThat(this.server.acceptedConnections()).isEqualTo(2);
        assertThat(this.server.requests()).filteredOn(r -> r.target().equals("/second"))
                .singleElement().satisfies(r -> assertThat(r.connection()).isEqualTo(2));
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(totals.requests()).isEqualTo(2);
        assertThat(totals.closed(CloseReason.SERVER_CLOSED)).isEqualTo(1);
        assertThat(totals.idle()).isEqualTo(1);
        assertThat(totals.active()).isZero();
    }

    @Test
    void getReplayedOnAFreshConnectionIsNotCountedAsReused() throws Exception {
        this.transport = transport(Duration.ofHours(1));
        pooledConnectionThenServerClosesIt();

        body(this.transport.roundTrip(Request.get(this.server.url("/second"))));

        // PoolStats.reused: "requests served on a connection that had served one before". /second was served
        // on a brand-new connection, as when the stale check discards the dead one.
        assertThat(this.listener.gotConns).extracting(ConnectionInfo::reused).containsExactly(true, false);
        assertThat(this.transport.stats().totals().reused()).isZero();
    }

    @Test
    void postOnAConnectionTheServerClosedIsCheckedAndSentOnceOnAFreshConnection() throws Exception {
        // Default staleCheckAfterIdle (1 s) is far above the idle time here: only the POST rule triggers the check.
        this.transport = new Transport(TransportConfig.builder().readTimeout(Duration.ofSeconds(5))
                .listener(this.listener).build());
        pooledConnectionThenServerClosesIt();

        Request post = Request.newBuilder(java.net.URI.create(this.server.url("/submit")))
                .post(RequestBody.of("payload", StandardCharsets.UTF_8)).build();
        assertThat(body(this.transport.roundTrip(post))).isEqualTo("/submit");

        assertThat(this.server.timesReceived("POST", "/submit")).isEqualTo(1);
        assertThat(this.server.requests()).filteredOn(r -> r.method().equals("POST")).singleElement()
                .satisfies(r -> {
                    assertThat(r.connection()).isEqualTo(2);
                    assertThat(r.bodyText()).isEqualTo("payload");
                });
        assertThat(this.listener.gotConns).singleElement().satisfies(info -> assertThat(info.reused()).isFalse());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(totals.closed(CloseReason.SERVER_CLOSED)).isEqualTo(1);
        assertThat(totals.reused()).isZero();
    }

    /** GET /first on a new connection, which goes idle; the server then closes it. Clears the listener. */
    private void pooledConnectionThenServerClosesIt() throws Exception {
        assertThat(body(this.transport.roundTrip(Request.get(this.server.url("/first"))))).isEqualTo("/first");
        this.server.awaitConnectionEnded(1);
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
        this.listener.clear();
    }

    private Transport transport(Duration staleCheckAfterIdle) {
        return new Transport(TransportConfig.builder().staleCheckAfterIdle(staleCheckAfterIdle)
                .readTimeout(Duration.ofSeconds(5)).listener(this.listener).build());
    }

    private static String body(Response response) throws IOException {
        try (response) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
