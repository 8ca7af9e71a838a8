package io.github.pooledtransport.core;

import static io.github.pooledtransport.core.PoolTestSupport.awaitUntil;
import static io.github.pooledtransport.core.PoolTestSupport.get;
import static io.github.pooledtransport.core.PoolTestSupport.hostStats;
import static io.github.pooledtransport.core.PoolTestSupport.okServer;
import static io.github.pooledtransport.core.PoolTestSupport.takeInOrder;
import static io.github.pooledtransport.core.PoolTestSupport.takeRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * {@code maxConnsPerHost}: requests beyond the cap wait, first come first served, for a connection to be
 * released (which they then reuse) or closed (which lets them dial), for at most {@code acquireTimeout}.
 */
class MaxConnsPerHostTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    private MockWebServer server;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server = okServer();
        this.transport = new Transport(TransportConfig.builder().maxConnsPerHost(1).build());
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
    void aRequestBeyondTheCapWaitsUntilTheActiveResponseIsClosed() throws Exception {
        Response first = this.transport.roundTrip(get(this.server, "/first"));
        Future<Response> second = this.threads.submit(() -> this.transport.roundTrip(get(this.server, "/second")));
        awaitUntil("the second request waits", () -> this.transport.stats().totals().waiting() == 1);
        assertThat(second).isNotDone();
        assertThat(this.server.getRequestCount()).isEqualTo(1);

        first.close();

        second.get(5, TimeUnit.SECONDS).close();
        assertThat(this.transport.stats().totals().waiting()).isZero();
        assertThat(this.server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void theWaitingRequestGetsTheReleasedConnectionInsteadOfOpeningOne() throws Exception {
        Response first = this.transport.roundTrip(get(this.server, "/first"));
        Future<Response> second = this.threads.submit(() -> this.transport.roundTrip(get(this.server, "/second")));
        awaitUntil("the second request waits", () -> this.transport.stats().totals().waiting() == 1);

        first.close();
        second.get(5, TimeUnit.SECONDS).close();

        Map<String, RecordedRequest> requests = takeRequests(this.server, 2);
        assertThat(requests.get("/second").getConnectionIndex())
                .isEqualTo(requests.get("/first").getConnectionIndex());
        assertThat(requests.get("/second").getExchangeIndex()).isEqualTo(1);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(1);
    }

    @Test
    void aConnectionHandedToAWaiterIsCountedOnceAndGoesIdleWhenItsResponseIsClosed() throws Exception {
        Response first = this.transport.roundTrip(get(this.server, "/first"));
        Future<Response> second = this.threads.submit(() -> this.transport.roundTrip(get(this.server, "/second")));
        awaitUntil("the second request waits", () -> this.transport.stats().totals().waiting() == 1);

        first.close();
        Response handedOver = second.get(5, TimeUnit.SECONDS);
        HostStats whileInUse = hostStats(this.transport, this.server);
        handedOver.close();

        assertThat(whileInUse.stats().active()).isEqualTo(1);
        assertThat(whileInUse.stats().idle()).isZero();
        HostStats after = hostStats(this.transport, this.server);
        assertThat(after.stats().active()).isZero();
        assertThat(after.stats().idle()).isEqualTo(1);
        assertThat(after.stats().opened()).isEqualTo(1);
        assertThat(after.stats().closedTotal()).isZero();
    }

    @Test
    void aHostKeepsItsFullCapacityAfterAConnectionWasHandedToAWaiter() throws Exception {
        this.transport.close();
        this.transport = new Transport(
                TransportConfig.builder().maxConnsPerHost(1).acquireTimeout(Duration.ofMillis(200)).build());
        Response first = this.transport.roundTrip(get(this.server, "/first"));
        Future<Response> second = this.threads.submit(() -> this.transport.roundTrip(get(this.server, "/second")));
        awaitUntil("the second request waits", () -> this.transport.stats().totals().waiting() == 1);
        first.close();
        second.get(5, TimeUnit.SECONDS).close();
        this.transport.closeIdleConnections(); // the host now has no connection at all

        try (Response third = this.transport.roundTrip(get(this.server, "/third"))) {
            assertThat(third.status()).isEqualTo(200);
        }
        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
    }

    @Test
    void waitersAreServedFirstComeFirstServed() throws Exception {
        Response holder = this.transport.roundTrip(get(this.server, "/holder"));
        List<Integer> served = new CopyOnWriteArrayList<>();
        List<Future<?>> waiters = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            int id = i;
            waiters.add(this.threads.submit(() -> {
                try (Response response = this.transport.roundTrip(get(this.server, "/w" + id))) {
                    served.add(id); // before close: closing hands the connection to the next waiter
                }
                return null;
            }));
            awaitUntil("waiter " + id + " is queued", () -> this.transport.stats().totals().waiting() == id);
        }

        holder.close();
        for (Future<?> waiter : waiters) {
            waiter.get(5, TimeUnit.SECONDS);
        }

        assertThat(served).containsExactly(1, 2, 3, 4, 5);
        assertThat(takeInOrder(this.server, 6)).extracting(RecordedRequest::getTarget)
                .containsExactly("/holder", "/w1", "/w2", "/w3", "/w4", "/w5");
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
    }

    @Test
    void aConnectionClosedInsteadOfReleasedLetsTheFirstWaiterOpenANewOne() throws Exception {
        Response first = this.transport.roundTrip(
                Request.newBuilder(java.net.URI.create(PoolTestSupport.url(this.server, "/first")))
                        .header("Connection", "close").build());
        Future<Response> second = this.threads.submit(() -> this.transport.roundTrip(get(this.server, "/second")));
        awaitUntil("the second request waits", () -> this.transport.stats().totals().waiting() == 1);

        first.close(); // the connection cannot be reused: closed, freeing the slot

        second.get(5, TimeUnit.SECONDS).close();
        Map<String, RecordedRequest> requests = takeRequests(this.server, 2);
        assertThat(requests.get("/second").getConnectionIndex())
                .isNotEqualTo(requests.get("/first").getConnectionIndex());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(totals.closed(CloseReason.CONNECTION_CLOSE)).isEqualTo(1);
    }

    @Test
    void aWaiterGivesUpAfterAcquireTimeoutWithAnExceptionNamingHostLimitAndQueue() throws Exception {
        this.transport.close();
        this.transport = new Transport(
                TransportConfig.builder().maxConnsPerHost(1).acquireTimeout(Duration.ofMillis(100)).build());
        try (Response holder = this.transport.roundTrip(get(this.server, "/holder"))) {

            assertThatThrownBy(() -> this.transport.roundTrip(get(this.server, "/waiter")))
                    .isInstanceOfSatisfying(AcquireTimeoutException.class, ex -> {
                        assertThat(ex.limit()).isEqualTo(1);
                        assertThat(ex.active()).isEqualTo(1);
                        assertThat(ex.waiting()).isEqualTo(1);
                    })
                    .hasMessageContaining("127.0.0.1:" + this.server.getPort())
                    .hasMessageContaining("maxConnsPerHost=1")
                    .hasMessageContaining("1 active")
                    .hasMessageContaining("1 waiting");
        }
        assertThat(this.server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void aWaiterThatTimedOutLeavesTheQueueAndTheReleasedConnectionGoesIdle() throws Exception {
        this.transport.close();
        this.transport = new Transport(
                TransportConfig.builder().maxConnsPerHost(1).acquireTimeout(Duration.ofMillis(50)).build());
        Response holder = this.transport.roundTrip(get(this.server, "/holder"));
        assertThatThrownBy(() -> this.transport.roundTrip(get(this.server, "/waiter")))
                .isInstanceOf(AcquireTimeoutException.class);
        assertThat(this.transport.stats().totals().waiting()).isZero();

        holder.close();

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.idle()).isEqualTo(1);
        assertThat(totals.active()).isZero();
        assertThat(totals.reused()).isZero();
    }
}
