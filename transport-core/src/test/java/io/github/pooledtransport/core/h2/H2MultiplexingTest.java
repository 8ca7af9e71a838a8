package io.github.pooledtransport.core.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.internal.TransportEngine;

/**
 * Many requests on one HTTP/2 connection (Jetty 12.1, h2c): a burst of callers shares a single connection up to
 * the server's SETTINGS_MAX_CONCURRENT_STREAMS, each caller gets exactly its own body, a stream ended early or
 * read slowly leaves the others going, and beyond the server's limit the pool opens another connection.
 */
@Timeout(60)
class H2MultiplexingTest {

    private static final int CALLERS = 200;

    private final TestHandler handler = new TestHandler();

    private JettyH2Server server;

    private Transport transport;

    private ExecutorService callers;

    private void start(int maxConcurrentStreams) throws Exception {
        start(maxConcurrentStreams, false, Duration.ofSeconds(30));
    }

    private void start(int maxConcurrentStreams, boolean strict, Duration acquireTimeout) throws Exception {
        this.server = new JettyH2Server(this.handler, maxConcurrentStreams);
        this.transport = new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C))
                .strictMaxConcurrentStreams(strict).acquireTimeout(acquireTimeout)
                .readTimeout(Duration.ofSeconds(20)).build());
        this.callers = Executors.newFixedThreadPool(CALLERS);
    }

    @Test
    void strictHostWaitsForAFreeStreamInsteadOfOpeningAnotherConnection() throws Exception {
        start(2, true, Duration.ofSeconds(30));
        List<Future<Boolean>> results = burst(50, i -> "/bytes?n=100000&seed=" + i);
        for (int i = 0; i < 50; i++) {
            assertThat(results.get(i).get(30, TimeUnit.SECONDS)).as("caller %d got its own body", i).isTrue();
        }
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
    }

    @Test
    void strictHostTimesOutARequestThatFindsNoFreeStream() throws Exception {
        start(1, true, Duration.ofMillis(300));
        try (Response stalled = this.transport.roundTrip(Request.get(this.server.url("/stall")))) {
            assertThat(stalled.body().readNBytes(5)).hasSize(5);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> this.transport.roundTrip(Request.get(this.server.url("/bytes?n=10&seed=1"))))
                    .isInstanceOf(io.github.pooledtransport.core.AcquireTimeoutException.class)
                    .hasMessageContaining("waiting for a stream").hasMessageContaining("strictMaxConcurrentStreams=true")
                    .hasMessageNotContaining("Raise maxConnsPerHost")
                    .extracting(ex -> ((io.github.pooledtransport.core.TransportException) ex).setting())
                    .isEqualTo("strictMaxConcurrentStreams");
            this.handler.release.countDown();
            assertThat(stalled.body().readAllBytes()).hasSize(5);
        }
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
        assertThat(this.transport.stats().totals().streamWaits()).as("requests that waited for a stream").isEqualTo(1);
        assertThat(this.transport.stats().totals().streamWaitTimeouts()).isEqualTo(1);
        assertThat(this.transport.stats().totals().acquireTimeouts()).as("not a wait at maxConnsPerHost").isZero();
    }

    @AfterEach
    void stop() throws Exception {
        this.handler.release.countDown();
        if (this.callers != null) {
            this.callers.shutdownNow();
        }
        if (this.transport != null) {
            engine(this.transport).pool().checkInvariants();
            this.transport.close();
        }
        if (this.server != null) {
            this.server.close();
        }
    }

    @Test
    void burstOfCallersSharesOneConnectionAndEachGetsItsOwnBody() throws Exception {
        start(256);
        List<Future<Boolean>> results = burst(CALLERS, i -> "/bytes?n=" + (20_000 + i) + "&seed=" + i);
        for (int i = 0; i < CALLERS; i++) {
            assertThat(results.get(i).get(30, TimeUnit.SECONDS)).as("caller %d got its own body", i).isTrue();
        }
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(this.server.connections()).isEqualTo(1);
        assertThat(totals.requests()).isEqualTo(CALLERS);
        assertThat(totals.idle()).isEqualTo(1);
        assertThat(totals.active()).isZero();
    }

    @Test
    void beyondTheServersStreamLimitAnotherConnectionOpens() throws Exception {
        start(10);
        List<Future<Boolean>> results = burst(50, i -> "/bytes?n=300000&seed=" + i);
        for (int i = 0; i < 50; i++) {
            assertThat(results.get(i).get(30, TimeUnit.SECONDS)).as("caller %d got its own body", i).isTrue();
        }
        // At most 10 streams each: 50 callers at once need several connections; never one per caller.
        assertThat(this.transport.stats().totals().opened()).isBetween(2L, 10L);
        assertThat(this.transport.stats().totals().streamWaits()).as("not strict: nobody waits for a stream").isZero();
    }

    @Test
    void streamClosedEarlyAndStreamReadSlowlyLeaveTheOthersGoing() throws Exception {
        start(256);
        // A stalled stream, never read past its first bytes, and another one abandoned halfway.
        Response stalled = this.transport.roundTrip(Request.get(this.server.url("/stall")));
        assertThat(stalled.body().readNBytes(5)).hasSize(5);
        assertThat(this.transport.stats().totals().streams()).as("streams in flight").isEqualTo(1);
        assertThat(this.transport.stats().totals().multiplexed()).as("HTTP/2 connections").isEqualTo(1);
        try (Response abandoned = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=3000000&seed=9")))) {
            assertThat(abandoned.body().readNBytes(100_000)).hasSize(100_000);
        }
        List<Future<Boolean>> results = burst(50, i -> "/bytes?n=100000&seed=" + i);
        for (int i = 0; i < 50; i++) {
            assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isTrue();
        }
        this.handler.release.countDown();
        assertThat(stalled.body().readAllBytes()).hasSize(5);
        stalled.close();
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
        assertThat(this.transport.stats().totals().closedTotal()).isZero();
    }

    @Test
    void anInterruptedCallerEndsOnlyItsOwnStream() throws Exception {
        start(256);
        Response other = this.transport.roundTrip(Request.get(this.server.url("/stall")));
        assertThat(other.body().readNBytes(5)).hasSize(5);
        java.util.concurrent.CompletableFuture<Throwable> interrupted = new java.util.concurrent.CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try (Response mine = this.transport.roundTrip(Request.get(this.server.url("/stall")))) {
                mine.body().readNBytes(5);
                mine.body().read(); // blocks: the server stalls
                interrupted.complete(null);
            }
            catch (Throwable ex) {
                interrupted.complete(ex);
            }
        });
        caller.start();
        PoolTestSupportH2.awaitStreams(this.transport, 2);
        caller.interrupt(); // its stream ends, and the reset it sends must not close the shared connection
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isInstanceOf(java.io.IOException.class);
        this.handler.release.countDown();
        assertThat(other.body().readAllBytes()).hasSize(5); // the other stream goes on to its end
        other.close();
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
        assertThat(this.transport.stats().totals().closedTotal()).isZero();
    }

    /** Runs callers together; each result says whether the caller read exactly the bytes of its own request. */
    private List<Future<Boolean>> burst(int count, java.util.function.IntFunction<String> path)
            throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int caller = i;
            results.add(this.callers.submit(() -> {
                go.await();
                String p = path.apply(caller);
                int n = Integer.parseInt(p.substring(p.indexOf("n=") + 2, p.indexOf('&')));
                long seed = Long.parseLong(p.substring(p.indexOf("seed=") + 5));
                try (Response response = this.transport.roundTrip(Request.get(this.server.url(p)))) {
                    return java.util.Arrays.equals(response.body().readAllBytes(), TestHandler.bytes(n, seed))
                            && response.protocol().equals("HTTP/2.0");
                }
            }));
        }
        go.countDown();
        return results;
    }

    static TransportEngine engine(Transport transport) throws ReflectiveOperationException {
        Method engine = Transport.class.getDeclaredMethod("engine");
        engine.setAccessible(true);
        return (TransportEngine) engine.invoke(transport);
    }
}
