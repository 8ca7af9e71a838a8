package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultHttpRequestWriter;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.impl.io.SessionInputBufferImpl;
import org.apache.hc.core5.http.impl.io.SessionOutputBufferImpl;

import io.github.pooledtransport.core.CloseReason;

/**
 * A persistent HTTP/1.1 connection: its socket and the buffers, parser and writer that every request on it
 * reuses, so a request on a pooled connection allocates no buffers.
 */
public final class Http1Connection extends PooledConnection implements CallState.Abort {

    final Socket socket;

    /** The plain TCP channel under the socket (under TLS too), for the non-blocking liveness check. */
    private final SocketChannel channel;

    private final boolean tls;

    final SocketInput in;

    /** The socket's output, counting what reaches it: a failure with nothing written may be replayed. */
    final CountingOutput out;

    /** The plain TCP stream under the socket (under TLS too), for counting bytes waiting without reading them. */
    private final InputStream rawIn;

    final SessionInputBufferImpl inBuffer;

    final HeadLimiter headLimiter;

    final SessionOutputBufferImpl outBuffer;

    final DefaultHttpResponseParser parser;

    final DefaultHttpRequestWriter writer;

    final byte[] scratch;

    /**
     * Whether requests go to an HTTP proxy that forwards them (absolute-form request target), and the
     * {@code Proxy-Authorization} value to send with each, or {@code null}.
     */
    final boolean forwardProxy;

    final String forwardAuthorization;

    private final ByteBuffer probe = ByteBuffer.allocate(1);

    /** How long a TLS read waits for data behind bytes already waiting: they arrived, so this is ample. */
    private static final int TLS_PROBE_MILLIS = 1;

    /** Non-final (1xx) responses read for the current exchange. */
    int interimResponses;

    Http1Connection(HostPool host, long id, long createdAt, long expiresAt, DialedSocket dialed, int bufferSize,
            int maxResponseHeaderBytes) throws IOException {
        super(host, id, createdAt, expiresAt);
        Socket socket = dialed.socket();
        SocketChannel channel = dialed.channel();
        boolean tls = dialed.tls();
        String forwardAuthorization = dialed.forwardAuthorization();
        this.forwardProxy = host.proxy != null && host.proxy.isHttp() && !host.key.isTls();
        this.forwardAuthorization = forwardAuthorization;
        this.socket = socket;
        this.channel = channel;
        this.tls = tls;
        this.in = new SocketInput(socket, socket.getInputStream());
        this.out = new CountingOutput(socket.getOutputStream());
        this.rawIn = (channel != null) ? channel.socket().getInputStream() : null;
        this.inBuffer = new SessionInputBufferImpl(bufferSize, maxResponseHeaderBytes);
        this.headLimiter = new HeadLimiter(this.inBuffer, maxResponseHeaderBytes);
        this.outBuffer = new SessionOutputBufferImpl(bufferSize);
        // The byte limit is enforced by HeadLimiter; a header count limit would only add a second knob.
        Http1Config config = Http1Config.custom().setMaxLineLength(maxResponseHeaderBytes).setMaxHeaderCount(-1)
                .setBufferSize(bufferSize).build();
        this.parser = new DefaultHttpResponseParser(config);
        this.writer = new DefaultHttpRequestWriter();
        this.scratch = new byte[bufferSize];
    }

    /**
     * Checks an idle connection before it carries a request. Bytes waiting on an idle connection answer no
     * request (a late response, a {@code 408} before a close, a TLS alert): always looked for, without blocking,
     * by asking the kernel how many bytes wait (one {@code FIONREAD}) and looking at our own read buffer.
     *
     * <p>A close sends nothing over plain TCP. A plain connection is therefore also read without blocking when
     * a dead connection would cost the request ({@code closeMatters}: it could not be replayed) or after a long
     * idle time. Under TLS the raw bytes cannot be read without taking a record from the TLS engine, so they are
     * read through TLS with a short timeout, only when bytes wait or after a long idle time: a TLS 1.3 session
     * ticket is consumed by the engine and the read times out (usable); data, a {@code close_notify} or the end
     * of the stream make the connection unusable.
     *
     * @param closeMatters whether the request could not be replayed if the connection turned out dead
     * @param longIdle whether the connection was idle at least {@code staleCheckAfterIdle}
     * @return {@code null} when the connection may carry a request, else why it must be closed
     */
    @Override
    CloseReason checkIdle(boolean closeMatters, boolean longIdle) {
        if (this.socket.isClosed() || this.socket.isInputShutdown()) {
            return CloseReason.SERVER_CLOSED;
        }
        if (this.inBuffer.hasBufferedData()) {
            return CloseReason.UNSOLICITED_RESPONSE;
        }
        try {
            int waiting = (this.rawIn != null) ? this.rawIn.available() : 0;
            if (this.tls) {
                return (waiting > 0 || longIdle) ? readThroughTls() : null;
            }
            if (waiting > 0) {
                return CloseReason.UNSOLICITED_RESPONSE;
            }
            return ((closeMatters || longIdle) && this.channel != null) ? readWithoutBlocking() : null;
        }
        catch (IOException ex) {
            return CloseReason.SERVER_CLOSED;
        }
    }

