package io.github.pooledtransport.core.faults;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLServerSocket;


import io.github.pooledtransport.core.TransportConfig;

/**
 * A loopback HTTP/1.1 server (plain or TLS) that misbehaves at random: for every request it reads, it picks an
 * {@link Action} from a {@link Random} seeded by the run's seed, the request's id and how often that id has
 * arrived, so a run's plan does not depend on thread scheduling and a failing seed can be replayed. Response
 * bodies are derived from the request id ({@link #responseBody}), so a client can tell its own bytes from
 * anyone else's. It records how often each request id arrived and anything it found wrong with a request.
 */
final class ChaosServer implements AutoCloseable {

    /** How the client reaches the server. */
    enum Mode {
        PLAIN, TLS
    }

    /** What the server does with one request. */
    enum Action {

        /** A complete response framed by Content-Length. */
        LENGTH(26),

        /** A complete chunked response with chunks of random sizes. */
        CHUNKED(18),

        /** A complete response announced with {@code Connection: close}, then a graceful close. */
        ANNOUNCED_CLOSE(6),

        /** A complete response without a word, then a graceful close: the client pools a dead connection. */
        SILENT_CLOSE(8),

        /** A complete response, then a reset (SO_LINGER 0): the reset may overtake the response. */
        RESET_AFTER_ANSWER(4),

        /** The head and part of the body, then a reset. */
        RESET_MID_BODY(8),

        /** The head and part of the body (for chunked, possibly all data but the last chunk), then a FIN. */
        TRUNCATE_MID_BODY(8),

        /** The head and part of the body, then nothing: the client's read timeout must fire. */
        STALL_MID_BODY(4),

        /** Nothing at all until the client gives up on the response head. */
        STALL_BEFORE_HEAD(2),

        /** A complete response followed, in the same write, by a second response nobody asked for. */
        STRAY_BYTES(9),

        /** The request is read, then the connection is closed without an answer. */
        CLOSE_WITHOUT_ANSWER(5),

        /** The request is read, then the connection is reset without an answer. */
        RESET_WITHOUT_ANSWER(3);

        private final int weight;

        Action(int weight) {
            this.weight = weight;
        }
    }

    /** The request header that carries a request's unique id; the server echoes it on the response. */
    static final String ID_HEADER = "X-Chaos-Id";

    /** The body of the unsolicited response of {@link Action#STRAY_BYTES}: no request's expected body. */
    static final String STRAY_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" + ID_HEADER + ": stray\r\n\r\nbogus";

    /** Bodies stay small enough for a response plus stray bytes to leave in one TLS record (16 KiB). */
    private static final int MAX_BODY = 8000;

    private static final int TOTAL_WEIGHT = Arrays.stream(Action.values()).mapToInt(a -> a.weight).sum();

    /** How long a handler waits for a client before it gives up (only a client bug would make it wait). */
    private static final int HANDLER_SO_TIMEOUT_MILLIS = 15_000;

    private final Mode mode;

    private final long seed;

    private final ServerSocket serverSocket;

    private final Thread acceptor;

    private final AtomicInteger connections = new AtomicInteger();

    private final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();

    private final Map<Action, AtomicInteger> actions = new ConcurrentHashMap<>();

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private final List<Thread> handlers = new CopyOnWriteArrayList<>();

    private final List<String> failures = new CopyOnWriteArrayList<>();

    private volatile boolean closing;

