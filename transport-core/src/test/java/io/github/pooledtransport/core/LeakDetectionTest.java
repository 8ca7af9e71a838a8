package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A response that is never closed and becomes unreachable is found by the garbage collector: logged once,
 * counted as leaked, and its connection closed so that its {@code maxConnsPerHost} slot is free again.
 */
class LeakDetectionTest {

    private static final String LEAK_TRACKER_LOGGER = "io.github.pooledtransport.core.internal.LeakTracker";

    private static final long GC_WAIT_NANOS = Duration.ofSeconds(5).toNanos();

    private final MockWebServer server = new MockWebServer();

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private final Logger leakLogger = (Logger) LoggerFactory.getLogger(LEAK_TRACKER_LOGGER);

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        this.logs.start();
        this.leakLogger.addAppender(this.logs);
    }

    @AfterEach
    void stop() {
        this.leakLogger.detachAppender(this.logs);
        if (this.transport != null) {
            this.transport.close();
        }
        this.server.close();
    }

    @Test
    void unclosedUnreachableResponseIsCountedAsLeaked() throws Exception {
        this.transport = singleConnectionTransport(LeakDetection.ON);
        this.server.enqueue(new MockResponse.Builder().body("never read").build());

        leakOneResponse("/leaked");
        awaitLeakDetected();

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.leaked()).isEqualTo(1);
        assertThat(totals.closed(CloseReason.LEAKED)).isEqualTo(1);
        assertThat(totals.active()).isZero();
        assertThat(totals.idle()).isZero();
    }

    @Test
    void leakIsLoggedOnceAtWarnWithTheRequestLine() throws Exception {
        this.transport = singleConnectionTransport(LeakDetection.ON);
        this.server.enqueue(new MockResponse.Builder().body("never read").build());

        leakOneResponse("/leaked?id=7");
        awaitLeakDetected();

        List<ILoggingEvent> warnings = this.logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains("GET " + url("/leaked?id=7"));
        assertThat(warnings.get(0).getThrowableProxy()).isNull();
    }

    @Test
    void leakedResponseFreesItsMaxConnsPerHostSlotForTheNextRequest() throws Exception {
        this.transport = singleConnectionTransport(LeakDetection.ON);
        this.server.enqueue(new MockResponse.Builder().body("never read").build());
        this.server.enqueue(new MockResponse.Builder().body("after the leak").build());

        leakOneResponse("/leaked");
        awaitLeakDetected();

        // With the slot still held, this would fail with AcquireTimeoutException after acquireTimeout.
        try (Response next = this.transport.roundTrip(Request.get(url("/next")))) {
            assertThat(next.body().readAllBytes()).asString().isEqualTo("after the leak");
        }
        assertThat(this.server.takeRequest().getConnectionIndex())
                .isNotEqualTo(this.server.takeRequest().getConnectionIndex());
        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
    }

    @Test
    void requestWaitingForTheLeakedSlotIsServedOnceTheLeakIsDetected() throws Exception {
        this.transport = singleConnectionTransport(LeakDetection.ON);
        this.server.enqueue(new MockResponse.Builder().body("never read").build());
        this.server.enqueue(new MockResponse.Builder().body("served").build());

        leakOneResponse("/leaked");
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try (Response response = this.transport.roundTrip(Request.get(url("/waiting")))) {
                return new String(response.body().readAllBytes());
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

        assertThat(waiting.get()).isEqualTo("served");
        assertThat(this.transport.stats().totals().leaked()).isEqualTo(1);
    }

    @Test
    void leakWarningCarriesWhereTheResponseWasObtainedWhenStackTracesAreOn() throws Exception {
        this.transport = singleConnectionTransport(LeakDetection.WITH_STACK_TRACES);
        this.server.enqueue(new MockResponse.Builder().body("never read").build());

        leakOneResponse("/leaked");
        awaitLeakDetected();

        List<ILoggingEvent> warnings = this.logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains("GET " + url("/leaked"));
        assertThat(warnings.get(0).getThrowableProxy()).isNotNull();
        assertThat(warnings.get(0).getThrowableProxy().getStackTraceElementProxyArray())
                .anySatisfy(frame -> assertThat(frame.getSTEAsString()).contains("leakOneResponse"));
    }

    @Test
    void closedResponseIsNeverReportedAsLeaked() throws Exception {
        this.transport = singleConnectionTransport(LeakDetection.ON);
        this.server.enqueue(new MockResponse.Builder().body("closed").build());
        this.server.enqueue(new MockResponse.Builder().body("never read").build());

        closeOneResponse("/closed");
        leakOneResponse("/leaked");
        awaitLeakDetected();

        assertThat(this.transport.stats().totals().leaked()).isEqualTo(1);
        assertThat(this.logs.list).hasSize(1);
        assertThat(this.logs.list.get(0).getFormattedMessage()).contains("/leaked").doesNotContain("/closed");
    }

    @Test
    void bodyReadToTheEndButNeverClosedIsNotALeak() throws Exception {
        this.transport = singleConnectionTransport(LeakDetection.ON);
        this.server.enqueue(new MockResponse.Builder().body("read to the end").build());
        this.server.enqueue(new MockResponse.Builder().body("never read").build());

        WeakReference<ResponseBody> readToTheEnd = readToTheEndWithoutClosing("/read");
        leakOneResponse("/leaked");
        awaitLeakDetected();
        awaitCollected(readToTheEnd);

        assertThat(this.transport.stats().totals().leaked()).isEqualTo(1);
        assertThat(this.transport.stats().totals().reused()).isEqualTo(1);
        assertThat(this.logs.list).hasSize(1);
        assertThat(this.logs.list.get(0).getFormattedMessage()).contains("/leaked").doesNotContain("/read");
    }

    private Transport singleConnectionTransport(LeakDetection mode) {
        return new Transport(TransportConfig.builder()
                .leakDetection(mode)
                .maxConnsPerHost(1)
                .acquireTimeout(Duration.ofSeconds(10))
                .build());
    }

    /** Obtains a response and drops it unclosed; kept in its own frame so nothing on the stack holds it. */
    private void leakOneResponse(String path) throws Exception {
        Response response = this.transport.roundTrip(Request.get(url(path)));
        assertThat(response.status()).isEqualTo(200);
    }

    private void closeOneResponse(String path) throws Exception {
        Response response = this.transport.roundTrip(Request.get(url(path)));
        response.close();
    }

    private WeakReference<ResponseBody> readToTheEndWithoutClosing(String path) throws Exception {
        Response response = this.transport.roundTrip(Request.get(url(path)));
        assertThat(response.body().readAllBytes()).isNotEmpty();
        return new WeakReference<>(response.body());
    }

    private static void awaitCollected(WeakReference<?> reference) throws InterruptedException {
        long deadline = System.nanoTime() + GC_WAIT_NANOS;
        while (reference.get() != null) {
            assertThat(System.nanoTime() - deadline).as("collected within 5 s").isNegative();
            System.gc();
            Thread.sleep(20);
        }
        Thread.sleep(50); // lets the cleaner thread run anything the collection enqueued
    }

    private void awaitLeakDetected() throws InterruptedException {
        long deadline = System.nanoTime() + GC_WAIT_NANOS;
        while (this.transport.stats().totals().leaked() == 0 || this.logs.list.isEmpty()) {
            assertThat(System.nanoTime() - deadline).as("leak detected within 5 s").isNegative();
            System.gc();
            Thread.sleep(20);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + this.server.getPort() + path;
    }
}
