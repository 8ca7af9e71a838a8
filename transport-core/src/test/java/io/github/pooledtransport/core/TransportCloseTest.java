package io.github.pooledtransport.core;

import static io.github.pooledtransport.core.PoolTestSupport.awaitUntil;
import static io.github.pooledtransport.core.PoolTestSupport.fetch;
import static io.github.pooledtransport.core.PoolTestSupport.get;
import static io.github.pooledtransport.core.PoolTestSupport.okServer;
import static io.github.pooledtransport.core.PoolTestSupport.takeRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code closeIdleConnections()} closes what is idle; {@code close()} also retires active connections as
 * they are released and fails waiting and later requests.
 */
class TransportCloseTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    private MockWebServer server;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server = okServer();
        this.transport = new Transport(TransportConfig.defaults());
    }

    @AfterEach
    void stop() {
        try {
            this.transport.engine().pool().checkInvariants();
        }
        finally {
            this.transport.close();
            this.threads.shutdownNow();
            this.server.close();
        }
    }

    @Test
    void closeIdleConnectionsReturnsHowManyItClosedAndCountsThemAsIdleClosed() throws Exception {
        idleConnections(3);

        int closed = this.transport.closeIdleConnections();

        assertThat(closed).isEqualTo(3);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.idle()).isZero();
        assertThat(totals.closed(CloseReason.IDLE_CLOSED)).isEqualTo(3);
        assertThat(totals.closed(CloseReason.TRANSPORT_CLOSED)).isZero();
        assertThat(totals.closedTotal()).isEqualTo(3);
        assertThat(this.transport.stats().closed()).isFalse();
    }

    @Test
    void closeIdleConnectionsLeavesActiveConnectionsInUseAndReusable() throws Exception {
        Response active = this.transport.roundTrip(get(this.server, "/active"));
        idleConnections(2);

        assertThat(this.transport.closeIdleConnections()).isEqualTo(2);
        assertThat(this.transport.stats().totals().active()).isEqualTo(1);
        active.close();

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.idle()).isEqualTo(1);
        assertThat(totals.closed(CloseReason.IDLE_CLOSED)).isEqualTo(2);
    }

    @Test
    void theTransportStillServesRequestsAfterCloseIdleConnections() throws Exception {
        fetch(this.transport, this.server, "/before");
        this.transport.closeIdleConnections();

        fetch(this.transport, this.server, "/after");

        Map<String, RecordedRequest> requests = takeRequests(this.server, 2);
        assertThat(requests.get("/after").getConnectionIndex())
                .isNotEqualTo(requests.get("/before").getConnectionIndex());
        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
    }

    @Test
    void closeClosesIdleConnectionsAtOnce() throws Exception {
        idleConnections(2);

        this.transport.close();

        TransportStats stats = this.transport.stats();
        assertThat(stats.closed()).isTrue();
        assertThat(stats.totals().idle()).isZero();
        assertThat(stats.totals().closed(CloseReason.TRANSPORT_CLOSED)).isEqualTo(2);
    }

    @Test
    void anActiveConnectionIsClosedNotReusedWhenItsResponseIsClosedAfterTransportClose() throws Exception {
        Response active = this.transport.roundTrip(get(this.server, "/active"));
        this.transport.close();
        assertThat(this.transport.stats().totals().active()).isEqualTo(1);
        assertThat(this.transport.stats().totals().closedTotal()).isZero();

        assertThat(new String(active.body().readAllBytes())).isEqualTo("ok"); // still readable
        active.close();

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.active()).isZero();
        assertThat(totals.idle()).isZero();
        assertThat(totals.closed(CloseReason.TRANSPORT_CLOSED)).isEqualTo(1);
    }

    @Test
    void requestsAfterCloseFailWithTransportClosedException() throws Exception {
        this.transport.close();

        assertThatThrownBy(() -> this.transport.roundTrip(get(this.server, "/late")))
                .isInstanceOf(TransportClosedException.class)
                .hasMessageContaining("transport closed");
        assertThat(this.server.getRequestCount()).isZero();
        assertThat(this.transport.stats().totals().opened()).isZero();
    }

    @Test
    void requestsWaitingForAConnectionFailWithTransportClosedExceptionOnClose() throws Exception {
        this.transport.close();
        this.transport = new Transport(TransportConfig.builder().maxConnsPerHost(1).build());
        Response holder = this.transport.roundTrip(get(this.server, "/holder"));
        Future<Response> waiter = this.threads.submit(() -> this.transport.roundTrip(get(this.server, "/waiter")));
        awaitUntil("the request waits", () -> this.transport.stats().totals().waiting() == 1);

        this.transport.close();

        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(TransportClosedException.class)
                .hasMessageContaining("transport closed");
        assertThat(this.transport.stats().totals().waiting()).isZero();
        holder.close();
        assertThat(this.transport.stats().totals().closed(CloseReason.TRANSPORT_CLOSED)).isEqualTo(1);
        assertThat(this.server.getRequestCount()).isEqualTo(1);
    }

    /** Leaves {@code n} idle connections to the server (opened concurrently, then all released). */
    private void idleConnections(int n) throws Exception {
        Response[] responses = new Response[n];
        for (int i = 0; i < n; i++) {
            responses[i] = this.transport.roundTrip(get(this.server, "/idle" + i));
        }
        for (Response response : responses) {
            response.close();
        }
    }
}
