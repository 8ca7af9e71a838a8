package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.impl.EnglishReasonPhraseCatalog;
import org.apache.hc.core5.http.message.BasicHeader;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.ResponseBody;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;

/**
 * HTTP/2 over a leased stream (RFC 9113 8): the request becomes a header list (pseudo-header fields first, names in
 * lower case, connection-specific fields left out, {@code Host} as {@code :authority}), its body DATA under flow
 * control, and the stream's head and DATA the response. Gzip, {@code Expect: 100-continue}, interim heads and the
 * timeouts behave as on HTTP/1.1. Failures before the response head are classified here for the retry policy, as
 * {@link Http1ExchangeCodec} does.
 */
final class H2ExchangeCodec implements ExchangeCodec {

    private final TransportConfig config;

    private final SafeListener listener;

    private final LeakTracker leaks;

    private final ReadTimeout defaultReadTimeout;

    H2ExchangeCodec(TransportConfig config, SafeListener listener, LeakTracker leaks) {
        this.config = config;
        this.listener = listener;
        this.leaks = leaks;
        this.defaultReadTimeout = ReadTimeout.configured(config.readTimeout());
    }

    @Override
    public Response exchange(Lease lease, Request request, long framing, Duration responseHeaderTimeout,
            Throwable site) throws IOException {
        H2Connection conn = (H2Connection) lease.connection;
        H2Stream stream = lease.stream;
        HostKey key = conn.host.key;
        boolean gzip = Http1ExchangeCodec.asksForGzip(this.config, request);
        ReadTimeout readTimeout = this.defaultReadTimeout.forRequest(request);
        boolean hasBody = framing != RequestFraming.NONE && framing != 0;
        boolean expectContinue = hasBody && "100-continue".equalsIgnoreCase(request.headers().get("Expect"))
                && !this.config.expectContinueTimeout().isZero();
        stream.bodyExpected = !request.method().equals("HEAD");
        try {
            conn.open(stream, fields(conn, request, key, framing, gzip), !hasBody);
        }
        catch (H2Connection.Unusable ex) {
            throw new ExchangeFailure(ExchangeFailure.Kind.REFUSED, ex.reason, new TransportException(key,
                    "Could not start the request on " + ex.getMessage(), ex.getCause()), true);
        }
        catch (IOException ex) {
            this.listener.wroteRequest(key, ex);
            throw new ExchangeFailure(ExchangeFailure.Kind.NO_RESPONSE, CloseReason.ERROR, asTransport(key, ex));
        }
        this.listener.wroteHeaders(key);
        IOException writeFailed = null;
        if (hasBody) {
            try {
                boolean answered = expectContinue && awaitContinue(conn, stream);
                if (!answered) {
                    writeBody(conn, stream, request, framing, key);
                }
            }
            catch (CallerBodyFailed ex) {
                this.listener.wroteRequest(key, ex);
                throw ex.rethrowOriginal();
            }
            catch (IOException ex) {
                this.listener.wroteRequest(key, ex);
                if (!headArrived(conn, stream)) {
                    throw beforeHead(key, ex);
                }
                writeFailed = ex; // the server answered before it took the whole body: that answer is the response
            }
        }
        lease.call.label(CallPhases.AWAITING_HEAD);
        if (writeFailed == null) {
            this.listener.wroteRequest(key, null);
        }
        try {
            long limit = !responseHeaderTimeout.isZero() ? responseHeaderTimeout.toNanos()
                    : readTimeout.millis() * 1_000_000L;
            conn.awaitHead(stream, false, limit);
        }
        catch (SocketTimeoutException ex) {
            throw Http1ExchangeCodec.headTimeout(key, responseHeaderTimeout, readTimeout, ex);
        }
        catch (IOException ex) {
            throw beforeHead(key, ex);
        }
        this.listener.gotFirstResponseByte(key);
        return toResponse(lease, request, conn, stream, key, gzip, readTimeout, site);
    }

