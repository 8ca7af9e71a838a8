package io.github.pooledtransport.core.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.ResponseBody;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.internal.TransportEngine;

/**
 * Seeded chaos: 32 threads share one transport against a {@link ChaosServer} that, per request, answers
 * normally, closes after answering, resets or truncates mid-body, stalls, writes stray bytes after a response or
 * closes without answering. Whatever happens, every request must end with exactly its own body or an
 * {@link IOException}; no POST may reach the server twice and no GET more than twice (one replay); the pool's
 * counts must add up; no internal exception type reaches a caller; and closing the transport and the server
 * must give back every file descriptor. Plain and TLS, on platform threads and (JDK 21 and later) virtual ones.
 *
 * <p>The run is planned by a seed (default {@value #DEFAULT_SEED}): what the server does with a request
 * depends only on the seed, the request's id and how often that id arrived, and what each client thread sends
 * and how it reads depends only on the seed and the thread. A failure names the seed;
 * {@code ./mvnw -pl transport-core -Dtest=ChaosTest -Dchaos.seed=<seed> verify} replays the same plan (thread
 * scheduling aside).
 */
class ChaosTest {

    static final long DEFAULT_SEED = 11L;

    private static final String SEED_PROPERTY = "chaos.seed";

    private static final int THREADS = 32;

    /** Per thread over plain TCP; a connection the chaos kills costs a handshake under TLS, so fewer there. */
    private static final int PLAIN_REQUESTS_PER_THREAD = 40;

    private static final int TLS_REQUESTS_PER_THREAD = 12;

    private static final Duration READ_TIMEOUT = Duration.ofMillis(300);

    private static final Duration RESPONSE_HEADER_TIMEOUT = Duration.ofSeconds(1);

    private static final Path FD_DIR = Path.of("/proc/self/fd");

    /** How a client sends its request. */
    private enum Send {
        GET, POST_BYTES, POST_STREAM, POST_STREAM_CHUNKED, POST_STREAMS_CHUNKED
    }

    /** How a client reads its response body. */
    private enum Read {
        READ_ALL, ARRAY_LOOP, SINGLE_BYTES, TRANSFER_TO, READ_N_BYTES, SKIP_THEN_READ, BYTES, PARTIAL_THEN_CLOSE
    }

    /** Which threads the clients run on. */
    private enum Threads {
        PLATFORM, VIRTUAL
    }

    @Test
    void everyRequestGetsItsOwnBodyOrAnIOExceptionOverPlainConnectionsOnPlatformThreads() {
        chaos(ChaosServer.Mode.PLAIN, Threads.PLATFORM);
    }

    @Test
    void everyRequestGetsItsOwnBodyOrAnIOExceptionOverTlsOnPlatformThreads() {
        chaos(ChaosServer.Mode.TLS, Threads.PLATFORM);
    }

    @Test
    void everyRequestGetsItsOwnBodyOrAnIOExceptionOverPlainConnectionsOnVirtualThreads() {
        chaos(ChaosServer.Mode.PLAIN, Threads.VIRTUAL);
    }

    @Test
    void everyRequestGetsItsOwnBodyOrAnIOExceptionOverTlsOnVirtualThreads() {
        chaos(ChaosServer.Mode.TLS, Threads.VIRTUAL);
    }

