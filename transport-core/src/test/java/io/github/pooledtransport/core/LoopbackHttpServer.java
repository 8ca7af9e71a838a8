package io.github.pooledtransport.core;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal HTTP/1.1 keep-alive server on 127.0.0.1 with a thread per connection and a large accept backlog,
 * answering every body-less request with {@code 200 ok}. It counts accepted connections and lets a test run a
 * hook before each response (for example to hold responses until many requests are in flight).
 */
final class LoopbackHttpServer implements Closeable {

    /** Runs on the connection's thread after a request head was read, before the response is written. */
    @FunctionalInterface
    interface Hook {
        void beforeResponse(int connectionIndex) throws Exception;
    }

    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket serverSocket;

    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "loopback-http-server");
        thread.setDaemon(true);
        return thread;
    });

    private final AtomicInteger connections = new AtomicInteger();

    private final AtomicInteger requests = new AtomicInteger();

    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private volatile Hook hook = index -> {
    };

    LoopbackHttpServer(int backlog) throws IOException {
        this.serverSocket = new ServerSocket(0, backlog, InetAddress.getByName("127.0.0.1"));
        this.threads.execute(this::acceptLoop);
    }

    int port() {
        return this.serverSocket.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** @return connections accepted so far */
    int connectionCount() {
        return this.connections.get();
    }

    /** @return requests whose head was read so far */
    int requestCount() {
        return this.requests.get();
    }

    void hook(Hook hook) {
        this.hook = hook;
    }

    private void acceptLoop() {
        while (!this.serverSocket.isClosed()) {
            try {
                Socket socket = this.serverSocket.accept();
                int index = this.connections.getAndIncrement();
                this.open.add(socket);
                this.threads.execute(() -> serve(socket, index));
            }
            catch (IOException ex) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket, int index) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (readHead(in)) {
                this.requests.incrementAndGet();
                this.hook.beforeResponse(index);
                out.write(RESPONSE);
                out.flush();
            }
        }
        catch (Exception ex) {
            // the client went away or the server is closing
        }
        finally {
            this.open.remove(socket);
        }
    }

    /** Reads one request head; @return false at end of stream. Requests are expected to have no body. */
    private static boolean readHead(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        boolean any = false;
        while ((b = in.read()) != -1) {
            any = true;
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII).trim();
                line.reset();
                if (text.isEmpty()) {
                    return true;
                }
            }
            else {
                line.write(b);
            }
        }
        if (any) {
            throw new IOException("stream ended inside a request head");
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        this.serverSocket.close();
        for (Socket socket : this.open) {
            try {
                socket.close();
            }
            catch (IOException ex) {
                // closing anyway
            }
        }
        this.threads.shutdownNow();
    }
}
