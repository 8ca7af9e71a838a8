package io.github.pooledtransport.core.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.LeakDetection;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * An HTTP/2 response that is never closed and becomes unreachable is found by the garbage collector as on
 * HTTP/1.1, but costs only its stream: the stream is reset, the leak is counted and logged, and the connection
 * (which other requests share) goes on.
 */
@Timeout(60)
class H2LeakDetectionTest {

    private static final long GC_WAIT_NANOS = Duration.ofSeconds(5).toNanos();

    private final TestHandler handler = new TestHandler();

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private final Logger leakLogger = (Logger) LoggerFactory.getLogger(
            "io.github.pooledtransport.core.internal.LeakTracker");

    private JettyH2Server server;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.logs.start();
        this.leakLogger.addAppender(this.logs);
    }

    @AfterEach
    void stop() throws Exception {
        this.leakLogger.detachAppender(this.logs);
        this.handler.release.countDown();
        if (this.transport != null) {
            this.transport.close();
        }
        if (this.server != null) {
            this.server.close();
        }
    }

    @Test
    void leakedResponseIsCountedAsALeakedStreamAndItsConnectionServesTheNextRequest() throws Exception {
        this.server = new JettyH2Server(this.handler);
        this.transport = h2cTransport(0);

        leakOneResponse("/bytes?n=100000&seed=4");
        awaitLeakDetected();

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.leaked()).isEqualTo(1);
        assertThat(totals.leakedStreams()).isEqualTo(1);
        assertThat(totals.closed(CloseReason.LEAKED)).isZero();
        assertThat(totals.streams()).isZero();
        try (Response next = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=10&seed=5")))) {
            assertThat(next.body().readAllBytes()).isEqualTo(TestHandler.bytes(10, 5));
        }
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
        assertThat(this.server.connections()).isEqualTo(1);
    }

    @Test
    void leakWarningSaysTheStreamWasResetAndTheConnectionKept() throws Exception {
        this.server = new JettyH2Server(this.handler);
        this.transport = h2cTransport(0);

        leakOneResponse("/bytes?n=100&seed=6");
        awaitLeakDetected();

        List<ILoggingEvent> warnings = this.logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains("GET " + this.server.url("/bytes?n=100&seed=6"))
                .contains("HTTP/2 stream was reset").doesNotContain("connection was closed");
    }

    @Test
    void requestWaitingForTheLeakedStreamIsServedOnceTheLeakIsDetected() throws Exception {
        // One stream per connection and one connection per host: only the leaked stream's end lets the next in.
        this.server = new JettyH2Server(this.handler, 1);
        this.transport = h2cTransport(1);
        leakOneResponse("/bytes?n=100&seed=7");

        CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> {
            try (Response response = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=20&seed=8")))) {
                return response.body().readAllBytes();
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
        long deadline = System.nanoTime() + GC_WAIT_NANOS;
        while (!waiting.isDone()) {
            assertThat(System.nanoTime() - deadline).as("waiting request served within 5 s").isNegative();
            System.gc();
            Thread.sleep(20);
        }

        assertThat(waiting.get()).isEqualTo(TestHandler.bytes(20, 8));
        assertThat(this.transport.stats().totals().leakedStreams()).isEqualTo(1);
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
    }

    private Transport h2cTransport(int maxConnsPerHost) {
        return new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C))
                .leakDetection(LeakDetection.ON).maxConnsPerHost(maxConnsPerHost)
                .acquireTimeout(Duration.ofSeconds(10)).build());
    }

    /** Obtains a response and drops it unclosed; kept in its own frame so nothing on the stack holds it. */
    private void leakOneResponse(String path) throws Exception {
        Response response = this.transport.roundTrip(Request.get(this.server.url(path)));
        assertThat(response.status()).isEqualTo(200);
    }

    private void awaitLeakDetected() throws InterruptedException {
        long deadline = System.nanoTime() + GC_WAIT_NANOS;
        while (this.transport.stats().totals().leaked() == 0 || this.logs.list.isEmpty()) {
            assertThat(System.nanoTime() - deadline).as("leak detected within 5 s").isNegative();
            System.gc();
            Thread.sleep(20);
        }
    }
}
