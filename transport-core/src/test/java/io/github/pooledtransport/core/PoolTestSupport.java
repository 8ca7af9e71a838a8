package io.github.pooledtransport.core;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** Small fixtures shared by the pool specifications. */
final class PoolTestSupport {

    private PoolTestSupport() {
    }

    /** @return a started loopback server that answers every request with {@code 200 ok} (keep-alive) */
    static MockWebServer okServer() throws IOException {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("ok").build();
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        return server;
    }

    static String url(MockWebServer server, String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    static Request get(MockWebServer server, String path) {
        return Request.get(url(server, path));
    }

    /** Sends a request and reads and closes the response, giving the connection back. */
    static void fetch(Transport transport, MockWebServer server, String path) throws IOException {
        try (Response response = transport.roundTrip(get(server, path))) {
            response.body().readAllBytes();
        }
    }

    /**
     * Takes {@code count} recorded requests from the server, keyed by request target.
     */
    static Map<String, RecordedRequest> takeRequests(MockWebServer server, int count) throws InterruptedException {
        Map<String, RecordedRequest> byTarget = new HashMap<>();
        for (int i = 0; i < count; i++) {
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            if (request == null) {
                throw new AssertionError("server received only " + i + " of " + count + " requests");
            }
            byTarget.put(request.getTarget(), request);
        }
        return byTarget;
    }

    /** Takes {@code count} recorded requests from the server, in the order it received them. */
    static List<RecordedRequest> takeInOrder(MockWebServer server, int count) throws InterruptedException {
        List<RecordedRequest> result = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            if (request == null) {
                throw new AssertionError("server received only " + i + " of " + count + " requests");
            }
            result.add(request);
        }
        return result;
    }

    /** @return the stats of the host key for this server's loopback port */
    static HostStats hostStats(Transport transport, MockWebServer server) {
        return hostStats(transport, server.getPort());
    }

    static HostStats hostStats(Transport transport, int port) {
        return transport.stats().hosts().stream()
                .filter(h -> h.key().host().equals("127.0.0.1") && h.key().port() == port)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no stats for 127.0.0.1:" + port));
    }

    /** Waits (bounded) for a state another thread is about to reach; not a timeout substitute. */
    static void awaitUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        }
        catch (Exception ex) {
            // cleanup only
        }
    }
}
