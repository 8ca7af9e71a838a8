package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the transport blocks on behalf of a call, off the call's thread. Virtual threads where the JDK has them
 * (21+); on 17 three pools of daemon threads, apart so that one kind of wait never takes the other's threads:
 * <ul>
 * <li>{@link #LOOKUPS}: DNS lookups, so that a stopped call stops waiting for one even though the lookup itself
 * cannot be stopped (an abandoned lookup finishes in the background and fills the JDK's address cache). On 17, a
 * thread per concurrent lookup, as when lookups ran on the callers' threads: one slow name never holds up
 * another.</li>
 * <li>{@link #DIALS}: dials the pool starts for waiting requests and runs apart from them (late binding). On 17,
 * a thread per concurrent dial, as when dials ran on the callers' threads.</li>
 * <li>{@link #READERS}: the readers that hear a server's early response while an upload is stuck. On 17, up to
 * {@value #READER_THREADS} threads, one per stuck upload; beyond that an upload is not listened to until a
 * thread frees up, and its caller reads the response once it finished writing, as before.</li>
 * <li>{@link #H2_READERS}: the frame reader of each HTTP/2 connection, for the connection's life. On 17, a thread
 * per connection.</li>
 * </ul>
 * Idle platform threads end after a minute.
 */
final class BlockingTasks {

    static final int READER_THREADS = 256;

    static final ExecutorService LOOKUPS = create("pooled-transport-dns-", Integer.MAX_VALUE, new SynchronousQueue<>());

    static final ExecutorService DIALS = create("pooled-transport-dial-", Integer.MAX_VALUE, new SynchronousQueue<>());

    static final ExecutorService READERS = create("pooled-transport-reader-", READER_THREADS, new SynchronousQueue<>());

    static final ExecutorService H2_READERS = create("pooled-transport-h2-reader-", Integer.MAX_VALUE,
            new SynchronousQueue<>());

    private BlockingTasks() {
    }

    /**
     * The failure of a task, as the task threw it: an {@code IOException} to throw, runtime exceptions and errors
     * thrown from here unchanged.
     *
     * @param failed the task's failure
     * @return the {@code IOException} to throw
     */
    static IOException rethrow(ExecutionException failed) {
        Throwable cause = failed.getCause();
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IOException(cause); // a checked exception thrown sneakily
    }

    private static ExecutorService create(String name, int threads, SynchronousQueue<Runnable> queue) {
        try {
            // Java 21+: found by reflection, as the code is compiled for Java 17.
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            AtomicInteger ids = new AtomicInteger();
            // No queue: a thread per task up to the bound, idle threads end after a minute.
            return new ThreadPoolExecutor(0, threads, 60, TimeUnit.SECONDS, queue, runnable -> {
                Thread thread = new Thread(runnable, name + ids.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        }
    }
}