    private static void chaos(ChaosServer.Mode mode, Threads threads) {
        assumeTrue(threads == Threads.PLATFORM || hasVirtualThreads(),
                "virtual threads need JDK 21 or later");
        long seed = Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
        String replay = "chaos seed " + seed + " (" + mode + ", " + threads + " threads); replay with -D"
                + SEED_PROPERTY + "=" + seed;
        System.out.println(replay);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            // A small run first loads the classes, opens the jars and starts the pollers that stay for the
            // JVM's life, so that the descriptor baseline holds only what is not the transport's.
            new Chaos(mode, threads, seed, "warm-up", 4, 8).run();
            Integer baseline = openFileDescriptors();
            Chaos run = new Chaos(mode, threads, seed, "s" + seed, THREADS,
                    (mode == ChaosServer.Mode.TLS) ? TLS_REQUESTS_PER_THREAD : PLAIN_REQUESTS_PER_THREAD);
            long wall = System.nanoTime();
            long cpu = processCpuNanos();
            run.run();
            System.out.printf("run took %d ms, process CPU %d ms%n", (System.nanoTime() - wall) / 1_000_000,
                    (processCpuNanos() - cpu) / 1_000_000);
            if (baseline != null) {
                run.checkFileDescriptors(baseline);
            }
            System.out.println(run.summary());
            assertThat(run.violations).as(replay + "\n" + run.summary()).isEmpty();
            run.checkTheChaosHappened(replay);
        }, () -> "timed out: " + replay);
    }

    /** One run: a server, a transport, many threads, and everything they saw. */
    private static final class Chaos {

        private final ChaosServer.Mode mode;

        private final Threads threads;

        private final long seed;

        private final String prefix;

        private final int threadCount;

        private final int requestsPerThread;

        private final Queue<String> violations = new ConcurrentLinkedQueue<>();

        private final Map<String, String> outcomes = new ConcurrentHashMap<>();

        private final Map<String, Integer> exceptionTypes = new ConcurrentHashMap<>();

        private Map<ChaosServer.Action, Integer> actions = Map.of();

        private PoolStats beforeClose;

        private int connections;

        Chaos(ChaosServer.Mode mode, Threads threads, long seed, String prefix, int threadCount,
                int requestsPerThread) {
            this.mode = mode;
            this.threads = threads;
            this.seed = seed;
            this.prefix = prefix;
            this.threadCount = threadCount;
            this.requestsPerThread = requestsPerThread;
        }

        void run() throws Exception {
            ChaosServer server = new ChaosServer(this.mode, this.seed);
            Transport transport = new Transport(ChaosServer.clientConfig().readTimeout(READ_TIMEOUT)
                    .responseHeaderTimeout(RESPONSE_HEADER_TIMEOUT).build());
            try {
                runClients(server, transport);
                checkServer(server);
                checkPool(transport);
            }
            finally {
                transport.close();
                PoolStats closed = transport.stats().totals();
                if (closed.idle() != 0 || closed.active() != 0 || closed.opened() != closed.closedTotal()) {
                    this.violations.add("after transport.close(): " + closed);
                }
                server.close();
                if (server.liveHandlers() != 0) {
                    this.violations.add(server.liveHandlers() + " server connections still open after close()");
                }
                this.connections = server.connections();
                this.actions = server.actions();
            }
        }

        private void runClients(ChaosServer server, Transport transport) throws InterruptedException {
            ExecutorService executor = (this.threads == Threads.VIRTUAL) ? virtualThreadExecutor()
                    : Executors.newFixedThreadPool(this.threadCount);
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < this.threadCount; t++) {
                int thread = t;
                executor.execute(() -> {
                    Random random = new Random(this.seed * 1_000_003L + thread + this.prefix.hashCode());
                    try {
                        start.await();
                        for (int i = 0; i < this.requestsPerThread; i++) {
                            exchange(server, transport, random, this.prefix + "-t" + thread + "-r" + i);
                        }
                    }
                    catch (Throwable ex) {
                        this.violations.add("client thread " + thread + " died: " + describe(ex));
                    }
                });
            }
            start.countDown();
            executor.shutdown();
            if (!executor.awaitTermination(45, TimeUnit.SECONDS)) {
                this.violations.add("client threads did not finish within 45 s");
                executor.shutdownNow();
            }
        }

        private void exchange(ChaosServer server, Transport transport, Random random, String id) {
            Send send = Send.values()[random.nextInt(Send.values().length)];
            if (random.nextBoolean()) {
                send = Send.GET; // half of all requests are GETs, the rest spread over the kinds of POST
            }
            Read read = Read.values()[random.nextInt(Read.values().length)];
            Request request = request(server, send, id);
            String what = send + " " + id + " read " + read + " (server: "
                    + ChaosServer.actionFor(this.seed, id, 1) + ", on replay " + ChaosServer.actionFor(this.seed, id, 2)
                    + ")";
            try (Response response = transport.roundTrip(request)) {
                if (response.status() != 200 || !id.equals(response.headers().get(ChaosServer.ID_HEADER))) {
                    this.violations.add(what + ": got the response of " + response.headers().get(ChaosServer.ID_HEADER)
                            + " with status " + response.status());
                    return;
                }
                String result = readAndCheck(response.body(), ChaosServer.responseBody(id), read, random);
                if (result != null) {
                    this.violations.add(what + ": " + result);
                    return;
                }
                this.outcomes.put(id, (read == Read.PARTIAL_THEN_CLOSE) ? "partial" : "ok");
            }
            catch (IOException ex) {
                this.outcomes.put(id, "failed");
                this.exceptionTypes.merge(ex.getClass().getName(), 1, Integer::sum);
                String type = ex.getClass().getName();
                if (type.startsWith("io.github.pooledtransport.core.internal.") || type.startsWith("org.apache.hc.")) {
                    this.violations.add(what + ": an internal exception type reached the caller: " + describe(ex));
                }
            }
            catch (RuntimeException | Error ex) {
                this.violations.add(what + ": threw other than an IOException: " + describe(ex));
            }
        }

        private static Request request(ChaosServer server, Send send, String id) {
            Request.Builder builder = Request.newBuilder(java.net.URI.create(server.url("/chaos/" + id)))
                    .header(ChaosServer.ID_HEADER, id);
            byte[] body = ChaosServer.requestBody(id);
            return switch (send) {
                case GET -> builder.get().build();
                case POST_BYTES -> builder.post(RequestBody.of(body)).build();
                case POST_STREAM -> builder.post(RequestBody.ofStream(new ByteArrayInputStream(body), body.length))
                        .build();
                case POST_STREAM_CHUNKED -> builder.post(RequestBody.ofStream(new ByteArrayInputStream(body), -1))
                        .build();
                case POST_STREAMS_CHUNKED -> builder.post(RequestBody.ofStreams(() -> new ByteArrayInputStream(body),
                        -1)).build();
            };
        }

        /** @return what was wrong with the body, or {@code null} when it was exactly the expected bytes */
        private static String readAndCheck(ResponseBody body, byte[] expected, Read read, Random random)
                throws IOException {
            byte[] actual;
            byte[] wanted = expected;
            switch (read) {
                case READ_ALL -> actual = body.readAllBytes();
                case BYTES -> actual = body.bytes();
                case ARRAY_LOOP -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    byte[] buffer = new byte[1 + random.nextInt(2048)];
                    int n;
                    while ((n = body.read(buffer, 0, 1 + random.nextInt(buffer.length))) != -1) {
                        out.write(buffer, 0, n);
                    }
                    actual = out.toByteArray();
                }
                case SINGLE_BYTES -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    int b;
                    while ((b = body.read()) != -1) {
                        out.write(b);
                    }
                    actual = out.toByteArray();
                }
                case TRANSFER_TO -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    body.transferTo(out);
                    actual = out.toByteArray();
                }
                case READ_N_BYTES -> {
                    actual = body.readNBytes(expected.length);
                    if (actual.length == expected.length && body.read() != -1) {
                        return "more bytes than the body has";
                    }
                }
                case SKIP_THEN_READ -> {
                    long skip = random.nextInt(expected.length + 1);
                    long skipped = 0;
                    while (skipped < skip) {
                        long n = body.skip(skip - skipped);
                        if (n <= 0) {
                            break; // skip() may stop early; what follows must then be short
                        }
                        skipped += n;
                    }
                    actual = body.readAllBytes();
                    wanted = Arrays.copyOfRange(expected, (int) skipped, expected.length);
                }
                case PARTIAL_THEN_CLOSE -> {
                    int length = random.nextInt(expected.length + 1);
                    actual = body.readNBytes(length);
                    wanted = Arrays.copyOf(expected, length);
                    if (actual.length != length) {
                        return "read " + actual.length + " of the first " + length + " bytes without an error";
                    }
                }
                default -> throw new IllegalStateException(read.toString());
            }
            if (Arrays.equals(actual, wanted)) {
                return null;
            }
            return "wrong body: " + actual.length + " bytes, expected " + wanted.length + " (first difference at "
                    + Arrays.mismatch(actual, wanted) + ")";
        }

        private void checkServer(ChaosServer server) {
            server.failures().forEach(f -> this.violations.add("server: " + f));
            server.arrivals().forEach((key, count) -> {
                boolean post = key.startsWith("POST ");
                if ((post && count > 1) || count > 2) {
                    this.violations.add(key + " arrived " + count + " times");
                }
            });
            Map<String, Integer> arrivals = server.arrivals();
            this.outcomes.forEach((id, outcome) -> {
                if (!outcome.equals("failed") && !arrivals.containsKey("GET " + id)
                        && !arrivals.containsKey("POST " + id)) {
                    this.violations.add(id + " succeeded without reaching the server");
                }
            });
        }

        private void checkPool(Transport transport) throws ReflectiveOperationException {
            int total = this.threadCount * this.requestsPerThread;
            if (this.outcomes.size() + this.violations.size() < total) {
                this.violations.add("only " + this.outcomes.size() + " of " + total + " requests ended");
            }
            PoolStats stats = transport.stats().totals();
            this.beforeClose = stats;
            if (stats.active() != 0 || stats.dialing() != 0 || stats.waiting() != 0) {
                this.violations.add("with every response closed: " + stats);
            }
            if (stats.opened() - stats.closedTotal() != stats.idle() + stats.active()) {
                this.violations.add("opened - closed != idle + active: " + stats);
            }
            if (stats.requests() != total) {
                this.violations.add("the pool counted " + stats.requests() + " requests of " + total);
            }
            try {
                engine(transport).pool().checkInvariants();
            }
            catch (IllegalStateException ex) {
                this.violations.add("pool invariant broken: " + ex.getMessage());
            }
        }

        /** Waits, a bounded number of times, for the kernel to let go of every descriptor the run opened. */
        void checkFileDescriptors(int baseline) throws IOException {
            Integer now = openFileDescriptors();
            for (int i = 0; i < 100 && now != null && now > baseline; i++) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                now = openFileDescriptors();
            }
            if (now != null && now > baseline) {
                this.violations.add("file descriptors: " + now + " open after close(), " + baseline + " before; now "
                        + describeFileDescriptors());
            }
        }

        void checkTheChaosHappened(String replay) {
            assertThat(this.actions.keySet()).as(replay + ": every kind of fault was tried")
                    .containsExactlyInAnyOrder(ChaosServer.Action.values());
            assertThat(this.outcomes).as(replay + ": some requests succeeded").containsValue("ok");
            assertThat(this.outcomes).as(replay + ": some requests failed").containsValue("failed");
        }

        String summary() {
            Map<String, Integer> byOutcome = new TreeMap<>();
            this.outcomes.values().forEach(o -> byOutcome.merge(o, 1, Integer::sum));
            return String.format("outcomes %s; server connections %d; actions %s; exceptions %s; pool %s",
                    byOutcome, this.connections, this.actions, new TreeMap<>(this.exceptionTypes), this.beforeClose);
        }
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return (os instanceof com.sun.management.OperatingSystemMXBean sun) ? sun.getProcessCpuTime() : 0;
    }

    private static TransportEngine engine(Transport transport) throws ReflectiveOperationException {
        Method engine = Transport.class.getDeclaredMethod("engine");
        engine.setAccessible(true);
        return (TransportEngine) engine.invoke(transport);
    }

    private static boolean hasVirtualThreads() {
        try {
            Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return true;
        }
        catch (NoSuchMethodException ex) {
            return false;
        }
    }

    /** @return a virtual-thread-per-task executor, or {@code null} before JDK 21 */
    private static ExecutorService virtualThreadExecutor() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        }
        catch (ReflectiveOperationException ex) {
            return null;
        }
    }

    /** @return open descriptors of this process, or {@code null} where {@code /proc} does not tell */
    private static Integer openFileDescriptors() {
        String[] entries = FD_DIR.toFile().list();
        return (entries != null) ? entries.length : null;
    }

    private static String describeFileDescriptors() throws IOException {
        List<String> targets = new ArrayList<>();
        String[] entries = FD_DIR.toFile().list();
        if (entries != null) {
            for (String entry : entries) {
                try {
                    targets.add(entry + "->" + Files.readSymbolicLink(FD_DIR.resolve(entry)));
                }
                catch (IOException ex) {
                    targets.add(entry + "->?");
                }
            }
        }
        return String.join(", ", targets);
    }

    private static String describe(Throwable ex) {
        StringBuilder text = new StringBuilder(ex.toString());
        StackTraceElement[] trace = ex.getStackTrace();
        for (int i = 0; i < Math.min(8, trace.length); i++) {
            text.append("\n    at ").append(trace[i]);
        }
        if (ex.getCause() != null) {
            text.append("\n  caused by ").append(ex.getCause());
        }
        return text.toString();
    }
}
