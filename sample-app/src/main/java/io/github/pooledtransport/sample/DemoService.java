package io.github.pooledtransport.sample;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostStats;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportStats;
import io.github.pooledtransport.spring.actuate.Finding;
import io.github.pooledtransport.spring.actuate.TransportDiagnosis;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactory;

/**
 * Runs the demos: the same bounded burst of requests to the in-process downstream service, once with the good
 * configuration and once for each classic way a connection pool fails. Each demo measures its own numbers. All but
 * transport-per-request run on the application's shared transport, each on a downstream port of its own, so
 * {@code /actuator/transport} and its diagnosis show them as separate hosts.
 */
@Service
public class DemoService {

    /** Every demo is bounded in count and in time. */
    static final int REQUESTS = 400;

    static final int CONCURRENCY = 50;

    static final Duration TIME_LIMIT = Duration.ofSeconds(60);

    static final Map<String, String> DEMOS = new LinkedHashMap<>();

    static {
        // Each sentence states what the demo measures on every run; the run's own numbers are in its result.
        DEMOS.put("good", "400 requests from 50 concurrent callers on the shared transport with its defaults. On a "
                + "cold pool it opens about one connection per caller (50: a caller served by a connection "
                + "released while its own dial was under way leaves that dial to the next caller who needs one), "
                + "closes none and reuses them for the rest; run it again within idle-conn-timeout (90 s) and it "
                + "opens none.");
        DEMOS.put("small-idle-cap", "The same burst to a host whose idle cap is 2 (Go's default), set by "
                + "transport.hosts[...].max-idle-conns-per-host. When the callers release their connections all "
                + "but 2 are closed (idle-per-host-cap), so the burst opens more connections than it has callers, "
                + "while most requests still reuse one. Each close leaves a TIME_WAIT socket on this app's side.");
        DEMOS.put("transport-per-request", "200 requests, each on a transport (and request factory) of its own: "
                + "every request opens a connection, which is closed with its transport (transport-closed) and "
                + "leaves a TIME_WAIT socket on this app's side.");
        DEMOS.put("bodies-not-read", "400 responses of 1 MiB, each closed after 16 bytes: more than "
                + "drain-on-close (256 KB) is left unread, so every connection is closed (body-not-consumed) and "
                + "every request opens a new one. Closing with unread data resets the connection, so it leaves no "
                + "TIME_WAIT socket: the cost is a handshake per request and a megabyte sent for nothing.");
        DEMOS.put("keep-alives-disabled", "400 requests on the shared transport, each sent with Connection: close "
                + "as transport.disable-keep-alives=true would send every request to every host: every request "
                + "opens a connection that is closed after its response (connection-close). Each close leaves a "
                + "TIME_WAIT socket with whichever side closed first, this app or the downstream.");
    }

    private final Transport transport;

    private final RestClient.Builder builder;

    private final DownstreamClient downstreamClient;

    private final DownstreamServer downstream;

    /** One demo at a time: the numbers of two overlapping demos would mix. */
    private final ReentrantLock running = new ReentrantLock();

    DemoService(Transport transport, RestClient.Builder builder, DownstreamClient downstreamClient,
            DownstreamServer downstream) {
        this.transport = transport;
        this.builder = builder;
        this.downstreamClient = downstreamClient;
        this.downstream = downstream;
    }

