package io.github.pooledtransport.core.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread of the JVM's transports: eviction passes, call timeouts and write timeouts all run on
 * it, instead of a timer per connection or a thread per transport. Its tasks only flip state and close sockets
 * (which never waits for the peer), so one daemon thread keeps up.
 */
final class SharedTimer {

    static final String THREAD_NAME = "pooled-transport-timer";

    private static final ScheduledThreadPoolExecutor EXECUTOR = newExecutor();

    private SharedTimer() {
    }

    private static ScheduledThreadPoolExecutor newExecutor() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        // Most call timers are cancelled long before they fire: removed at once, they never pile up.
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /**
     * @param task what to run; it must not block
     * @param delayNanos when, from now
     * @return the scheduled task, to cancel
     */
    static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return EXECUTOR.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }
}
