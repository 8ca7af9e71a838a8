package io.github.pooledtransport.benchmarks.load;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;


/**
 * One benchmark cell in its own JVM: a client, a path, a number of concurrent callers, a warm-up and a measured
 * duration (or, in burst mode, a fixed number of requests per caller from a cold client). Prints one JSON line
 * with requests/s, p50/p99 latency, connections the server accepted, TIME_WAIT growth, CPU per request of the
 * client and of nginx and context switches per request ({@link CpuSample}) and, where measurable, bytes allocated
 * per request on the calling threads.
 *
 * <p>Usage: {@code LoadRun client baseUrl path concurrency warmupSeconds durationSeconds [burst=N] [virtual]
 * [warm] [post]}; {@code post} sends each request as a POST with a 1 KiB body (an https base URL takes its trust
 * from the {@code javax.net.ssl.trustStore} system properties). A burst ignores the warm-up unless {@code warm}
 * is given: then a throw-away client of the same kind runs the warm-up first and is closed, and the burst starts
 * from a fresh client in a warmed JVM.
 */
public final class LoadRun {

    private LoadRun() {
    }

    /**
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String clientName = args[0];
        String baseUrl = args[1];
        String path = args[2];
        int concurrency = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int duration = Integer.parseInt(args[5]);
        int burst = 0;
        boolean virtual = false;
        boolean warmJvm = false;
        byte[] post = null;
        for (int i = 6; i < args.length; i++) {
            if (args[i].startsWith("burst=")) {
                burst = Integer.parseInt(args[i].substring(6));
            }
            else if (args[i].equals("virtual")) {
                virtual = true;
            }
            else if (args[i].equals("warm")) {
                warmJvm = true;
            }
            else if (args[i].equals("post")) {
                post = new byte[1024];
                Arrays.fill(post, (byte) 'x');
            }
        }
        int port = URI.create(baseUrl).getPort();
        if (burst > 0 && warmJvm) {
            // A cold client in a warm JVM: the burst then measures the pool's cold start, not class loading and
            // the JIT, which a long-running service has long finished (a Go client has neither).
            Clients.Built warming = Clients.build(clientName, baseUrl, concurrency);
            try {
                drive(warming.call(path, post), path, concurrency, warmup * 1_000_000_000L, 0, virtual, null);
            }
            finally {
                warming.resources().close();
            }
        }
        Clients.Built built = Clients.build(clientName, baseUrl, concurrency);
        Call client = built.call(path, post);
        try {
            long accepts0;
            int timeWait0;
            if (burst == 0) {
                drive(client, path, concurrency, warmup * 1_000_000_000L, 0, virtual, null);
            }
            accepts0 = accepts(baseUrl);
            timeWait0 = TimeWait.count(port);
            Recorder recorder = new Recorder(concurrency);
            io.github.pooledtransport.core.PoolStats pool0 = (built.transport() != null)
                    ? built.transport().stats().totals() : null;
            CpuSample cpu0 = CpuSample.now();
            long heap0 = allocatedByAllThreads();
            long start = System.nanoTime();
            drive(client, path, concurrency, duration * 1_000_000_000L, burst, virtual, recorder);
            long elapsed = System.nanoTime() - start;
            CpuSample cpu1 = CpuSample.now();
            long heap1 = allocatedByAllThreads();
            long allocPerRequest = recorder.allocatedPerRequest();
            if (virtual && heap0 >= 0 && recorder.count() > 0) {
                // Virtual threads allocate on their carriers, which the per-thread counters do not attribute to
                // them; the JVM-wide counter does (it includes GC and JIT threads, a small share).
                allocPerRequest = (heap1 - heap0) / recorder.count();
            }
            long accepted = accepts(baseUrl) - accepts0;
            String pool = (pool0 != null) ? poolJson(pool0, built.transport().stats().totals()) : "";
            int timeWait = TimeWait.count(port) - timeWait0;
            long requests = recorder.count();
            System.out.printf(Locale.ROOT, "{\"client\":\"%s%s\",\"path\":\"%s\",\"concurrency\":%d,\"mode\":\"%s\","
                    + "\"requests\":%d,\"errors\":%d,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"opened\":%d,"
                    + "\"time_wait\":%d,\"alloc_per_request\":%d,\"first_p50_ms\":%.3f,\"first_p99_ms\":%.3f,"
                    + "\"elapsed_ms\":%.1f,%s%s,\"java\":\"%s\"}%n",
                    clientName, virtual ? "+vt" : "", path, concurrency, (burst > 0) ? "burst" : "steady", requests,
                    recorder.errors.get(), requests * 1e9 / elapsed, recorder.percentile(0.50) / 1e6,
                    recorder.percentile(0.99) / 1e6, accepted, timeWait, allocPerRequest,
                    recorder.firstPercentile(0.50) / 1e6, recorder.firstPercentile(0.99) / 1e6, elapsed / 1e6,
                    pool, cpu1.perRequestJson(cpu0, requests), System.getProperty("java.version"));
        }
        finally {
            built.resources().close();
        }
        System.exit(0); // some peers leave non-daemon threads behind
    }

    /** Our transport's own view of the measured window: connections opened, and closed by reason. */
    private static String poolJson(io.github.pooledtransport.core.PoolStats before,
            io.github.pooledtransport.core.PoolStats after) {
        StringBuilder closed = new StringBuilder();
        for (io.github.pooledtransport.core.CloseReason reason : io.github.pooledtransport.core.CloseReason.values()) {
            long n = after.closed(reason) - before.closed(reason);
            if (n > 0) {
                closed.append(closed.length() == 0 ? "" : ",").append('"').append(reason.code()).append("\":")
                        .append(n);
            }
        }
        return String.format(Locale.ROOT, "\"pool_opened\":%d,\"pool_closed\":{%s},",
                after.opened() - before.opened(), closed);
    }

