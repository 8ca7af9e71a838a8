package io.github.pooledtransport.benchmarks.jmh;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import io.github.pooledtransport.core.LeakDetection;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * The whole client request path on a kept-alive connection: {@link Transport#roundTrip} of a GET, the 1 KiB
 * body read to its end into a reused buffer, the response closed. The server is a minimal HTTP/1.1 server
 * in the same JVM (loopback, one thread per connection) that answers every request with the same
 * pre-encoded response and allocates nothing per request, so that {@code -prof gc}'s
 * {@code gc.alloc.rate.norm} (which counts every thread of the JVM) is the client's allocation per request;
 * the tear-down prints the server threads' own allocation to confirm it.
 *
 * <p>The transport has the default configuration (so it also asks for gzip, which the server ignores), with
 * leak detection {@code ON} (the default) and {@code OFF}. The request is built once: building it is the
 * caller's cost, not the transport's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class RequestPathBenchmark {

    static final int BODY_BYTES = 1024;

    @Param({ "ON", "OFF" })
    public LeakDetection leakDetection;

    private MiniHttpServer server;

    private Transport transport;

    private Request request;

    /** The caller's read buffer, reused across requests. */
    @State(Scope.Thread)
    public static class ReadBuffer {

        final byte[] bytes = new byte[4096];
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        this.server = new MiniHttpServer();
        this.transport = new Transport(TransportConfig.builder().leakDetection(this.leakDetection).build());
        this.request = Request.get(this.server.uri("/1k"));
        long read = get(new ReadBuffer());
        if (read != BODY_BYTES) {
            throw new IllegalStateException("expected " + BODY_BYTES + " body bytes, read " + read);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        PoolStats totals = this.transport.stats().totals();
        this.transport.close();
        this.server.close();
        long requests = this.server.requests.sum();
        System.out.printf("%n[request-path] leakDetection=%s connections opened=%d reused=%d closed=%d; server: %d "
                + "requests, %d bytes allocated by its connection threads (%.3f B/request)%n", this.leakDetection,
                totals.opened(), totals.reused(), totals.closedTotal(), requests, this.server.allocated.sum(),
                (requests == 0) ? 0.0 : (double) this.server.allocated.sum() / requests);
        if (totals.opened() != 1) {
            throw new IllegalStateException("expected every request on one kept-alive connection: " + totals);
        }
    }

    @Benchmark
    public long get(ReadBuffer buffer) throws IOException {
        try (Response response = this.transport.roundTrip(this.request)) {
            if (response.status() != 200) {
                throw new IllegalStateException("unexpected " + response);
            }
            InputStream body = response.body();
            byte[] bytes = buffer.bytes;
            long total = 0;
            int n;
            while ((n = body.read(bytes, 0, bytes.length)) != -1) {
                total += n;
            }
            return total;
        }
    }

    /**
     * A keep-alive HTTP/1.1 server on 127.0.0.1 for requests without a body: reads each request head up to
     * its blank line and writes one fixed response. One thread per connection, no allocation per request.
     */
    static final class MiniHttpServer implements Closeable {

        private static final byte[] RESPONSE = response();

        private static final byte[] HEAD_END = { '\r', '\n', '\r', '\n' };

        final LongAdder requests = new LongAdder();

        /** Bytes allocated by connection threads, added when each one ends. */
        final LongAdder allocated = new LongAdder();

        private final ServerSocket serverSocket;

        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        private final List<Thread> threads = new CopyOnWriteArrayList<>();

        private volatile boolean closed;

        MiniHttpServer() throws IOException {
            this.serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            Thread acceptor = new Thread(this::acceptLoop, "mini-http-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static byte[] response() {
            byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                    + BODY_BYTES + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] result = new byte[head.length + BODY_BYTES];
            System.arraycopy(head, 0, result, 0, head.length);
            for (int i = 0; i < BODY_BYTES; i++) {
                result[head.length + i] = (byte) ('a' + i % 26);
            }
            return result;
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + this.serverSocket.getLocalPort() + path);
        }

        private void acceptLoop() {
            while (!this.closed) {
                try {
                    Socket socket = this.serverSocket.accept();
                    socket.setTcpNoDelay(true);
                    this.sockets.add(socket);
                    Thread thread = new Thread(() -> serve(socket), "mini-http-connection");
                    thread.setDaemon(true);
                    this.threads.add(thread);
                    thread.start();
                }
                catch (IOException ex) {
                    // closed
                }
            }
        }

        private void serve(Socket socket) {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long start = mx.getCurrentThreadAllocatedBytes();
            byte[] buffer = new byte[8192];
            int matched = 0;
            long served = 0;
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    for (int i = 0; i < n; i++) {
                        byte b = buffer[i];
                        if (b == HEAD_END[matched]) {
                            matched++;
                        }
                        else {
                            matched = (b == '\r') ? 1 : 0;
                        }
                        if (matched == HEAD_END.length) {
                            out.write(RESPONSE);
                            served++;
                            matched = 0;
                        }
                    }
                }
            }
            catch (IOException ex) {
                // client went away
            }
            finally {
                this.requests.add(served);
                this.allocated.add(mx.getCurrentThreadAllocatedBytes() - start);
            }
        }

        @Override
        public void close() throws IOException {
            this.closed = true;
            this.serverSocket.close();
            for (Socket socket : this.sockets) {
                socket.close();
            }
            for (Thread thread : this.threads) {
                try {
                    thread.join(2000);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
