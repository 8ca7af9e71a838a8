package io.github.pooledtransport.core.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the transport blocks on behalf of a call, off the call's thread: DNS lookups (so that a stopped call
 * stops waiting for one even though the lookup itself cannot be stopped; an abandoned lookup finishes in the
 * background and fills the JDK's own address cache) and the readers that hear a server's early response while
 * an upload is stuck. A virtual thread per task where the JDK has them (21+); on 17 a shared pool of
 * {@value #PLATFORM_THREADS} daemon threads, whose idle threads end after a minute and beyond which tasks queue.
 */
final class BlockingTasks {

    static final int PLATFORM_THREADS = 16;

    static final ExecutorService EXECUTOR = create();

    private BlockingTasks() {
    }

    private static ExecutorService create() {
        try {
            // Java 21+: found by reflection, as the code is compiled for Java 17.
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            AtomicInteger ids = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(PLATFORM_THREADS, PLATFORM_THREADS, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), runnable -> {
                        Thread thread = new Thread(runnable, "pooled-transport-blocking-" + ids.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }
}
