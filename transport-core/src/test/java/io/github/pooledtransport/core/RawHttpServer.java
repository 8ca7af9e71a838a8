package io.github.pooledtransport.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server that hands every accepted socket to a script writing exact bytes, for what
 * MockWebServer cannot produce (HTTP/1.0, oversized heads, close-delimited bodies, precise 100-continue).
 * It counts the connections it accepted and records every request head it read with {@link #readHead}.
 */
final class RawHttpServer implements AutoCloseable {

    /** Serves one accepted connection. */
    @FunctionalInterface
    interface Script {

        void serve(Socket socket, RawHttpServer server) throws Exception;
    }

    private final ServerSocket serverSocket;

    private final Script script;

    private final AtomicInteger connections = new AtomicInteger();

    private final List<String> heads = new CopyOnWriteArrayList<>();

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private final Thread acceptor;

    RawHttpServer(Script script) throws IOException {
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.script = script;
        this.acceptor = new Thread(this::acceptLoop, "raw-http-server-" + port());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** A script that answers every request on a connection with the same bytes until the client closes. */
    static Script answeringEveryRequestWith(String response) {
        return (socket, server) -> {
            InputStream in = socket.getInputStream();
            while (server.readHead(in) != null) {
                socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
            }
        };
    }

    /** A script that reads the request head and never answers, until the client closes. */
    static Script silentUntilTheClientCloses() {
        return (socket, server) -> {
            InputStream in = socket.getInputStream();
            server.readHead(in);
            drainUntilClosed(in);
        };
    }

    int port() {
        return this.serverSocket.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** @return connections accepted so far */
    int connections() {
        return this.connections.get();
    }

    /** @return every request head read so far, in order */
    List<String> heads() {
        return this.heads;
    }

    /** @return failures thrown by scripts */
    List<Throwable> failures() {
        return this.failures;
    }

    /**
     * Reads a request head up to and including the blank line, and records it.
     *
     * @return the head (ISO-8859-1), or {@code null} when the client closed before sending one
     */
    String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        while (matched < 4) {
            int b = in.read();
            if (b == -1) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("Client closed in the middle of a request head");
            }
            head.write(b);
            matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        this.heads.add(text);
        return text;
    }

    /** Reads exactly {@code n} bytes. */
    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new IOException("Expected " + n + " bytes but the client sent " + bytes.length);
        }
        return bytes;
    }

    /** Reads until the client closes; returns how many bytes arrived. */
    static long drainUntilClosed(InputStream in) throws IOException {
        long total = 0;
        byte[] buffer = new byte[1024];
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
        }
        return total;
    }

    private void acceptLoop() {
        while (!this.serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = this.serverSocket.accept();
            }
            catch (IOException ex) {
                return;
            }
            this.connections.incrementAndGet();
            this.sockets.add(socket);
            Thread handler = new Thread(() -> {
                try (Socket s = socket) {
                    this.script.serve(s, this);
                }
                catch (Throwable ex) {
                    if (!this.serverSocket.isClosed()) {
                        this.failures.add(ex);
                    }
                }
            }, "raw-http-connection-" + this.connections.get());
            handler.setDaemon(true);
            handler.start();
        }
    }

    @Override
    public void close() throws IOException {
        this.serverSocket.close();
        for (Socket socket : this.sockets) {
            socket.close();
        }
    }
}
