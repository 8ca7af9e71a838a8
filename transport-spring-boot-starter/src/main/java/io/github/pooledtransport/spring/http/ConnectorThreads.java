package io.github.pooledtransport.spring.http;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads on which {@link TransportClientHttpConnector} blocks for reactive callers: one kind sends requests
 * and waits for their responses (a call's wait for a connection included), the other reads response bodies as
 * subscribers ask for them. On Java 21 and later both are virtual threads, one per task, without a bound. On
 * Java 17 to 20 each kind is a pool of up to {@code maxThreads} daemon threads (idle ones end after a minute),
 * apart so that body reads, which free connections, never wait behind calls waiting for a connection; beyond
 * the bound, tasks wait in line, first in first out, up to {@value #MAX_QUEUED} per kind, and a call beyond that
 * fails with a {@code RejectedExecutionException} that names the setting. So on Java 17, 500 concurrent calls
 * with the default bound of 200 run 200 at a time while 300 wait for a thread.
 * <p>
 * Closing it lets running tasks finish and starts no new ones.
 */
public final class ConnectorThreads implements AutoCloseable {

    /** Tasks of one kind that may wait for a thread on Java 17 to 20 (Reactor's bounded-elastic default). */
    public static final int MAX_QUEUED = 100_000;

    /** The default bound of each kind of thread on Java 17 to 20. */
    public static final int DEFAULT_MAX_THREADS = 200;

    private final ExecutorService calls;

    private final ExecutorService bodies;

    private final boolean virtual;

    private final int maxThreads;

    private ConnectorThreads(ExecutorService calls, ExecutorService bodies, boolean virtual, int maxThreads) {
        this.calls = calls;
        this.bodies = bodies;
        this.virtual = virtual;
        this.maxThreads = maxThreads;
    }

    /**
     * @param maxThreads the bound of each kind of platform thread, used where the JDK has no virtual threads
     * @return virtual threads where the JDK has them, else two bounded pools
     */
    public static ConnectorThreads create(int maxThreads) {
        if (maxThreads < 1) {
            throw new IllegalArgumentException("maxThreads must be at least 1, was " + maxThreads);
        }
        ThreadFactory calls = virtualThreads("transport-reactive-call-");
        ThreadFactory bodies = virtualThreads("transport-reactive-body-");
        if (calls != null && bodies != null) {
            return new ConnectorThreads(perTask(calls), perTask(bodies), true, maxThreads);
        }
        return platform(maxThreads);
    }

    /** Bounded platform-thread pools on any JDK: what Java 17 gets, and what tests of the bound use. */
    static ConnectorThreads platform(int maxThreads) {
        return new ConnectorThreads(bounded("transport-reactive-call-", maxThreads),
                bounded("transport-reactive-body-", maxThreads), false, maxThreads);
    }

    /** @return whether tasks run on virtual threads */
    public boolean isVirtual() {
        return this.virtual;
    }

    /** @return the bound of each kind of platform thread (not applied to virtual threads) */
    public int maxThreads() {
        return this.maxThreads;
    }

    ExecutorService calls() {
        return this.calls;
    }

    ExecutorService bodies() {
        return this.bodies;
    }

    @Override
    public void close() {
        this.calls.shutdown();
        this.bodies.shutdown();
    }

    private static ExecutorService bounded(String name, int maxThreads) {
        AtomicInteger ids = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(maxThreads, maxThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(MAX_QUEUED), (runnable) -> {
                    Thread thread = new Thread(runnable, name + ids.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static ExecutorService perTask(ThreadFactory factory) {
        try {
            return (ExecutorService) Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class)
                    .invoke(null, factory);
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("Virtual threads were found but no thread-per-task executor", ex);
        }
    }

    /** Java 21's {@code Thread.ofVirtual().name(prefix, 0).factory()}, by reflection: the code targets 17. */
    private static ThreadFactory virtualThreads(String prefix) {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            builder = ofVirtual.getMethod("name", String.class, long.class).invoke(builder, prefix, 0L);
            return (ThreadFactory) ofVirtual.getMethod("factory").invoke(builder);
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            return null; // before Java 21
        }
    }
}
