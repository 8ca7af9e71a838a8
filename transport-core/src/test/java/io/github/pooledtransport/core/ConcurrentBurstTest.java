package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With the default settings, a burst of concurrent requests to one host keeps every connection it opened:
 * nothing is closed for the idle cap, and the next burst of the same size opens nothing.
 */
class ConcurrentBurstTest {

    private static final int BURST = 200;

    private final ExecutorService clients = Executors.newFixedThreadPool(BURST);

    private LoopbackHttpServer server;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server = new LoopbackHttpServer(1024);
        this.transport = new Transport(TransportConfig.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        try {
            this.transport.engine().pool().checkInvariants();
        }
        finally {
            this.transport.close();
            this.clients.shutdownNow();
            this.server.close();
        }
    }

    @Test
    void aBurstOf200ConcurrentRequestsKeepsEveryConnectionItOpenedIdle() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> burst("/first"));

        PoolStats totals = this.transport.stats().totals();
        assertThat(this.server.connectionCount()).isEqualTo(BURST);
        assertThat(totals.opened()).isEqualTo(BURST);
        assertThat(totals.idle()).isEqualTo(BURST);
        assertThat(totals.active()).isZero();
        assertThat(totals.closed(CloseReason.IDLE_PER_HOST_CAP)).isZero();
        assertThat(totals.closedTotal()).isZero();
    }

    @Test
    void aSecondBurstOfTheSameSizeOpensNoConnection() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            burst("/first");
            burst("/second");
        });

        PoolStats totals = this.transport.stats().totals();
        assertThat(this.server.connectionCount()).isEqualTo(BURST);
        assertThat(this.server.requestCount()).isEqualTo(2 * BURST);
        assertThat(totals.opened()).isEqualTo(BURST);
        assertThat(totals.reused()).isEqualTo(BURST);
        assertThat(totals.idle()).isEqualTo(BURST);
        assertThat(totals.closedTotal()).isZero();
    }

    /**
     * Sends {@link #BURST} requests at once; the server holds every response until all of them arrived, so
     * they are truly concurrent and need {@link #BURST} connections.
     */
    private void burst(String path) throws Exception {
        CountDownLatch allArrived = new CountDownLatch(BURST);
        this.server.hook(index -> {
            allArrived.countDown();
            allArrived.await(20, TimeUnit.SECONDS);
        });
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            results.add(this.clients.submit(() -> {
                go.await();
                try (Response response = this.transport.roundTrip(Request.get(this.server.url(path)))) {
                    return new String(response.body().readAllBytes());
                }
            }));
        }
        go.countDown();
        for (Future<String> result : results) {
            assertThat(result.get(25, TimeUnit.SECONDS)).isEqualTo("ok");
        }
    }
}
