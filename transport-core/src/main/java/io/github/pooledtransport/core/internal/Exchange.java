package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;

import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentLengthStrategy;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.DefaultContentLengthStrategy;
import org.apache.hc.core5.http.impl.io.ChunkedInputStream;
import org.apache.hc.core5.http.impl.io.ChunkedOutputStream;
import org.apache.hc.core5.http.impl.io.ContentLengthInputStream;
import org.apache.hc.core5.http.impl.io.ContentLengthOutputStream;
import org.apache.hc.core5.http.impl.io.IdentityInputStream;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.ResponseBody;
import io.github.pooledtransport.core.ResponseHeaderTimeoutException;
import io.github.pooledtransport.core.ResponseHeadersTooLargeException;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;

/**
 * One HTTP/1.1 request/response exchange on a connection: writes the request (with
 * {@code Expect: 100-continue} handling), reads the response head, decides whether the connection may be
 * reused, and wraps the body so the connection goes back to the pool when the body is done.
 */
final class Exchange {

    private static final ContentLengthStrategy LENGTHS = DefaultContentLengthStrategy.INSTANCE;

    private final TransportConfig config;

    private final ConnectionPool pool;

    private final SafeListener listener;

    private final LeakTracker leaks;

    private final Http1Config chunkConfig;

    private final int defaultReadTimeoutMillis;

