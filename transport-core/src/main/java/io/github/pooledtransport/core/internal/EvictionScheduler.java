package io.github.pooledtransport.core.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every pool's eviction passes on one daemon thread for the whole JVM, instead of a timer per
 * connection or a thread per transport. Each pool has at most one pass scheduled; scheduling an earlier one
 * replaces it.
 */
public final class EvictionScheduler {

    /** The JVM-wide scheduler. */
    public static final EvictionScheduler SHARED = new EvictionScheduler();

    private static final Logger logger = LoggerFactory.getLogger(EvictionScheduler.class);

    static final String THREAD_NAME = "pooled-transport-evictor";

    private final ScheduledThreadPoolExecutor executor;

    private final Map<ConnectionPool, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();

    EvictionScheduler() {
        this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        this.executor.setRemoveOnCancelPolicy(true);
        this.executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    void schedule(ConnectionPool pool, long delay, TimeUnit unit) {
        ScheduledFuture<?> future = this.executor.schedule(() -> run(pool), delay, unit);
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