    /**
     * Waits up to {@code expectContinueTimeout} for the server's first head.
     *
     * @return whether a final head came instead of {@code 100 Continue}: the body is then not sent
     */
    private boolean awaitContinue(H2Connection conn, H2Stream stream) throws IOException {
        conn.awaitHead(stream, true, this.config.expectContinueTimeout().toNanos());
        return headArrived(conn, stream);
    }

    private static boolean headArrived(H2Connection conn, H2Stream stream) {
        conn.lock.lock();
        try {
            return stream.head != null;
        }
        finally {
            conn.lock.unlock();
        }
    }

    /**
     * A failure before the response head: a stream the server did not process may go again (RFC 9113 8.7); a
     * connection that failed under it is a failure with no response; the rest (a reset, a malformed head) is the
     * server's answer.
     */
    private static IOException beforeHead(HostKey key, IOException ex) {
        if (ex instanceof H2Connection.Refused refused) {
            return new ExchangeFailure(ExchangeFailure.Kind.REFUSED, null, refused);
        }
        if (ex instanceof H2Connection.ConnectionFailed failed && failed.reason == CloseReason.WRITE_TIMEOUT) {
            // The server is there and stopped reading (as on HTTP/1.1): sent again, it would stall again.
            return new ExchangeFailure(ExchangeFailure.Kind.WRITE_TIMED_OUT, CloseReason.WRITE_TIMEOUT, failed);
        }
        if (ex instanceof H2Connection.ConnectionFailed failed) {
            return new ExchangeFailure(ExchangeFailure.Kind.NO_RESPONSE, CloseReason.ERROR, failed);
        }
        return asTransport(key, ex);
    }

    private static TransportException asTransport(HostKey key, IOException ex) {
        if (ex instanceof TransportException transport) {
            return transport;
        }
        return new TransportException(key, "HTTP/2 exchange with " + key + " failed: " + ex.getMessage(), ex);
    }

