package io.github.pooledtransport.spring.http;

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
 * A loopback HTTP/1.1 server whose every connection runs a script on its own thread: for faults that
 * MockWebServer cannot stage (a body that stops half-way and holds the connection open, a head never sent).
 */
final class ScriptedServer implements AutoCloseable {

    /** What one accepted connection does. */
    @FunctionalInterface
    interface Script {

        void run(Socket socket, int connectionIndex) throws Exception;
    }

    private final ServerSocket listener;

    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    private final AtomicInteger connections = new AtomicInteger();

    private final Thread acceptor;

    ScriptedServer(Script script) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(() -> {
            while (!this.listener.isClosed()) {
                Socket socket;
                try {
                    socket = this.listener.accept();
                }
                catch (IOException ex) {
                    return;
                }
                this.accepted.add(socket);
                int index = this.connections.getAndIncrement();
                Thread handler = new Thread(() -> {
                    try (socket) {
                        script.run(socket, index);
                    }
                    catch (Exception ex) {
                        // the client went away: the script ends
                    }
                }, "scripted-server-" + index);
                handler.setDaemon(true);
                handler.start();
            }
        }, "scripted-server-acceptor");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + this.listener.getLocalPort() + path;
    }

    int connections() {
        return this.connections.get();
    }

    /** Reads a request head (up to the blank line) and returns it. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the end of the head");
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1
                    : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        this.listener.close();
        for (Socket socket : this.accepted) {
            socket.close();
        }
    }
}