    Exchange(TransportConfig config, ConnectionPool pool, SafeListener listener, LeakTracker leaks) {
        this.config = config;
        this.pool = pool;
        this.listener = listener;
        this.leaks = leaks;
        this.chunkConfig = Http1Config.custom().setMaxLineLength(config.maxResponseHeaderBytes()).build();
        this.defaultReadTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.readTimeout().toMillis());
    }

    /**
     * Runs the exchange. On success the connection belongs to the returned response's body; on failure the
     * caller still owns it and must release it.
     */
    Response execute(Http1Connection conn, Request request, long framing, Duration responseHeaderTimeout,
            Throwable site) throws IOException {
        HostKey key = conn.host.key;
        boolean gzip = !this.config.disableCompression() && !request.headers().contains("Accept-Encoding")
                && !request.headers().contains("Range") && !request.method().equals("HEAD");
        boolean requestClose = this.config.disableKeepAlives() || hasToken(request.headers().values("Connection"), "close");
        BasicClassicHttpRequest head = head(conn, request, key, framing, gzip);
        boolean expectContinue = framing != RequestFraming.NONE && framing != 0
                && "100-continue".equalsIgnoreCase(request.headers().get("Expect"))
                && !this.config.expectContinueTimeout().isZero();

        int readTimeoutMillis = (request.options().readTimeout() != null)
                ? (int) Math.min(Integer.MAX_VALUE, request.options().readTimeout().toMillis()) : this.defaultReadTimeoutMillis;
        ClassicHttpResponse early = null;
        try {
            conn.in.perReadTimeout(readTimeoutMillis);
            conn.writer.write(head, conn.outBuffer, conn.out);
            this.listener.wroteHeaders(key);
            if (expectContinue) {
                conn.flush();
                early = awaitContinue(conn, key, responseHeaderTimeout, readTimeoutMillis);
            }
            if (early == null && framing != RequestFraming.NONE) {
                writeBody(conn, request, framing);
            }
            conn.flush();
        }
        catch (IOException | HttpException ex) {
            IOException io = (ex instanceof IOException e) ? e : new IOException(ex.getMessage(), ex);
            this.listener.wroteRequest(key, io);
            if (early == null && ex instanceof IOException && !(ex instanceof TransportException)) {
                throw new BeforeResponseException("Writing the request to " + key + " failed: " + ex.getMessage(),
                        io, false);
            }
            throw io;
        }
        this.listener.wroteRequest(key, null);

        ClassicHttpResponse response = (early != null) ? early
                : readFinalHead(conn, key, responseHeaderTimeout, readTimeoutMillis);
        return toResponse(conn, request, key, response, requestClose, early != null, gzip, site, readTimeoutMillis);
    }

    private BasicClassicHttpRequest head(Http1Connection conn, Request request, HostKey key, long framing,
            boolean gzip) {
        URI uri = request.uri();
        String path = uri.getRawPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        String target = (uri.getRawQuery() != null) ? path + "?" + uri.getRawQuery() : path;
        if (conn.forwardProxy) {
            // RFC 9112 3.2.2: a proxy gets the absolute-form, without user-info or fragment.
            target = key.scheme() + "://" + conn.host.hostHeader + target;
        }
        // Not the (method, String) constructor: it parses the target as a URI, turning the absolute-form back
        // into origin-form and reading a path starting with "//" as an authority.
        BasicClassicHttpRequest head = new BasicClassicHttpRequest(request.method(), null, null, target);
        Headers headers = request.headers();
        if (!headers.contains("Host")) {
            head.addHeader("Host", conn.host.hostHeader);
        }
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Transfer-Encoding")) {
                head.addHeader(name, headers.value(i));
            }
        }
        if (conn.forwardAuthorization != null && !headers.contains("Proxy-Authorization")) {
            head.addHeader("Proxy-Authorization", conn.forwardAuthorization);
        }
        if (gzip) {
            head.addHeader("Accept-Encoding", "gzip");
        }
        if (this.config.disableKeepAlives() && !headers.contains("Connection")) {
            head.addHeader("Connection", "close");
        }
        if (framing >= 0) {
            head.addHeader("Content-Length", Long.toString(framing));
        }
        else if (framing == RequestFraming.CHUNKED) {
            head.addHeader("Transfer-Encoding", "chunked");
        }
        return head;
    }

    private void writeBody(Http1Connection conn, Request request, long framing) throws IOException {
        OutputStream framed = (framing >= 0) ? new ContentLengthOutputStream(conn.outBuffer, conn.out, framing)
                : new ChunkedOutputStream(conn.outBuffer, conn.out, conn.scratch, null);
        BodySink sink = new BodySink(framed);
        if (request.body() != null) {
            request.body().writeTo(sink);
        }
        if (framing >= 0 && sink.written != framing) {
            throw new TransportException(conn.host.key, String.format("Request body for %s wrote %d bytes but "
                    + "Content-Length is %d", request, sink.written, framing), null);
        }
        framed.close(); // ends the chunked coding; neither stream closes the socket
    }

    /**
     * Waits up to {@code expectContinueTimeout} for the server's first response. Returns {@code null} to send
     * the body (100 Continue, or silence), or the final response the server sent instead.
     */
    private ClassicHttpResponse awaitContinue(Http1Connection conn, HostKey key, Duration responseHeaderTimeout,
            int readTimeoutMillis) throws IOException {
        conn.in.deadlineIn(this.config.expectContinueTimeout().toNanos());
        int n;
        try {
            n = conn.inBuffer.hasBufferedData() ? 1 : conn.inBuffer.fillBuffer(conn.in);
        }
        catch (SocketTimeoutException ex) {
            conn.in.perReadTimeout(readTimeoutMillis);
            return null; // no word from the server: send the body anyway, as RFC 9110 10.1.1 allows
        }
        if (n == -1) {
            throw new BeforeResponseException(key + " closed the connection before answering Expect: 100-continue",
                    null, true);
        }
        this.listener.gotFirstResponseByte(key);
        startHeadClock(conn, responseHeaderTimeout, readTimeoutMillis);
        ClassicHttpResponse response = parseHead(conn, key, responseHeaderTimeout, readTimeoutMillis);
        if (response.getCode() == 100) {
            conn.in.perReadTimeout(readTimeoutMillis);
            return null;
        }
        if (response.getCode() < 200 && response.getCode() != 101) {
            // Another interim response: keep reading until the final one before deciding.
            response = readInterimThenFinal(conn, key, responseHeaderTimeout, readTimeoutMillis);
        }
        return response;
    }

    private ClassicHttpResponse readFinalHead(Http1Connection conn, HostKey key, Duration responseHeaderTimeout,
            int readTimeoutMillis) throws IOException {
        startHeadClock(conn, responseHeaderTimeout, readTimeoutMillis);
        try {
            if (!conn.inBuffer.hasBufferedData()) {
                int n = conn.inBuffer.fillBuffer(conn.in);
                if (n == -1) {
                    throw new BeforeResponseException(key + " closed the connection without sending a response",
                            null, true);
                }
            }
        }
        catch (SocketTimeoutException ex) {
            throw headTimeout(key, responseHeaderTimeout, readTimeoutMillis, ex);
        }
        catch (BeforeResponseException ex) {
            throw ex;
        }
        catch (IOException ex) {
            throw new BeforeResponseException("Reading the response from " + key + " failed: " + ex.getMessage(), ex,
                    true);
        }
        this.listener.gotFirstResponseByte(key);
        return readInterimThenFinal(conn, key, responseHeaderTimeout, readTimeoutMillis);
    }

    private ClassicHttpResponse readInterimThenFinal(Http1Connection conn, HostKey key, Duration timeout,
            int readTimeoutMillis) throws IOException {
        ClassicHttpResponse response;
        do {
            response = parseHead(conn, key, timeout, readTimeoutMillis);
        }
        while (response.getCode() >= 100 && response.getCode() < 200 && response.getCode() != 101);
        return response;
    }

    private void startHeadClock(Http1Connection conn, Duration responseHeaderTimeout, int readTimeoutMillis)
            throws IOException {
        if (responseHeaderTimeout.isZero()) {
            conn.in.perReadTimeout(readTimeoutMillis);
        }
        else {
            conn.in.deadlineIn(responseHeaderTimeout.toNanos());
        }
    }

    private ClassicHttpResponse parseHead(Http1Connection conn, HostKey key, Duration timeout, int readTimeoutMillis)
            throws IOException {
        conn.headLimiter.reset();
        try {
            ClassicHttpResponse response = conn.parser.parse(conn.headLimiter, conn.in);
            if (response == null) {
                throw new TransportException(key, key + " closed the connection in the middle of a response head",
                        null);
            }
            return response;
        }
        catch (HeadLimiter.LimitExceeded | MessageConstraintException ex) {
            throw new ResponseHeadersTooLargeException(key, this.config.maxResponseHeaderBytes());
        }
        catch (SocketTimeoutException ex) {
            throw headTimeout(key, timeout, readTimeoutMillis, ex);
        }
        catch (HttpException ex) {
            throw new TransportException(key, "Malformed response from " + key + ": " + ex.getMessage(), ex);
        }
    }

    private IOException headTimeout(HostKey key, Duration timeout, int readTimeoutMillis,
            SocketTimeoutException ex) {
        if (timeout.isZero()) {
            return new TransportException(key, "Read from " + key + " timed out after readTimeout="
                    + readTimeoutMillis + " ms while waiting for the response head", ex);
        }
        return new ResponseHeaderTimeoutException(key, timeout, ex);
    }

    private Response toResponse(Http1Connection conn, Request request, HostKey key, ClassicHttpResponse response,
            boolean requestClose, boolean bodyUnsent, boolean gzip, Throwable site, int readTimeoutMillis)
            throws IOException {
        int status = response.getCode();
        ProtocolVersion version = (response.getVersion() != null) ? response.getVersion() : HttpVersion.HTTP_1_1;
        Headers headers = headers(key, response);
        boolean hasBody = !request.method().equals("HEAD") && status >= 200 && status != 204 && status != 304;
        long length = 0;
        if (hasBody) {
            try {
                length = LENGTHS.determineLength(response);
            }
            catch (HttpException ex) {
                throw new TransportException(key, "Malformed response framing from " + key + ": " + ex.getMessage(),
                        ex);
            }
        }
        CloseReason closeAfter = closeAfter(requestClose, version, headers);
        if (closeAfter == null && (bodyUnsent || status == 101 || length == ContentLengthStrategy.UNDEFINED)) {
            // The server may still expect the unsent body, has switched protocols, or delimits the body by
            // closing: the connection cannot carry another request.
            closeAfter = CloseReason.CONNECTION_CLOSE;
        }
        if (closeAfter == null) {
            long keepAliveNanos = keepAliveTimeoutNanos(headers);
            if (keepAliveNanos >= 0) {
                // Written without the pool's lock: the connection is active and owned by this exchange; the pool
                // reads the field only after release(), which takes the lock after this write.
                conn.serverIdleDeadline = this.config.timeSource().nanoTime() + keepAliveNanos;
            }
        }
        conn.in.perReadTimeout(readTimeoutMillis);
        // format() builds a new string per response; the common case is a constant.
        String protocol = HttpVersion.HTTP_1_1.equals(version) ? "HTTP/1.1" : version.format();
        if (!hasBody || length == 0) {
            this.pool.release(conn, unlessStrayBytes(conn, closeAfter));
            return new Response(status, response.getReasonPhrase(), protocol, headers, ResponseBody.empty());
        }
        InputStream framed;
        if (length == ContentLengthStrategy.CHUNKED) {
            framed = new ChunkedInputStream(conn.inBuffer, conn.in, this.chunkConfig);
        }
        else if (length == ContentLengthStrategy.UNDEFINED) {
            framed = new IdentityInputStream(conn.inBuffer, conn.in);
        }
        else {
            framed = new ContentLengthInputStream(conn.inBuffer, conn.in, length);
        }
        long declared = (length >= 0) ? length : -1;
        ExchangeBody raw = new ExchangeBody(conn, this.pool, framed, closeAfter, declared,
                this.config.drainOnCloseBytes(), this.config.drainTimeout().toNanos());
        boolean gunzip = gzip && "gzip".equalsIgnoreCase(headers.get("Content-Encoding"));
        if (gunzip) {
            headers = headers.toBuilder().remove("Content-Encoding").remove("Content-Length").build();
        }
        TransportResponseBody body = new TransportResponseBody(raw, gunzip, gunzip ? -1 : declared);
        if (this.leaks.isEnabled()) {
            this.leaks.watch(body, raw, request.method(), request.uri(), site);
        }
        return new Response(status, response.getReasonPhrase(), protocol, headers, body);
    }

    private CloseReason closeAfter(boolean requestClose, ProtocolVersion version, Headers headers) {
        if (this.config.disableKeepAlives()) {
            return CloseReason.KEEP_ALIVE_DISABLED;
        }
        java.util.List<String> connection = headers.values("Connection");
        if (requestClose || hasToken(connection, "close")) {
            return CloseReason.CONNECTION_CLOSE;
        }
        if (version.lessEquals(HttpVersion.HTTP_1_0) && !hasToken(connection, "keep-alive")) {
            return CloseReason.CONNECTION_CLOSE; // RFC 9112 9.3: HTTP/1.0 persists only when asked to
        }
        return null;
    }

    /**
     * Bytes left in the read buffer after a response are an answer to no request (a 204 with a body, say):
     * reused, the connection would hand them to the next request as its response. Go closes such a
     * connection too ("unsolicited response received on idle HTTP channel").
     */
    static CloseReason unlessStrayBytes(Http1Connection conn, CloseReason reason) {
        return (reason == null && conn.inBuffer.hasBufferedData()) ? CloseReason.ERROR : reason;
    }

    /** Parses {@code Keep-Alive: timeout=N}; a second of margin so we never race the server's close. */
    static long keepAliveTimeoutNanos(Headers headers) {
        String keepAlive = headers.get("Keep-Alive");
        if (keepAlive == null) {
            return -1;
        }
        for (String param : keepAlive.split(",")) {
            String[] pair = param.trim().split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("timeout")) {
                try {
                    long seconds = Long.parseLong(pair[1].trim());
                    return Math.max(0, seconds - 1) * 1_000_000_000L;
                }
                catch (NumberFormatException ex) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** Whether a comma-separated header (Connection) lists the token; scans without splitting. */
    static boolean hasToken(java.util.List<String> values, String token) {
        for (String value : values) {
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = (comma < 0) ? value.length() : comma;
                int from = start;
                int to = end;
                while (from < to && value.charAt(from) == ' ') {
                    from++;
                }
                while (to > from && value.charAt(to - 1) == ' ') {
                    to--;
                }
                if (to - from == token.length() && value.regionMatches(true, from, token, 0, token.length())) {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }

    private static Headers headers(HostKey key, ClassicHttpResponse response) throws TransportException {
        Headers.Builder builder = new Headers.Builder();
        try {
            for (Iterator<Header> it = response.headerIterator(); it.hasNext();) {
                Header header = it.next();
                builder.add(header.getName(), header.getValue());
            }
        }
        catch (IllegalArgumentException ex) {
            throw new TransportException(key, "Malformed response header from " + key + ": " + ex.getMessage(), ex);
        }
        return builder.build();
    }

    /** Counts what the body wrote and keeps it from closing the framing stream. */
    private static final class BodySink extends OutputStream {

        private final OutputStream framed;

        long written;

        BodySink(OutputStream framed) {
            this.framed = framed;
        }

        @Override
        public void write(int b) throws IOException {
            this.framed.write(b);
            this.written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            this.framed.write(b, off, len);
            this.written += len;
        }

        @Override
        public void flush() throws IOException {
            this.framed.flush();
        }

        @Override
        public void close() {
            // The transport ends the body itself.
        }
    }
}
