package io.github.pooledtransport.core.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * A thousand virtual threads share one HTTP/2 connection (Jetty 12.1, h2c, 100 streams at once): they park on the
 * stream conditions, the connection's reader and writer run on virtual threads too, and every caller gets exactly
 * its own body. Java 21+ only (CI runs the suite on JDK 25 as well).
 */
@EnabledForJreRange(min = JRE.JAVA_21)
@Timeout(120)
class H2VirtualThreadsTest {

    private static final int CALLERS = 1_000;

    private final TestHandler handler = new TestHandler();

    private JettyH2Server server;

    private Transport transport;

    @AfterEach
    void stop() throws Exception {
        if (this.transport != null) {
            H2MultiplexingTest.engine(this.transport).pool().checkInvariants();
            this.transport.close();
        }
        if (this.server != null) {
            this.server.close();
        }
    }

    @Test
    void thousandVirtualThreadsShareOneConnectionAndEachGetsItsOwnBody() throws Exception {
        this.server = new JettyH2Server(this.handler, 100);
        this.transport = new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C))
                .readTimeout(Duration.ofSeconds(60)).maxConnsPerHost(1).acquireTimeout(Duration.ofSeconds(60))
                .build());
        // Called reflectively: the code is compiled for Java 17.
        ExecutorService executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
                .invoke(null);
        List<Future<Boolean>> results = new ArrayList<>();
        try {
            for (int i = 0; i < CALLERS; i++) {
                int seed = i;
                results.add(executor.submit(() -> {
                    try (Response response = this.transport.roundTrip(
                            Request.get(this.server.url("/bytes?n=" + (1000 + seed) + "&seed=" + seed)))) {
                        return java.util.Arrays.equals(response.body().readAllBytes(),
                                TestHandler.bytes(1000 + seed, seed));
                    }
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
            }
        }
        finally {
            executor.shutdownNow();
        }
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
        assertThat(this.server.connections()).isEqualTo(1);
    }
}
