package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import io.github.pooledtransport.core.internal.TransportRegistry;

/**
 * Creating a transport per request is counted JVM-wide in {@link TransportStats#jvm()} and reported by one WARN.
 * The registry is global to the JVM, so these tests assert deltas, and the WARN, which is logged at most once per
 * JVM, is expected only if no earlier test in this JVM triggered it.
 */
@Timeout(20)
class TransportPerRequestDetectionTest {

    /**
     * Twice the registry's threshold of 10: even if its one-minute counting window, opened by an earlier test,
     * expires in the middle of this burst, one side of the restart still holds 10 short-lived transports.
     */
    private static final int BURST = 20;

    private final Logger registryLogger = (Logger) LoggerFactory.getLogger(TransportRegistry.class);

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private final List<Transport> transports = new ArrayList<>();

    /** Open for the whole test, only to read the JVM-wide counts through {@link Transport#stats()}. */
    private Transport probe;

    @BeforeEach
    void captureLogs() {
        this.probe = Transport.create();
        this.logs.start();
        this.registryLogger.addAppender(this.logs);
    }

    @AfterEach
    void stop() {
        this.registryLogger.detachAppender(this.logs);
        this.transports.forEach(Transport::close);
        this.probe.close();
    }

    @Test
    void transportsClosedSoonAfterCreationAreCountedAsShortLived() {
        JvmTransportStats before = jvm();

        createAndCloseTransports(BURST);

        JvmTransportStats after = jvm();
        // A transport some other test leaked may be collected meanwhile; it ends one more transport.
        long collected = after.discardedUnclosed() - before.discardedUnclosed();
        assertThat(after.created() - before.created()).isEqualTo(BURST);
        assertThat(after.open() - before.open()).isEqualTo(-collected);
        assertThat(after.shortLived() - before.shortLived()).isBetween((long) BURST, BURST + collected);
    }

    @Test
    void openTransportsAreCountedUntilClosed() {
        JvmTransportStats before = jvm();
        for (int i = 0; i < 3; i++) {
            this.transports.add(Transport.create());
        }

        assertThat(jvm().created() - before.created()).isEqualTo(3);
        assertThat(this.transports.get(0).stats().jvm().open() - before.open()).isEqualTo(3);

        this.transports.forEach(Transport::close);
        assertThat(jvm().open()).isEqualTo(before.open());
    }

    @Test
    void closingATransportTwiceEndsItOnce() {
        Transport transport = Transport.create();
        JvmTransportStats open = jvm();

        transport.close();
        transport.close();

        JvmTransportStats after = jvm();
        assertThat(open.open() - after.open()).isEqualTo(1);
        assertThat(after.shortLived() - open.shortLived()).isEqualTo(1);
        assertThat(after.discardedUnclosed()).isEqualTo(open.discardedUnclosed());
    }

    @Test
    void manyShortLivedTransportsLogOneWarningToShareASingleTransport() throws Exception {
        boolean warnedBefore = registryWarned();

        createAndCloseTransports(BURST);

        assertThat(registryWarned()).isTrue();
        List<ILoggingEvent> warnings = warnings();
        if (warnedBefore) {
            assertThat(warnings).as("the WARN is logged at most once per JVM").isEmpty();
        }
        else {
            assertThat(warnings).singleElement().satisfies(event -> assertThat(event.getFormattedMessage())
                    .contains("create one transport and share it"));
        }
    }

    @Test
    void warningIsNotRepeatedForLaterShortLivedTransports() throws Exception {
        createAndCloseTransports(BURST);
        assertThat(registryWarned()).isTrue();
        this.logs.list.clear();

        createAndCloseTransports(BURST);

        assertThat(warnings()).isEmpty();
    }

    private void createAndCloseTransports(int count) {
        for (int i = 0; i < count; i++) {
            Transport transport = Transport.create();
            transport.close();
        }
    }

    private List<ILoggingEvent> warnings() {
        return this.logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }

    private JvmTransportStats jvm() {
        return this.probe.stats().jvm();
    }

    /** Whether the registry's once-per-JVM WARN was already logged. */
    private static boolean registryWarned() throws ReflectiveOperationException {
        Field warned = TransportRegistry.class.getDeclaredField("warned");
        warned.setAccessible(true);
        return ((AtomicBoolean) warned.get(null)).get();
    }
}
