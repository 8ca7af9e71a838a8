package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * One thousand virtual threads share a transport whose host cap makes most of them wait in line: waiting
 * parks virtual threads on the pool's lock conditions and must neither deadlock nor lose a connection.
 * Runs on Java 21+ only (CI runs the suite on JDK 25 as well).
 */
@EnabledForJreRange(min = JRE.JAVA_21)
class VirtualThreadsTest {

    private static final int TASKS = 1_000;

    private final MockWebServer server = new MockWebServer();

    private Transport transport;

    @AfterEach
    void stop() {
        if (this.transport != null) {
            this.transport.close();
        }
        this.server.close();
    }

    @Test
    void thousandVirtualThreadsQueueForFiftyConnectionsAndAllComplete() throws Exception {
        this.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("vt").build();
            }
        });
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        this.transport = new Transport(TransportConfig.builder().maxConnsPerHost(50)
                .acquireTimeout(Duration.ofSeconds(60)).build());
        String url = "http://127.0.0.1:" + this.server.getPort() + "/";

        // Called reflectively: the code is compiled for Java 17.
        ExecutorService executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
                .invoke(null);
        List<Future<String>> results = new ArrayList<>();
        try {
            for (int i = 0; i < TASKS; i++) {
                results.add(executor.submit(() -> {
                    try (Response response = this.transport.roundTrip(Request.get(url))) {
                        return new String(response.body().readAllBytes());
                    }
                }));
            }
            for (Future<String> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo("vt");
            }
        }
        finally {
            executor.shutdownNow();
        }

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.requests()).isEqualTo(TASKS);
        assertThat(totals.opened()).isLessThanOrEqualTo(50);
        assertThat(totals.peakActive()).isLessThanOrEqualTo(50);
        assertThat(totals.active()).isZero();
        assertThat(totals.waiting()).isZero();
        this.transport.engine().pool().checkInvariants();
    }
}
