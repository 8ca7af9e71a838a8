package io.github.pooledtransport.core.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLServerSocket;


import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * A loopback server that behaves as badly as a script tells it to, over plain TCP or TLS: each accepted
 * connection is handed to the script with helpers to read request heads and bodies and to write exact bytes.
 * It counts connections and records every request head, so a test can tell which connection carried what.
 */
final class HostileServer implements AutoCloseable {

    /** How the client reaches the server. */
    enum Mode {
        PLAIN, TLS
    }

    /** Serves one accepted connection. */
    @FunctionalInterface
    interface Script {

        void serve(Peer peer) throws Exception;
    }

    private final Mode mode;

    private final ServerSocket serverSocket;

    private final Script script;

    private final AtomicInteger connections = new AtomicInteger();

    private final List<String> heads = new CopyOnWriteArrayList<>();

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    HostileServer(Mode mode, Script script) throws IOException {
        this.mode = mode;
        this.script = script;
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        this.serverSocket = (mode == Mode.TLS)
                ? FaultCertificates.SERVER.sslContext().getServerSocketFactory().createServerSocket(0, 50, loopback)
                : new ServerSocket(0, 50, loopback);
        if (this.serverSocket instanceof SSLServerSocket ssl) {
            ssl.setEnabledProtocols(new String[] { "TLSv1.3", "TLSv1.2" });
        }
        Thread acceptor = new Thread(this::acceptLoop, "hostile-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A client configuration that trusts this server's certificate (and works for plain servers too). */
    static TransportConfig.Builder clientConfig() {
        return TransportConfig.builder().sslContext(FaultCertificates.CLIENT.sslContext(), FaultCertificates.CLIENT_IDENTITY)
                .readTimeout(Duration.ofSeconds(10)).responseHeaderTimeout(Duration.ofSeconds(10));
    }

    static Transport client() {
        return new Transport(clientConfig().build());
    }

    int port() {
        return this.serverSocket.getLocalPort();
    }

    String url(String path) {
        return ((this.mode == Mode.TLS) ? "https" : "http") + "://127.0.0.1:" + port() + path;
    }

    /** @return connections accepted so far */
    int connections() {
        return this.connections.get();
    }

    /** @return every request head read so far, in order */
    List<String> heads() {
        return this.heads;
    }

    /** @return failures thrown by scripts, other than the client going away */
    List<Throwable> failures() {
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
            Thread handler = new Thread(() -> {
                try (Socket s = socket) {
                    this.script.serve(new Peer(s, number));
                }
                catch (Throwable ex) {
                    if (!this.serverSocket.isClosed() && !(ex instanceof java.net.SocketException)) {
                        this.failures.add(ex);
                    }
                }
            }, "hostile-connection-" + number);
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

    /** One accepted connection, as the script sees it. */
    final class Peer {

        final Socket socket;

        /** The connection's number, from 1 in the order accepted. */
        final int number;

        final InputStream in;

        final OutputStream out;

        Peer(Socket socket, int number) throws IOException {
            this.socket = socket;
            this.number = number;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /**
         * Reads a request head up to and including the blank line, and its body when it declares a length (unless
         * it expects {@code 100 Continue}: then the script reads the body).
         *
         * @return the head (ISO-8859-1), or {@code null} when the client closed before sending one
         */
        String readRequest() throws IOException {
            String text = readHead();
            if (text == null || text.toLowerCase(Locale.ROOT).contains("\r\nexpect: 100-continue\r\n")) {
                return text; // the body comes once the script answers
            }
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    int length = Integer.parseInt(line.substring(15).trim());
                    if (this.in.readNBytes(length).length != length) {
                        throw new IOException("Client closed in the middle of a request body");
                    }
                }
            }
            return text;
        }

        /**
         * Reads a request head up to and including the blank line, and nothing of its body: what a server that
         * stops reading, or answers before the body, does.
         *
         * @return the head (ISO-8859-1), or {@code null} when the client closed before sending one
         */
        String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            byte[] end = { '\r', '\n', '\r', '\n' };
            while (matched < 4) {
                int b = this.in.read();
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
            HostileServer.this.heads.add(text);
            return text;
        }

        /** Writes bytes exactly as given and flushes them. */
        void write(String bytes) throws IOException {
            this.out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            this.out.flush();
        }

        void write(byte[] bytes) throws IOException {
            this.out.write(bytes);
            this.out.flush();
        }

        /**
         * Waits until the bytes written so far sit in the client's socket receive queue. Over loopback a write
         * returns before the kernel has delivered it when the machine is busy; a test about bytes that arrived
         * on an idle connection must not race that delivery. Reads Linux's /proc/net/tcp; bounded.
         */
        void awaitDeliveredToClient() throws Exception {
            String local = String.format(":%04X", this.socket.getPort());
            String remote = String.format(":%04X", this.socket.getLocalPort());
            for (int i = 0; i < 5000; i++) {
                for (String table : new String[] { "/proc/net/tcp", "/proc/net/tcp6" }) {
                    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length > 4 && f[1].endsWith(local) && f[2].endsWith(remote)
                                && Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16) > 0) {
                            return;
                        }
                    }
                }
                Thread.sleep(1);
            }
            throw new AssertionError("The client's kernel never received the bytes");
        }

        /** Reads until the client closes. */
        void awaitClientClose() throws IOException {
            byte[] buffer = new byte[1024];
            while (this.in.read(buffer) != -1) {
                // discard
            }
        }

        /** Resets the connection (RST) instead of closing it gracefully. */
        void reset() throws IOException {
            this.socket.setSoLinger(true, 0);
            this.socket.close();
        }
    }

    /** GETs the URL and returns the body (ISO-8859-1), closing the response. */
    static String get(io.github.pooledtransport.core.Transport transport, String url) throws IOException {
        try (io.github.pooledtransport.core.Response response = transport.roundTrip(
                io.github.pooledtransport.core.Request.get(url))) {
            return new String(response.body().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** A complete response with a body and a length. */
    static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Length: " + body.getBytes(StandardCharsets.ISO_8859_1).length + "\r\n\r\n"
                + body;
    }
}