    private static void drive(Call client, String path, int concurrency, long durationNanos, int perCaller,
            boolean virtual, Recorder recorder) throws Exception {
        ThreadFactory factory = virtual ? virtualThreads() : Thread::new;
        CountDownLatch done = new CountDownLatch(concurrency);
        CountDownLatch start = new CountDownLatch(1);
        long[] deadline = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            int index = t;
            Thread thread = factory.newThread(() -> {
                try {
                    start.await();
                    long allocated0 = allocated();
                    int n = 0;
                    while (perCaller > 0 ? n < perCaller : System.nanoTime() < deadline[0]) {
                        long t0 = System.nanoTime();
                        try {
                            if (client.run() <= 0) {
                                throw new IllegalStateException("empty body");
                            }
                            if (recorder != null) {
                                long took = System.nanoTime() - t0;
                                recorder.record(index, took);
                                if (n == 0) {
                                    recorder.first[index] = took; // a cold caller's time to its first response
                                }
                            }
                        }
                        catch (Exception ex) {
                            if (recorder != null && recorder.errors.incrementAndGet() == 1) {
                                System.err.println("First error of " + Thread.currentThread() + ": " + ex);
                                ex.printStackTrace();
                            }
                        }
                        n++;
                    }
                    if (recorder != null) {
                        recorder.allocated.addAndGet(allocated() - allocated0);
                    }
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                finally {
                    done.countDown();
                }
            });
            threads.add(thread);
            thread.start();
        }
        deadline[0] = System.nanoTime() + durationNanos;
        start.countDown();
        done.await();
    }

    /** One request; returns the body length. */
    @FunctionalInterface
    interface Call {
        long run() throws Exception;
    }

    /** Bytes allocated by the current thread, or -1 where the JVM does not tell (virtual threads). */
    private static long allocated() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && !isVirtual(Thread.currentThread())) {
            return bean.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    /** Bytes allocated by all threads since start-up (JDK 21+), or -1 where the JVM does not tell. */
    private static long allocatedByAllThreads() {
        try {
            Object bean = ManagementFactory.getThreadMXBean();
            return (Long) com.sun.management.ThreadMXBean.class.getMethod("getTotalThreadAllocatedBytes")
                    .invoke(bean);
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            return -1;
        }
    }

    private static boolean isVirtual(Thread thread) {
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
        }
        catch (ReflectiveOperationException ex) {
            return false; // before Java 21 there are no virtual threads
        }
    }

    private static ThreadFactory virtualThreads() throws Exception {
        Method ofVirtual = Thread.class.getMethod("ofVirtual");
        Object builder = ofVirtual.invoke(null);
        // Through the public interface: the builder's own class is not accessible.
        Method factory = Class.forName("java.lang.Thread$Builder").getMethod("factory");
        return (ThreadFactory) factory.invoke(builder);
    }

    /** Connections nginx accepted so far, from stub_status. */
    private static long accepts(String baseUrl) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String status = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        // "Active connections: 1 \nserver accepts handled requests\n 12 12 34 \n..."
        String[] lines = status.split("\n");
        return Long.parseLong(lines[2].trim().split("\\s+")[0]) - 1; // minus this status connection
    }

    /** Per-caller latency samples, merged at the end. */
    private static final class Recorder {

        final long[][] samples;

        final int[] counts;

        final AtomicLong errors = new AtomicLong();

        final AtomicLong allocated = new AtomicLong();

        /** Each caller's first request: from a cold client, the time to its first response. */
        final long[] first;

        Recorder(int callers) {
            this.samples = new long[callers][1024];
            this.counts = new int[callers];
            this.first = new long[callers];
        }

        double firstPercentile(double p) {
            long[] sorted = Arrays.stream(this.first).filter(n -> n > 0).sorted().toArray();
            return (sorted.length == 0) ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
        }

        void record(int caller, long nanos) {
            if (this.counts[caller] == this.samples[caller].length) {
                this.samples[caller] = Arrays.copyOf(this.samples[caller], this.samples[caller].length * 2);
            }
            this.samples[caller][this.counts[caller]++] = nanos;
        }

        long count() {
            long n = 0;
            for (int c : this.counts) {
                n += c;
            }
            return n;
        }

        double percentile(double p) {
            long[] all = new long[(int) count()];
            int at = 0;
            for (int i = 0; i < this.samples.length; i++) {
                System.arraycopy(this.samples[i], 0, all, at, this.counts[i]);
                at += this.counts[i];
            }
            if (all.length == 0) {
                return 0;
            }
            Arrays.sort(all);
            return all[Math.min(all.length - 1, (int) Math.ceil(p * all.length) - 1)];
        }

        long allocatedPerRequest() {
            long n = count();
            return (n == 0 || this.allocated.get() <= 0) ? -1 : this.allocated.get() / n;
        }
    }
}