    /**
     * @param name a demo name from {@link #DEMOS}
     * @return what it measured
     */
    public DemoResult run(String name) throws InterruptedException {
        String description = DEMOS.get(name);
        if (description == null) {
            throw new IllegalArgumentException("Unknown demo '" + name + "'; known: " + DEMOS.keySet());
        }
        if (!this.running.tryLock(TIME_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("Another demo is still running");
        }
        try {
            return switch (name) {
                case "good" -> onSharedTransport(name, description, "good", this.downstreamClient::hello);
                case "small-idle-cap" -> {
                    RestClient client = this.builder.baseUrl(this.downstream.baseUrl("small-idle-cap")).build();
                    yield onSharedTransport(name, description, "small-idle-cap",
                            () -> client.get().uri("/hello").retrieve().body(String.class));
                }
                case "bodies-not-read" -> {
                    RestClient client = this.builder.baseUrl(this.downstream.baseUrl("bodies")).build();
                    yield onSharedTransport(name, description, "bodies", () -> client.get().uri("/big")
                            .exchange((request, response) -> readAFewBytes(response.getBody())));
                }
                case "keep-alives-disabled" -> {
                    // transport.disable-keep-alives is transport-wide (it has no per-host override) and would spoil
                    // the other demos, so each request asks for the close itself, on the shared transport where
                    // /actuator/transport sees it. Through RestClient an application cannot set Connection (the
                    // adapter leaves that hop-by-hop header to the transport), hence the transport's own API.
                    URI hello = URI.create(this.downstream.baseUrl("no-keep-alive") + "/hello");
                    yield onSharedTransport(name, description, "no-keep-alive", () -> {
                        Request request = Request.newBuilder(hello).get().header("Connection", "close").build();
                        try (Response response = this.transport.roundTrip(request)) {
                            return response.body().bytes();
                        }
                    });
                }
                default -> transportPerRequest(name, description);
            };
        }
        finally {
            this.running.unlock();
        }
    }

    private DemoResult onSharedTransport(String name, String description, String port, Call call)
            throws InterruptedException {
        String hostKey = "http://127.0.0.1:" + this.downstream.ports().get(port);
        PoolStats before = hostStats(this.transport.stats(), hostKey);
        long start = System.nanoTime();
        int failed = burst(REQUESTS, call);
        long durationMs = (System.nanoTime() - start) / 1_000_000;
        TransportStats stats = this.transport.stats();
        PoolStats after = hostStats(stats, hostKey);
        TimeWaitCounter.Counts timeWait = TimeWaitCounter.count(this.downstream.ports().get(port));
        return new DemoResult(name, description, hostKey, REQUESTS, CONCURRENCY, failed, durationMs,
                after.opened() - before.opened(), after.reused() - before.reused(), closedDelta(before, after),
                clientSide(timeWait), serverSide(timeWait), findings(stats, hostKey));
    }

    private DemoResult transportPerRequest(String name, String description) throws InterruptedException {
        String base = this.downstream.baseUrl("per-request");
        int requests = REQUESTS / 2;
        long[] opened = new long[1];
        ReentrantLock lock = new ReentrantLock();
        long start = System.nanoTime();
        int failed = burst(requests, () -> {
            // The anti-pattern on purpose: a transport and a client built for a single request.
            try (Transport perRequest = new Transport(TransportConfig.defaults())) {
                String body = RestClient.builder().requestFactory(new TransportClientHttpRequestFactory(perRequest))
                        .baseUrl(base).build().get().uri("/hello").retrieve().body(String.class);
                lock.lock();
                try {
                    opened[0] += perRequest.stats().totals().opened();
                }
                finally {
                    lock.unlock();
                }
                return body;
            }
        });
        long durationMs = (System.nanoTime() - start) / 1_000_000;
        List<Finding> findings = TransportDiagnosis.analyze(this.transport.stats()).stream()
                .filter(f -> f.code().equals("multiple-transports")).toList();
        TimeWaitCounter.Counts timeWait = TimeWaitCounter.count(this.downstream.ports().get("per-request"));
        return new DemoResult(name, description, base, requests, CONCURRENCY, failed, durationMs, opened[0], 0,
                Map.of(CloseReason.TRANSPORT_CLOSED.code(), opened[0]), clientSide(timeWait), serverSide(timeWait),
                findings);
    }

    /** Runs {@code count} calls from {@link #CONCURRENCY} threads; returns how many failed. */
    private static int burst(int count, Call call) throws InterruptedException {
        ExecutorService executor = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            List<Future<?>> futures = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                futures.add(executor.submit(() -> {
                    call.run();
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
            int failed = 0;
            for (Future<?> future : futures) {
                try {
                    future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
                catch (java.util.concurrent.ExecutionException | TimeoutException ex) {
                    failed++;
                    future.cancel(true);
                }
            }
            return failed;
        }
        finally {
            executor.shutdownNow();
        }
    }

    private static String readAFewBytes(InputStream body) throws IOException {
        byte[] buffer = new byte[16];
        int n = body.read(buffer);
        return (n > 0) ? new String(buffer, 0, n) : "";
    }

    private static PoolStats hostStats(TransportStats stats, String hostKey) {
        return stats.hosts().stream().filter(h -> h.key().toString().equals(hostKey)).map(HostStats::stats)
                .findFirst().orElse(new PoolStats(0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0));
    }

    private static Map<String, Long> closedDelta(PoolStats before, PoolStats after) {
        Map<String, Long> delta = new LinkedHashMap<>();
        for (CloseReason reason : CloseReason.values()) {
            long n = after.closed(reason) - ((before != null) ? before.closed(reason) : 0);
            if (n != 0) {
                delta.put(reason.code(), n);
            }
        }
        return delta;
    }

    /** With the transport's settings, so that a fix names the per-host override that set a cap. */
    private List<Finding> findings(TransportStats stats, String hostKey) {
        return TransportDiagnosis.analyze(stats, this.transport.config()).stream()
                .filter(f -> hostKey.equals(f.host())).toList();
    }

    private static Integer clientSide(TimeWaitCounter.Counts counts) {
        return (counts != null) ? counts.client() : null;
    }

    private static Integer serverSide(TimeWaitCounter.Counts counts) {
        return (counts != null) ? counts.server() : null;
    }

    @FunctionalInterface
    interface Call {
        Object run() throws Exception;
    }
}
