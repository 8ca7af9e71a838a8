package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.ScriptedHttpServer.Action;

/**
 * Steady state opens nothing: once 256 callers have each had a connection at the same time, they keep reusing
 * the pool's 256 connections, as Go's tuned transport does (the benchmark's steady cell against nginx opens 0).
 * Between its requests a caller holds no connection, so one is always idle when it asks.
 */
@Timeout(60)
class SteadyStateTest {

    private static final int CALLERS = 256;

    private static final int REQUESTS_PER_CALLER = 20;

    @Test
    void callersThatAllHadAConnectionOpenNoMoreAfterTheFirstRound() throws Exception {
        CountDownLatch firstRound = new CountDownLatch(CALLERS);
        try (ScriptedHttpServer server = ScriptedHttpServer.start();
                Transport transport = new Transport(TransportConfig.builder().readTimeout(Duration.ofSeconds(20))
                        .build())) {
            // The first round is answered only once every caller is in it: 256 connections, all at once.
            server.script(request -> {
                if (request.target().startsWith("/first")) {
                    firstRound.countDown();
                    try {
                        firstRound.await(20, TimeUnit.SECONDS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Action.RESPOND;
            });
            ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
            try {
                run(callers, transport, server, "/first", 1);
                PoolStats afterFirstRound = transport.stats().totals();
                assertThat(afterFirstRound.opened()).isEqualTo(CALLERS);

                run(callers, transport, server, "/steady", REQUESTS_PER_CALLER);

                PoolStats totals = transport.stats().totals();
                assertThat(totals.opened()).as("connections opened after the first round").isEqualTo(CALLERS);
                assertThat(totals.closedTotal()).isZero();
                assertThat(totals.reused()).isEqualTo((long) CALLERS * REQUESTS_PER_CALLER);
                assertThat(server.acceptedConnections()).isEqualTo(CALLERS);
            }
            finally {
                callers.shutdownNow();
            }
        }
    }

    private static void run(ExecutorService callers, Transport transport, ScriptedHttpServer server, String path,
            int requests) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < CALLERS; c++) {
            int caller = c;
            done.add(callers.submit(() -> {
                for (int i = 0; i < requests; i++) {
                    String target = path + "/" + caller + "/" + i;
                    try (Response response = transport.roundTrip(Request.get(server.url(target)))) {
                        assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                                .isEqualTo(target);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(40, TimeUnit.SECONDS);
        }
    }
}
