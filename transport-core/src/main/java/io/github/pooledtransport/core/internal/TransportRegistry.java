package io.github.pooledtransport.core.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.pooledtransport.core.JvmTransportStats;

/**
 * Counts transports across the JVM to catch the "new transport per request" mistake: each such transport
 * starts with an empty pool, so every request opens a connection and leaves a TIME_WAIT socket behind.
 * When many transports end shortly after they were created, one WARN says so.
 */
public final class TransportRegistry {

    /** A transport ended within this time of its creation counts as short-lived. */
    static final long SHORT_LIVED_NANOS = 60_000_000_000L;

    /** This many short-lived transports within {@link #WINDOW_NANOS} trigger the warning. */
    static final int WARN_THRESHOLD = 10;

    static final long WINDOW_NANOS = 60_000_000_000L;

    private static final Logger logger = LoggerFactory.getLogger(TransportRegistry.class);

    private static final AtomicLong created = new AtomicLong();

    private static final AtomicLong ended = new AtomicLong();

    private static final AtomicLong shortLived = new AtomicLong();

    private static final AtomicLong discardedUnclosed = new AtomicLong();

    private static final AtomicBoolean warned = new AtomicBoolean();

    private static final ReentrantLock windowLock = new ReentrantLock();

    /** Short-lived ends in the current window, and when the window started; guarded by windowLock. */
    private static long windowStart;

    private static int windowCount;

    private TransportRegistry() {
    }

    /** @return the creation time, to pass back to {@link #ended} */
    public static long created() {
        created.incrementAndGet();
        return System.nanoTime();
    }

    /**
     * Records that a transport was closed or collected.
     *
     * @param createdAt its creation time from {@link #created()}
     * @param unclosed whether it was garbage collected without being closed
     */
    public static void ended(long createdAt, boolean unclosed) {
        ended.incrementAndGet();
        if (unclosed) {
            discardedUnclosed.incrementAndGet();
        }
        long now = System.nanoTime();
        if (now - createdAt >= SHORT_LIVED_NANOS) {
            return;
        }
        shortLived.incrementAndGet();
        int count;
        windowLock.lock();
        try {
            if (now - windowStart > WINDOW_NANOS || windowCount == 0) {
                windowStart = now;
                windowCount = 0;
            }
            count = ++windowCount;
        }
        finally {
            windowLock.unlock();
        }
        if (count >= WARN_THRESHOLD && warned.compareAndSet(false, true)) {
            logger.warn("{} transports were created and discarded within a minute ({} created in this JVM so far). "
                    + "A transport per request opens a new connection for every request and fills the machine "
                    + "with TIME_WAIT sockets: create one transport and share it (in Spring, the starter's single "
                    + "Transport bean).", count, created.get());
        }
    }

    /** @return the JVM-wide counts */
    public static JvmTransportStats stats() {
        long c = created.get();
        return new JvmTransportStats(c, c - ended.get(), shortLived.get(), discardedUnclosed.get());
    }
}
