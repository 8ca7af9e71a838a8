package io.github.pooledtransport.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * Client CPU per small request on one pooled connection: one calling thread, sequential GETs of a small body
 * from a server in another process (nginx on loopback), CPU time of the calling thread divided by requests.
 * Thread CPU time excludes the server, so the figure is the client's own cost. Usage:
 * {@code java -cp ... ClientCpuPerRequest http://127.0.0.1:18080/1k [requests]}.
 */
public final class ClientCpuPerRequest {

    private ClientCpuPerRequest() {
    }

    /**
     * @param args URL, then optionally the number of measured requests per round
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int requests = (args.length > 1) ? Integer.parseInt(args[1]) : 100_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf("JVM %s, %d cores, %d requests per round, body from %s%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), requests, uri);
        try (Transport transport = new Transport(TransportConfig.defaults());
                CloseableHttpClient hc5 = HttpClients.custom()
                        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().build())
                        .disableContentCompression().build()) {
            Request request = Request.newBuilder(uri).header("Accept-Encoding", "identity").build();
            Call ours = () -> {
                try (Response response = transport.roundTrip(request)) {
                    return response.body().readAllBytes().length;
                }
            };
            Call theirs = () -> {
                HttpGet get = new HttpGet(uri);
                return hc5.execute(get, response -> EntityUtils.toByteArray(response.getEntity()).length);
            };
            for (int round = 1; round <= 3; round++) {
                report("pooled-transport", ours, requests, threads, round);
                report("apache-httpclient5", theirs, requests, threads, round);
            }
            System.out.println("pooled-transport pool: " + transport.stats().totals());
        }
    }

    private static void report(String name, Call call, int requests, ThreadMXBean threads, int round)
            throws Exception {
        for (int i = 0; i < requests / 5; i++) {
            call.run(); // warm-up
        }
        long bytes = 0;
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            bytes += call.run();
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        System.out.printf("round %d %-20s client CPU %6.2f us/request, wall %6.2f us/request (%,.0f req/s), %d bytes%n",
                round, name, cpu / 1000.0 / requests, wall / 1000.0 / requests, requests * 1e9 / wall, bytes);
    }

    @FunctionalInterface
    private interface Call {
        int run() throws Exception;
    }
}
