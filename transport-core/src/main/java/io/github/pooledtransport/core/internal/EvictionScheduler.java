package io.github.pooledtransport.core.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every pool's eviction passes on the JVM's {@link SharedTimer}, instead of a timer per connection or a
 * thread per transport. Each pool has at most one pass scheduled; scheduling an earlier one replaces it.
 */
public final class EvictionScheduler {

    /** The JVM-wide scheduler. */
    public static final EvictionScheduler SHARED = new EvictionScheduler();

    private static final Logger logger = LoggerFactory.getLogger(EvictionScheduler.class);

    private final Map<ConnectionPool, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();

    EvictionScheduler() {
    }

    void schedule(ConnectionPool pool, long delay, TimeUnit unit) {
        ScheduledFuture<?> future = SharedTimer.schedule(() -> run(pool), unit.toNanos(delay));
        ScheduledFuture<?> previous = this.scheduled.put(pool, future);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    void cancel(ConnectionPool pool) {
        ScheduledFuture<?> previous = this.scheduled.remove(pool);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    private void run(ConnectionPool pool) {
        try {
            pool.evictExpired();
        }
        catch (RuntimeException ex) {
            logger.error("Eviction pass failed; idle connections may stay open until reused", ex);
        }
    }
}
