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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal HTTP/1.1 server on a plain {@link ServerSocket}, for tests that need control over when a kept-alive
 * connection is closed. Each accepted connection is numbered from 1 and each request on it from 1; a
 * {@link Script} decides per request whether to answer, answer and close, or close without answering. Every
 * request is recorded with its connection and exchange number.
 *
 * <p>The response body is the request target, so a client can tell which request a response belongs to.
 */
final class ScriptedHttpServer implements Closeable {

    /** What the server does with a request it has read completely. */
    enum Action {
        /** Answer 200 and keep the connection open. */
        RESPOND,
        /** Answer 200 (without {@code Connection: close}), then close the socket. */
        RESPOND_THEN_CLOSE,
        /** Answer 200 with {@code Connection: close}, then close the socket. */
        RESPOND_WITH_CONNECTION_CLOSE,
        /** Close the socket without sending a single byte. */
        CLOSE_WITHOUT_RESPONSE
    }

    /** Decides the fate of each request. */
    @FunctionalInterface
    interface Script {
        Action on(ServedRequest request);
    }

    /**
     * A request as the server read it.
     *
     * @param connection the number of the connection it came on, from 1
     * @param exchange its position on that connection, from 1
     * @param method the method
     * @param target the request target
     * @param headers the headers, names lower-cased
     * @param body the body bytes
     */
    record ServedRequest(int connection, int exchange, String method, String target, Map<String, String> headers,
            byte[] body) {

        String header(String name) {
            return this.headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(this.body, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket serverSocket;

    private final AtomicInteger accepted = new AtomicInteger();

    private final List<ServedRequest> requests = new CopyOnWriteArrayList<>();

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    private final Map<Integer, CountDownLatch> ended = new ConcurrentHashMap<>();

    private volatile Script script = request -> Action.RESPOND;

    private volatile boolean closed;

    private ScriptedHttpServer(InetAddress bindAddress) throws IOException {
        this.serverSocket = new ServerSocket(0, 50, bindAddress);
        Thread acceptor = new Thread(this::acceptLoop, "raw-http-accept-" + this.serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        this.threads.add(acceptor);
        acceptor.start();
    }

    /** Starts a server on 127.0.0.1 and an ephemeral port. */
    static ScriptedHttpServer start() throws IOException {
        return start(InetAddress.getByName("127.0.0.1"));
    }

    static ScriptedHttpServer start(InetAddress bindAddress) throws IOException {
        return new ScriptedHttpServer(bindAddress);
    }

    /** Replaces the script; applies to requests read from now on. */
    ScriptedHttpServer script(Script script) {
        this.script = script;
        return this;
    }

    /** Answers every request, closing each connection right after its {@code n}-th response. */
    ScriptedHttpServer closeAfterResponses(int n) {
        return script(r -> (r.exchange() >= n) ? Action.RESPOND_THEN_CLOSE : Action.RESPOND);
    }

    int port() {
        return this.serverSocket.getLocalPort();
    }

    /** @return {@code http://127.0.0.1:port} followed by the path (for a server bound to 127.0.0.1) */
    String url(String path) {
        return "http://" + this.serverSocket.getInetAddress().getHostAddress() + ":" + port() + path;
    }

    /** @return how many connections the server accepted */
    int acceptedConnections() {
        return this.accepted.get();
    }

    /** @return every request read so far, in the order they were read */
    List<ServedRequest> requests() {
        return List.copyOf(this.requests);
    }

    /** @return how many times a request with this method and target was read, on any connection */
    long timesReceived(String method, String target) {
        return this.requests.stream().filter(r -> r.method().equals(method) && r.target().equals(target)).count();
    }

    /**
     * Waits until the server side of connection {@code connection} is closed (by the script, or because the
     * client closed it).
     */
    void awaitConnectionEnded(int connection) throws InterruptedException {
        if (!latch(connection).await(5, TimeUnit.SECONDS)) {
            throw new AssertionError("connection " + connection + " did not end within 5 s");
        }
    }

    private CountDownLatch latch(int connection) {
        return this.ended.computeIfAbsent(connection, c -> new CountDownLatch(1));
    }

    private void acceptLoop() {
        while (!this.closed) {
            Socket socket;
            try {
                socket = this.serverSocket.accept();
            }
            catch (IOException ex) {
                return;
            }
            int index = this.accepted.incrementAndGet();
            latch(index);
            this.sockets.add(socket);
            Thread thread = new Thread(() -> serve(socket, index), "raw-http-conn-" + index);
            thread.setDaemon(true);
            this.threads.add(thread);
            thread.start();
        }
    }

    private void serve(Socket socket, int connection) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (int exchange = 1;; exchange++) {
                ServedRequest request = readRequest(in, connection, exchange);
                if (request == null) {
                    return; // the client closed the connection
                }
                this.requests.add(request);
                Action action = this.script.on(request);
                if (action == Action.CLOSE_WITHOUT_RESPONSE) {
                    return;
                }
                byte[] body = request.target().getBytes(StandardCharsets.UTF_8);
                String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                        + "\r\nX-Connection: " + connection + "\r\n"
                        + ((action == Action.RESPOND_WITH_CONNECTION_CLOSE) ? "Connection: close\r\n" : "") + "\r\n";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                if (action != Action.RESPOND) {
                    return;
                }
            }
        }
        catch (IOException ex) {
            // the connection broke; nothing to record
        }
        finally {
            latch(connection).countDown(); // runs after try-with-resources closed the socket
        }
    }

    private static ServedRequest readRequest(InputStream in, int connection, int exchange) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        }
        else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                buffer.write(in.readNBytes(size));
                readLine(in);
            }
            body = buffer.toByteArray();
        }
        else {
            body = new byte[0];
        }
        return new ServedRequest(connection, exchange, parts[0], parts[1], headers, body);
    }

    /** @return the line without CRLF, or {@code null} at end of stream before any byte */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = (bytes.length > 0 && bytes[bytes.length - 1] == '\r') ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        if (line.size() == 0) {
            return null;
        }
        throw new IOException("connection closed in the middle of a line");
    }

    @Override
    public void close() {
        this.closed = true;
        try {
            this.serverSocket.close();
        }
        catch (IOException ex) {
            // closing anyway
        }
        for (Socket socket : this.sockets) {
            try {
                socket.close();
            }
            catch (IOException ex) {
                // closing anyway
            }
        }
        for (Thread thread : new ArrayList<>(this.threads)) {
            try {
                thread.join(5_000);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