    /** 0: nothing to read, the peer is silent and open. -1: it closed. More: it sent something unasked. */
    private CloseReason readWithoutBlocking() throws IOException {
        this.channel.configureBlocking(false);
        try {
            this.probe.clear();
            int n = this.channel.read(this.probe);
            return (n == 0) ? null : (n < 0) ? CloseReason.SERVER_CLOSED
                    : CloseReason.UNSOLICITED_RESPONSE;
        }
        finally {
            this.channel.configureBlocking(true);
        }
    }

    private CloseReason readThroughTls() throws IOException {
        try {
            this.socket.setSoTimeout(TLS_PROBE_MILLIS);
            int n = this.socket.getInputStream().read(this.scratch, 0, 1);
            return (n < 0) ? CloseReason.SERVER_CLOSED
                    : CloseReason.UNSOLICITED_RESPONSE;
        }
        catch (java.net.SocketTimeoutException ex) {
            return null; // records that carried no data (a session ticket), or nothing at all
        }
        finally {
            this.in.forgetAppliedTimeout();
        }
    }

    /**
     * Whether bytes wait in the read buffer beyond the response just read: an answer to no request.
     *
     * @return whether unread input is buffered
     */
    boolean hasUnreadInput() {
        return this.inBuffer.hasBufferedData();
    }

    /**
     * Closes the TCP connection underneath at once, from any thread, so that a thread blocked reading it fails
     * promptly ({@code SSLSocket.close()} may itself wait for that reader). The pool still closes the socket
     * itself when the connection is released.
     */
    void abortTransport() {
        abort();
    }

    /** As {@link #abortTransport()}: what a stop of the call using this connection does to it. */
    @Override
    public void abort() {
        try {
            if (this.channel != null) {
                this.channel.close();
            }
            else {
                this.socket.close();
            }
        }
        catch (IOException ex) {
            // Closing to stop a reader: nothing more to do.
        }
    }

    /**
     * Half-closes the TCP connection underneath (under TLS too, where the TLS layer's own shutdown would
     * first have to write): a writer blocked on it fails, reading goes on. From any thread.
     */
    void shutdownOutput() {
        try {
            if (this.channel != null) {
                this.channel.shutdownOutput();
            }
            else {
                this.socket.shutdownOutput();
            }
        }
        catch (IOException ex) {
            // Already closed: the writer fails anyway.
        }
    }

    void flush() throws IOException {
        this.outBuffer.flush(this.out);
    }

    /**
     * The socket's output stream, counting the bytes it accepted since the exchange began, and telling an
     * {@link UploadWatch} when a write blocks.
     */
    static final class CountingOutput extends OutputStream {

        /** A watched write is split so that progress shows within one piece: a socket write blocks until done. */
        private static final int WATCHED_PIECE = 64 * 1024;

        private final OutputStream out;

        long written;

        /** The exchange's watch, or {@code null} when its writes are not watched. */
        UploadWatch watch;

        /**
         * The watch is armed once the request written exceeds this many bytes: smaller requests fit in the
         * socket buffers and never wait for the server, so they cost the timer nothing.
         */
        long armAfter;

        CountingOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            UploadWatch watch = armed(1);
            if (watch != null) {
                watch.writing();
            }
            this.out.write(b);
            if (watch != null) {
                watch.wrote();
            }
            this.written++;
        }

        /** @return the watch once it is armed (arming it when this write goes beyond its threshold) */
        private UploadWatch armed(int len) {
            UploadWatch watch = this.watch;
            if (watch == null) {
                return null;
            }
            if (!watch.isArmed()) {
                if (this.written + len <= this.armAfter) {
                    return null;
                }
                watch.arm();
            }
            return watch;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            UploadWatch watch = armed(len);
            if (watch == null) {
                this.out.write(b, off, len);
                this.written += len;
                return;
            }
            int done = 0;
            while (done < len) {
                int piece = Math.min(WATCHED_PIECE, len - done);
                watch.writing();
                this.out.write(b, off + done, piece);
                watch.wrote();
                done += piece;
                this.written += piece;
            }
        }

        @Override
        public void flush() throws IOException {
            this.out.flush();
        }
    }

    /**
     * Closes the connection without waiting for the peer. Under TLS the TCP channel is closed first: the JDK's
     * {@code SSLSocket.close()} sends {@code close_notify} and may then wait, for as long as the socket's read
     * timeout, for the server's own (or block in the write, which has no timeout, when the server stopped
     * reading). So no {@code close_notify} is sent (RFC 8446 6.1 asks for one): HTTP/1.1 frames its own messages
     * and RFC 9112 9.8 has a server treat such an incomplete close like any other; a pool must never hang on close.
     */
    @Override
    protected void closeTransport() {
        if (this.channel != null) {
            DialedSocket.close(this.channel, this.socket);
        }
        else {
            abortTransport();
        }
    }
}
