package io.github.pooledtransport.core.h2;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http2.config.H2Setting;
import org.apache.hc.core5.http2.frame.FrameFlag;
import org.apache.hc.core5.http2.frame.FrameType;

import io.github.pooledtransport.core.internal.h2.H2Frame;
import io.github.pooledtransport.core.internal.h2.H2FrameReader;
import io.github.pooledtransport.core.internal.h2.H2FrameWriter;
import io.github.pooledtransport.core.internal.h2.H2HeaderBlocks;

/**
 * A hostile HTTP/2 server on a loopback port, scripted per connection: it reads frames with the transport's own
 * reader and writes well-formed frames with its writer and HPACK, and raw frame bytes where the script breaks the
 * protocol on purpose. Each accepted connection runs the next script on a thread of its own; failures of a script
 * are kept for the test to assert on.
 */
final class RawH2Peer implements AutoCloseable {

    /** One connection's script. */
    @FunctionalInterface
    interface Script {

        void run(Session session) throws Exception;
    }

    private final ServerSocket listener;

    private final List<Script> scripts;

    private final AtomicInteger accepted = new AtomicInteger();

    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private final Thread acceptor;

    private volatile boolean closing;

    /** @param scripts one per connection, in the order they are accepted; the last repeats */
    RawH2Peer(Script... scripts) throws IOException {
        this(0, scripts);
    }

    /**
     * @param receiveBuffer the accepted sockets' receive buffer (set before they exist, so the kernel never grows
     *     it), 0 for the default
     * @param scripts one per connection, in the order they are accepted; the last repeats
     */
    RawH2Peer(int receiveBuffer, Script... scripts) throws IOException {
        this.listener = new ServerSocket();
        if (receiveBuffer > 0) {
            this.listener.setReceiveBufferSize(receiveBuffer);
        }
        this.listener.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        this.scripts = List.of(scripts);
        this.acceptor = new Thread(this::accept, "raw-h2-peer");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + this.listener.getLocalPort() + path;
    }

    /** @return the connections accepted so far */
    int connections() {
        return this.accepted.get();
    }

    private void accept() {
        while (!this.listener.isClosed()) {
            Socket socket;
            try {
                socket = this.listener.accept();
            }
            catch (IOException ex) {
                return;
            }
            this.sockets.add(socket);
            int index = this.accepted.getAndIncrement();
            Script script = this.scripts.get(Math.min(index, this.scripts.size() - 1));
            Thread thread = new Thread(() -> {
                try (socket) {
                    script.run(new Session(socket));
                }
                catch (Throwable ex) {
                    if (!this.closing) {
                        this.failures.add(ex);
                    }
                }
            }, "raw-h2-peer-" + index);
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Override
    public void close() throws IOException {
        this.closing = true; // a script still reading is cut off: not its failure
        this.listener.close();
        for (Socket socket : this.sockets) {
            socket.close();
        }
    }

    /** One accepted connection, after the client's preface. */
    static final class Session {

        private final Socket socket;

        private final OutputStream out;

        final H2FrameReader frames;

        final H2FrameWriter writer;

        final H2HeaderBlocks hpack = new H2HeaderBlocks(1 << 20);

        Session(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new BufferedOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] preface = new byte[24];
            in.readFully(preface);
            if (!new String(preface, StandardCharsets.US_ASCII).equals("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) {
                throw new IOException("not an HTTP/2 preface");
            }
            this.frames = new H2FrameReader(in, 16_384);
            this.writer = new H2FrameWriter(this.out, 16_384);
        }

        /** Sends the server's SETTINGS (the first frame the client must see). */
        Session settings(H2Setting... settings) throws IOException {
            this.writer.settings(settings);
            this.writer.flush();
            return this;
        }

        /** @return the next frame of the type, skipping others; {@code null} when the client closed first */
        H2Frame next(FrameType type) throws IOException {
            while (true) {
                H2Frame frame = this.frames.read();
                if (frame == null || frame.type() == type) {
                    return frame;
                }
            }
        }

        /** @return the next request's stream id, its header block decoded into {@code fields} when given */
        int request(List<Header> fields) throws IOException {
            H2Frame headers = next(FrameType.HEADERS);
            if (headers == null) {
                throw new IOException("the client closed before a request");
            }
            List<Header> decoded = this.hpack.decode(headers.payload());
            if (fields != null) {
                fields.addAll(decoded);
            }
            return headers.streamId();
        }

        /** @return the next request's stream id */
        int request() throws IOException {
            return request(null);
        }

        /** Sends a response head: {@code :status} first, then the pairs of names and values. */
        void head(int streamId, int status, boolean endStream, String... namesAndValues) throws IOException {
            List<Header> fields = new ArrayList<>();
            fields.add(new BasicHeader(":status", Integer.toString(status)));
            for (int i = 0; i < namesAndValues.length; i += 2) {
                fields.add(new BasicHeader(namesAndValues[i], namesAndValues[i + 1]));
            }
            headerList(streamId, fields, endStream);
        }

        /** Sends any header list, pseudo-header fields as given. */
        void headerList(int streamId, List<Header> fields, boolean endStream) throws IOException {
            this.writer.headers(streamId, this.hpack.encode(fields), endStream);
            this.writer.flush();
        }

        void data(int streamId, byte[] bytes, boolean endStream) throws IOException {
            this.writer.data(streamId, bytes, 0, bytes.length, endStream);
            this.writer.flush();
        }

        /** Writes a frame byte for byte, valid or not. */
        void raw(int type, int flags, int streamId, byte[] payload) throws IOException {
            ByteBuffer header = ByteBuffer.allocate(9);
            header.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
            header.put((byte) type).put((byte) flags).putInt(streamId);
            this.out.write(header.array());
            this.out.write(payload);
            this.out.flush();
        }

        /** @return the error code of the client's GOAWAY, or -1 when it closed without one */
        int awaitGoAway() throws IOException {
            H2Frame goAway = next(FrameType.GOAWAY);
            return (goAway != null) ? goAway.errorCode() : -1;
        }

        /** @return the error code of the client's next RST_STREAM, or -1 when it closed without one */
        int awaitReset() throws IOException {
            H2Frame reset = next(FrameType.RST_STREAM);
            return (reset != null) ? reset.errorCode() : -1;
        }

        /** Reads until the client closes the connection. */
        void drain() throws IOException {
            while (this.frames.read() != null) {
                // the client's frames are not looked at
            }
        }

        static boolean ends(H2Frame frame) {
            return frame.has(FrameFlag.END_STREAM);
        }

        Socket socket() {
            return this.socket;
        }
    }
}
