package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultHttpRequestWriter;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.impl.io.SessionInputBufferImpl;
import org.apache.hc.core5.http.impl.io.SessionOutputBufferImpl;

/**
 * A persistent HTTP/1.1 connection: its socket and the buffers, parser and writer that every request on it
 * reuses, so a request on a pooled connection allocates no buffers.
 */
public final class Http1Connection extends PooledConnection {

    final Socket socket;

    /** The plain TCP channel under the socket (under TLS too), for the non-blocking liveness check. */
    private final SocketChannel channel;

    private final boolean tls;

    final SocketInput in;

    final OutputStream out;

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

    Http1Connection(HostPool host, long id, long createdAt, long expiresAt, Socket socket, SocketChannel channel,
            boolean tls, String forwardAuthorization, int bufferSize, int maxResponseHeaderBytes) throws IOException {
        super(host, id, createdAt, expiresAt);
        this.forwardProxy = host.proxy != null && host.proxy.isHttp() && !host.key.isTls();
        this.forwardAuthorization = forwardAuthorization;
        this.socket = socket;
        this.channel = channel;
        this.tls = tls;
        this.in = new SocketInput(socket, socket.getInputStream());
        this.out = socket.getOutputStream();
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
     * Checks, without blocking, that an idle connection can still carry a request: nothing buffered (an idle
     * connection must have no unread bytes), and the server has neither closed it nor sent anything.
     *
     * @return whether the connection looks usable
     */
    boolean isHealthy() {
        if (this.socket.isClosed() || this.socket.isInputShutdown() || this.inBuffer.hasBufferedData()) {
            return false;
        }
        if (this.tls || this.channel == null) {
            // Reading the raw channel under TLS could swallow a record the engine still needs (a TLS 1.3
            // session ticket), so TLS connections rely on the replay rule instead.
            return true;
        }
        try {
            this.channel.configureBlocking(false);
            try {
                this.probe.clear();
                // 0: nothing to read, the peer is silent and open. -1: it closed. >0: unsolicited bytes
                // (often a 408 or a TLS alert); the connection is unusable either way.
                return this.channel.read(this.probe) == 0;
            }
            finally {
                this.channel.configureBlocking(true);
            }
        }
        catch (IOException ex) {
            return false;
        }
    }

    void flush() throws IOException {
        this.outBuffer.flush(this.out);
    }

    @Override
    protected void closeTransport() {
        try {
            this.socket.close();
        }
        catch (IOException ex) {
            // Nothing useful to do: the connection is being discarded.
        }
    }
}