    ChaosServer(Mode mode, long seed) throws IOException {
        this.mode = mode;
        this.seed = seed;
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        this.serverSocket = (mode == Mode.TLS)
                ? FaultCertificates.SERVER.sslContext().getServerSocketFactory().createServerSocket(0, 128, loopback)
                : new ServerSocket(0, 128, loopback);
        if (this.serverSocket instanceof SSLServerSocket ssl) {
            ssl.setEnabledProtocols(new String[] { "TLSv1.3", "TLSv1.2" });
        }
        this.acceptor = new Thread(this::acceptLoop, "chaos-accept-" + port());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** A client configuration that trusts this server's certificate (and works for plain servers too). */
    static TransportConfig.Builder clientConfig() {
        return TransportConfig.builder().sslContext(FaultCertificates.CLIENT.sslContext(), FaultCertificates.CLIENT_IDENTITY);
    }

    /**
     * @param seed the run's seed
     * @param id a request id
     * @param arrival how often the id has arrived, this time included (2 for a replay)
     * @return a random source for what the server does with that arrival
     */
    static Random planFor(long seed, String id, int arrival) {
        return new Random(seed * 0x9E3779B97F4A7C15L + id.hashCode() * 1_000_003L + arrival);
    }

    /** @return the action the server takes for an arrival (for failure messages) */
    static Action actionFor(long seed, String id, int arrival) {
        return pick(planFor(seed, id, arrival));
    }

    private static Action pick(Random plan) {
        int n = plan.nextInt(TOTAL_WEIGHT);
        for (Action action : Action.values()) {
            n -= action.weight;
            if (n < 0) {
                return action;
            }
        }
        throw new IllegalStateException();
    }

    /** @return the response body that belongs to a request id, and to no other */
    static byte[] responseBody(String id) {
        return derived("response:" + id + ";", id.hashCode() * 31L + 7);
    }

    /** @return the request body a client sends with a request id */
    static byte[] requestBody(String id) {
        return derived("request:" + id + ";", id.hashCode() * 17L + 3);
    }

    private static byte[] derived(String prefix, long salt) {
        Random random = new Random(salt);
        byte[] head = prefix.getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = new byte[head.length + random.nextInt(MAX_BODY - head.length)];
        System.arraycopy(head, 0, body, 0, head.length);
        byte[] tail = new byte[body.length - head.length];
        random.nextBytes(tail);
        System.arraycopy(tail, 0, body, head.length, tail.length);
        return body;
    }

    String url(String path) {
        return ((this.mode == Mode.TLS) ? "https" : "http") + "://127.0.0.1:" + port() + path;
    }

    int port() {
        return this.serverSocket.getLocalPort();
    }

    /** @return connections accepted so far */
    int connections() {
        return this.connections.get();
    }

    /** @return how often each {@code "METHOD id"} arrived complete */
    Map<String, Integer> arrivals() {
        Map<String, Integer> copy = new HashMap<>();
        this.arrivals.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** @return how often each action was taken */
    Map<Action, Integer> actions() {
        Map<Action, Integer> copy = new EnumMap<>(Action.class);
        this.actions.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** @return what the server found wrong with what clients sent */
    List<String> failures() {
        return this.failures;
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
            int number = this.connections.incrementAndGet();
            this.sockets.add(socket);
            Thread handler = new Thread(() -> serve(socket), "chaos-connection-" + number);
            handler.setDaemon(true);
            this.handlers.add(handler);
            handler.start();
        }
    }

    private void serve(Socket socket) {
        try (Socket s = socket) {
            s.setSoTimeout(HANDLER_SO_TIMEOUT_MILLIS);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                Exchange request = readRequest(in);
                if (request == null) {
                    return;
                }
                int arrival = this.arrivals.computeIfAbsent(request.method + " " + request.id,
                        k -> new AtomicInteger()).incrementAndGet();
                if (request.method.equals("POST") && !Arrays.equals(request.body, requestBody(request.id))) {
                    this.failures.add("POST " + request.id + " arrived with a body other than the one sent ("
                            + request.body.length + " bytes)");
                }
                Random plan = planFor(this.seed, request.id, arrival);
                Action action = pick(plan);
                this.actions.computeIfAbsent(action, k -> new AtomicInteger()).incrementAndGet();
                if (!respond(s, in, out, request.id, action, plan)) {
                    // SSLSocket.close() waits up to SO_TIMEOUT for the peer's close_notify: not for long.
                    s.setSoTimeout(1);
                    return;
                }
            }
        }
        catch (SocketTimeoutException ex) {
            // an idle pooled connection nobody used for a while: the server may close it
        }
        catch (SocketException ex) {
            // the client went away (reset, or closed while we wrote): part of the chaos
        }
        catch (IOException ex) {
            if (!this.closing && !isClientGone(ex)) {
                this.failures.add(Thread.currentThread().getName() + ": " + ex);
            }
        }
    }

    private static boolean isClientGone(IOException ex) {
        // A TLS peer that resets or closes mid-record surfaces as an SSLException or an EOF, not a SocketException.
        return ex instanceof javax.net.ssl.SSLException || ex instanceof java.io.EOFException
                || ex instanceof ClientClosedException;
    }

    /** @return whether to keep serving the connection */
    private boolean respond(Socket socket, InputStream in, OutputStream out, String id, Action action, Random plan)
            throws IOException {
        byte[] body = responseBody(id);
        boolean chunked = plan.nextBoolean();
        switch (action) {
            case LENGTH -> {
                out.write(lengthResponse(id, body, ""));
                out.flush();
                return true;
            }
            case CHUNKED -> {
                out.write(chunkedResponse(id, body, plan, ""));
                out.flush();
                return true;
            }
            case ANNOUNCED_CLOSE -> {
                out.write(chunked ? chunkedResponse(id, body, plan, "Connection: close\r\n")
                        : lengthResponse(id, body, "Connection: close\r\n"));
                out.flush();
                return false;
            }
            case SILENT_CLOSE -> {
                out.write(chunked ? chunkedResponse(id, body, plan, "") : lengthResponse(id, body, ""));
                out.flush();
                return false;
            }
            case RESET_AFTER_ANSWER -> {
                out.write(chunked ? chunkedResponse(id, body, plan, "") : lengthResponse(id, body, ""));
                out.flush();
                reset(socket);
                return false;
            }
            case RESET_MID_BODY, TRUNCATE_MID_BODY, STALL_MID_BODY -> {
                byte[] full = chunked ? chunkedResponse(id, body, plan, "") : lengthResponse(id, body, "");
                int headLength = headLength(full);
                // Cut anywhere from just after the head to just before the end: some of the body is missing.
                int cut = headLength + plan.nextInt(full.length - headLength);
                out.write(full, 0, cut);
                out.flush();
                if (action == Action.RESET_MID_BODY) {
                    reset(socket);
                }
                else if (action == Action.STALL_MID_BODY) {
                    awaitClientClose(in);
                }
                return false;
            }
            case STALL_BEFORE_HEAD -> {
                awaitClientClose(in);
                return false;
            }
            case STRAY_BYTES -> {
                byte[] response = chunked ? chunkedResponse(id, body, plan, "") : lengthResponse(id, body, "");
                byte[] stray = STRAY_RESPONSE.getBytes(StandardCharsets.ISO_8859_1);
                byte[] both = Arrays.copyOf(response, response.length + stray.length);
                System.arraycopy(stray, 0, both, response.length, stray.length);
                // One write, so the stray bytes are on the client's side before it can send another request.
                out.write(both);
                out.flush();
                return true;
            }
            case CLOSE_WITHOUT_ANSWER -> {
                return false;
            }
            case RESET_WITHOUT_ANSWER -> {
                reset(socket);
                return false;
            }
            default -> throw new IllegalStateException(action.toString());
        }
    }

    private static byte[] lengthResponse(String id, byte[] body, String extraHeaders) {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n" + ID_HEADER + ": " + id + "\r\n"
                + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] response = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, response, head.length, body.length);
        return response;
    }

    private static byte[] chunkedResponse(String id, byte[] body, Random plan, String extraHeaders) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + ID_HEADER + ": " + id + "\r\n"
                + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        int offset = 0;
        while (offset < body.length) {
            int size = Math.min(body.length - offset, 1 + plan.nextInt(3000));
            out.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, offset, size);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            offset += size;
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static int headLength(byte[] response) {
        for (int i = 3; i < response.length; i++) {
            if (response[i - 3] == '\r' && response[i - 2] == '\n' && response[i - 1] == '\r' && response[i] == '\n') {
                return i + 1;
            }
        }
        throw new IllegalStateException("no head");
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /**
     * Reads until the client closes, which its response-header or read timeout makes it do; the handler's socket
     * timeout bounds the wait, and reaching it means the client kept a stalled connection.
     */
    private void awaitClientClose(InputStream in) throws IOException {
        byte[] buffer = new byte[1024];
        try {
            while (in.read(buffer) != -1) {
                // discard
            }
        }
        catch (SocketTimeoutException ex) {
            if (!this.closing) {
                this.failures.add(Thread.currentThread().getName() + ": the client kept a stalled connection open for "
                        + HANDLER_SO_TIMEOUT_MILLIS + " ms");
            }
        }
    }

    /** One request as read: method, id, body. */
    private record Exchange(String method, String id, byte[] body) {
    }

    /** The client closed in the middle of a request: a fault of the chaos, not of the client. */
    private static final class ClientClosedException extends IOException {

        private static final long serialVersionUID = 1L;

        ClientClosedException(String message) {
            super(message);
        }
    }

    /** @return the request, or {@code null} when the client closed between requests */
    private Exchange readRequest(InputStream in) throws IOException {
        String requestLine = readLine(in, true);
        if (requestLine == null) {
            return null;
        }
        Map<String, String> headers = new HashMap<>();
        String line;
        while (!(line = readLine(in, false)).isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        String method = requestLine.substring(0, requestLine.indexOf(' '));
        String id = headers.get(ID_HEADER.toLowerCase(Locale.ROOT));
        if (id == null) {
            throw new IOException("request without " + ID_HEADER + ": " + requestLine);
        }
        byte[] body = new byte[0];
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        }
        else if (headers.containsKey("content-length")) {
            int length = Integer.parseInt(headers.get("content-length"));
            body = in.readNBytes(length);
            if (body.length != length) {
                throw new ClientClosedException("client closed in the middle of a request body");
            }
        }
        return new Exchange(method, id, body);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, false);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon >= 0) ? sizeLine.substring(0, semicolon) : sizeLine, 16);
            if (size == 0) {
                while (!readLine(in, false).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new ClientClosedException("client closed in the middle of a request chunk");
            }
            body.writeBytes(chunk);
            readLine(in, false);
        }
    }

    /**
     * @param eofAllowed whether a close before the first byte is a normal end
     * @return the line without CRLF, or {@code null} at a permitted EOF
     */
    private static String readLine(InputStream in, boolean eofAllowed) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b == -1) {
                if (eofAllowed && line.size() == 0) {
                    return null;
                }
                throw new ClientClosedException("client closed in the middle of a request line");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
    }

    /**
     * Closes the listening socket, lets handlers finish (their clients are gone by now), then closes whatever is
     * left. Waiting for the handlers matters to the file-descriptor count: a socket closed while another thread
     * is blocked on it keeps its descriptor until that thread leaves.
     */
    @Override
    public void close() throws IOException {
        this.closing = true;
        this.serverSocket.close();
        joinQuietly(this.acceptor, Duration.ofSeconds(5));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (Thread handler : this.handlers) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                joinQuietly(handler, Duration.ofNanos(left));
            }
        }
        for (Socket socket : this.sockets) {
            socket.close();
        }
        for (Thread handler : this.handlers) {
            joinQuietly(handler, Duration.ofSeconds(1));
        }
    }

    /** @return handler threads still running (only a client that never closed would leave one) */
    long liveHandlers() {
        return this.handlers.stream().filter(Thread::isAlive).count();
    }

    private static void joinQuietly(Thread thread, Duration timeout) {
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout.toNanos())));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
