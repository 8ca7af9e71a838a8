package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 200 threads share one transport across four hosts with different caps, and bodies are read fully, closed
 * early (drained) or abandoned beyond the drain allowance. Afterwards every count must add up and nothing
 * may be left active.
 */
class ConcurrencyStressTest {

    private static final int THREADS = 200;

    private static final int REQUESTS_PER_THREAD = 15;

    private static final byte[] BIG = new byte[512 * 1024];

    private final List<MockWebServer> servers = new ArrayList<>();

    private Transport transport;

    @AfterEach
    void stop() {
        if (this.transport != null) {
            this.transport.close();
        }
        this.servers.forEach(MockWebServer::close);
    }

    @Test
    void countsAddUpAndNothingStaysActiveAfterTwoHundredThreadsShareThePool() throws Exception {
        for (int i = 0; i < 4; i++) {
            MockWebServer server = new MockWebServer();
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    if (request.getTarget().startsWith("/big")) {
                        return new MockResponse.Builder().body(new okio.Buffer().write(BIG)).build();
                    }
                    return new MockResponse.Builder().body("ok:" + request.getTarget()).build();
                }
            });
            server.start(InetAddress.getLoopbackAddress(), 0);
            this.servers.add(server);
        }
        int cappedPort = this.servers.get(0).getPort();
        int smallIdlePort = this.servers.get(1).getPort();
        this.transport = new Transport(TransportConfig.builder()
                .hostOverrides("127.0.0.1:" + cappedPort, new HostOverrides(null, 20, null, null))
                .hostOverrides("127.0.0.1:" + smallIdlePort, new HostOverrides(5, null, null, null))
                .acquireTimeout(Duration.ofSeconds(60))
                .build());

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger completed = new AtomicInteger();
        for (int t = 0; t < THREADS; t++) {
            long seed = t;
            pool.execute(() -> {
                Random random = new Random(seed);
                try {
                    start.await();
                    for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                        MockWebServer server = this.servers.get(random.nextInt(this.servers.size()));
                        exercise(server, random, "/t" + seed + "/" + i);
                        completed.incrementAndGet();
                    }
                }
                catch (Throwable ex) {
                    failures.add(ex);
                }
            });
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).as("finished in time").isTrue();

        assertThat(failures).isEmpty();
        assertThat(completed).hasValue(THREADS * REQUESTS_PER_THREAD);
        this.transport.engine().pool().checkInvariants();
        TransportStats stats = this.transport.stats();
        PoolStats totals = stats.totals();
        assertThat(totals.requests()).isEqualTo(THREADS * REQUESTS_PER_THREAD);
        assertThat(totals.active()).isZero();
        assertThat(totals.dialing()).isZero();
        assertThat(totals.waiting()).isZero();
        assertThat(totals.opened() - totals.closedTotal()).isEqualTo(totals.idle());
        assertThat(totals.opened() + totals.reused()).isGreaterThanOrEqualTo(totals.requests());
        HostStats capped = host(stats, cappedPort);
        assertThat(capped.stats().peakActive()).isLessThanOrEqualTo(20);
        assertThat(capped.stats().idle()).isLessThanOrEqualTo(20);
        assertThat(host(stats, smallIdlePort).stats().idle()).isLessThanOrEqualTo(5);
        assertThat(totals.closed(CloseReason.BODY_NOT_CONSUMED)).isPositive();
        int requestsSeenByServers = this.servers.stream().mapToInt(MockWebServer::getRequestCount).sum();
        assertThat(requestsSeenByServers).isEqualTo(THREADS * REQUESTS_PER_THREAD);
    }

    private void exercise(MockWebServer server, Random random, String path) throws IOException {
        int mode = random.nextInt(10);
        if (mode == 0) {
            try (Response response = this.transport.roundTrip(Request.get(url(server, "/big" + path)))) {
                response.body().read(new byte[16]); // abandoned beyond the drain allowance
            }
            return;
        }
        try (Response response = this.transport.roundTrip(Request.get(url(server, path)))) {
            if (mode == 1) {
                return; // closed without reading: a small remainder is drained
            }
            String body = new String(response.body().readAllBytes());
            if (!body.equals("ok:" + path)) {
                throw new AssertionError("Wrong body for " + path + ": " + body);
            }
        }
    }

    private static HostStats host(TransportStats stats, int port) {
        return stats.hosts().stream().filter(h -> h.key().port() == port).findFirst().orElseThrow();
    }

    private static String url(MockWebServer server, String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }
}