    /** The request's header list (RFC 9113 8.3.1 and 8.2.2). */
    private List<Header> fields(H2Connection conn, Request request, HostKey key, long framing, boolean gzip) {
        URI uri = request.uri();
        String path = uri.getRawPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        Headers headers = request.headers();
        String host = headers.get("Host");
        List<Header> fields = new ArrayList<>(headers.size() + 6);
        fields.add(new BasicHeader(":method", request.method()));
        fields.add(new BasicHeader(":scheme", key.scheme()));
        fields.add(new BasicHeader(":authority", (host != null) ? host : conn.host.hostHeader));
        fields.add(new BasicHeader(":path", (uri.getRawQuery() != null) ? path + "?" + uri.getRawQuery() : path));
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i).toLowerCase(Locale.ROOT);
            switch (name) {
                case "host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection",
                        "upgrade" -> {
                    // Host is :authority; the rest are HTTP/1.1's own and malformed on HTTP/2.
                }
                case "te" -> {
                    if (headers.value(i).trim().equalsIgnoreCase("trailers")) {
                        fields.add(new BasicHeader("te", "trailers"));
                    }
                }
                default -> fields.add(new BasicHeader(name, headers.value(i)));
            }
        }
        if (gzip) {
            fields.add(new BasicHeader("accept-encoding", "gzip"));
        }
        if (framing >= 0) {
            fields.add(new BasicHeader("content-length", Long.toString(framing)));
        }
        return fields;
    }

    private void writeBody(H2Connection conn, H2Stream stream, Request request, long framing, HostKey key)
            throws IOException {
        BodySink sink = new BodySink(conn, stream);
        if (request.body() != null) {
            try {
                request.body().writeTo(sink);
            }
            catch (IOException | RuntimeException ex) {
                if (sink.failure != null) {
                    throw sink.failure;
                }
                throw new CallerBodyFailed(ex);
            }
            if (sink.failure != null) {
                throw sink.failure; // the body swallowed it: the request is broken
            }
        }
        if (framing >= 0 && sink.written != framing) {
            throw new TransportException(key, String.format("Request body for %s wrote %d bytes but "
                    + "Content-Length is %d", request, sink.written, framing), null);
        }
        sink.finish();
    }

    private Response toResponse(Lease lease, Request request, H2Connection conn, H2Stream stream, HostKey key,
            boolean gzip, ReadTimeout readTimeout, Throwable site) throws IOException {
        H2Stream.Head head;
        boolean bodyExpected;
        boolean empty;
        long declared;
        conn.lock.lock();
        try {
            head = stream.head;
            bodyExpected = stream.bodyExpected;
            declared = stream.declaredLength;
            empty = !bodyExpected || (stream.remoteEnded && !stream.hasData());
        }
        finally {
            conn.lock.unlock();
        }
        int status = head.status();
        Headers headers = head.headers();
        String reason = EnglishReasonPhraseCatalog.INSTANCE.getReason(status, Locale.ENGLISH);
        if (reason == null) {
            reason = "";
        }
        if (empty) {
            lease.finish(null);
            return new Response(status, reason, "HTTP/2.0", headers, ResponseBody.empty());
        }
        H2ResponseBody raw = new H2ResponseBody(lease, declared, readTimeout);
        // From here a stop of the call aborts the body, whoever reads it.
        lease.call.enter(CallPhases.READING_BODY, raw);
        boolean gunzip = gzip && "gzip".equalsIgnoreCase(headers.get("Content-Encoding"));
        if (gunzip) {
            headers = headers.toBuilder().remove("Content-Encoding").remove("Content-Length").build();
        }
        TransportResponseBody body = new TransportResponseBody(raw, gunzip, gunzip ? -1 : declared,
                this.config.bufferSize());
        if (this.leaks.isEnabled()) {
            this.leaks.watch(body, raw, request.method(), request.uri(), site);
        }
        return new Response(status, reason, "HTTP/2.0", headers, body);
    }

    /**
     * What the caller's {@code RequestBody} writes to: DATA frames of up to the frame size, sent as flow control
     * allows. A failure of the stream or connection is remembered, so that it is never taken for the body's own.
     */
    private static final class BodySink extends OutputStream {

        private final H2Connection conn;

        private final H2Stream stream;

        private final byte[] buffer = new byte[H2Connection.MAX_FRAME_SIZE];

        private int buffered;

        long written;

        /** Whether the server no longer wants the body: the rest is counted, not sent. */
        private boolean unwanted;

        IOException failure;

        BodySink(H2Connection conn, H2Stream stream) {
            this.conn = conn;
            this.stream = stream;
        }

        @Override
        public void write(int b) throws IOException {
            if (this.buffered == this.buffer.length) {
                send(false);
            }
            this.buffer[this.buffered++] = (byte) b;
            this.written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            int at = off;
            int end = off + len;
            while (at < end) {
                if (this.buffered == this.buffer.length) {
                    send(false);
                }
                int n = Math.min(end - at, this.buffer.length - this.buffered);
                System.arraycopy(b, at, this.buffer, this.buffered, n);
                this.buffered += n;
                at += n;
            }
            this.written += len;
        }

        @Override
        public void flush() throws IOException {
            if (this.buffered > 0) {
                send(false);
            }
        }

        /** Sends the rest and ends the stream. */
        void finish() throws IOException {
            send(true);
        }

        private void send(boolean end) throws IOException {
            if (this.failure != null) {
                throw this.failure;
            }
            int n = this.buffered;
            this.buffered = 0;
            if (this.unwanted) {
                return;
            }
            try {
                this.unwanted = !this.conn.write(this.stream, this.buffer, 0, n, end);
            }
            catch (IOException ex) {
                this.failure = ex;
                throw ex;
            }
        }

        @Override
        public void close() {
            // The transport ends the body itself.
        }
    }
}
