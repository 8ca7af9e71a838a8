package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;

import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.config.Http1Config;
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
import io.github.pooledtransport.core.TooManyInterimResponsesException;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;

/**
 * HTTP/1.1 over a leased connection: writes the request (with {@code Expect: 100-continue} handling), reads
 * the interim and final response heads, frames the body (RFC 9112 6.3) and hands the lease to it. Failures
 * before the first response byte are classified for the retry policy here, where it is known what reached the
 * wire; nothing else decides whether a request may go again.
 */
final class Http1ExchangeCodec implements ExchangeCodec {

    /**
     * Bodies up to this size are written without a watch: they fit in the socket buffers of both ends, so their
     * write does not wait for the server to read.
     */
    static final long WATCHED_BODY_BYTES = 64 * 1024;

    /** How long a failed write waits for a listening reader's final head (see {@link #finalHeadHeard}). */
    static final long WRITE_FAILURE_GRACE_MILLIS = 100;

    /** Go (before 1.24) gave up after this many non-final responses; {@code 100 Continue} counts. */
    static final int MAX_INTERIM_RESPONSES = 5;

    private final TransportConfig config;

    private final SafeListener listener;

    private final LeakTracker leaks;

    private final Http1Config chunkConfig;

    private final ReadTimeout defaultReadTimeout;

    Http1ExchangeCodec(TransportConfig config, SafeListener listener, LeakTracker leaks) {
        this.config = config;
        this.listener = listener;
        this.leaks = leaks;
        this.chunkConfig = Http1Config.custom().setMaxLineLength(config.maxResponseHeaderBytes()).build();
        this.defaultReadTimeout = ReadTimeout.configured(config.readTimeout());
    }

    @Override
    public Response exchange(Lease lease, Request request, long framing, Duration responseHeaderTimeout,
            Throwable site) throws IOException {
        Http1Connection conn = lease.http1();
        HostKey key = conn.host.key;
        boolean gzip = asksForGzip(this.config, request);
        boolean requestClose = this.config.disableKeepAlives() || hasToken(request.headers().values("Connection"), "close");
        BasicClassicHttpRequest head = head(conn, request, key, framing, gzip);
        boolean expectContinue = framing != RequestFraming.NONE && framing != 0
                && "100-continue".equalsIgnoreCase(request.headers().get("Expect"))
                && !this.config.expectContinueTimeout().isZero();
        ReadTimeout readTimeout = this.defaultReadTimeout.forRequest(request);
        conn.out.written = 0;
        conn.interimResponses = 0;
        conn.headLimiter.reset();

        ClassicHttpResponse early = null;
        UploadWatch watch = null;
        IOException writeFailed = null;
        boolean callerBody = false;
        try {
            conn.in.perReadTimeout(readTimeout.millis());
            conn.writer.write(head, conn.outBuffer, conn.out);
            this.listener.wroteHeaders(key);
            if (expectContinue) {
                conn.flush();
                early = awaitContinue(conn, key, responseHeaderTimeout, readTimeout);
            }
            if (early == null && framing != RequestFraming.NONE) {
                watch = watch(conn, key, framing);
                writeBody(conn, request, framing);
            }
            conn.flush();
        }
        catch (CallerBodyFailed ex) {
            callerBody = true;
            writeFailed = ex;
        }
        catch (ConnectionWriteFailed ex) {
            writeFailed = ex.getCause();
        }
        catch (IOException ex) {
            writeFailed = ex;
        }
        catch (HttpException ex) {
            writeFailed = new IOException(ex.getMessage(), ex);
        }
        catch (RuntimeException | Error ex) {
            if (unwatch(conn, watch) == UploadWatch.READER) {
                conn.abortTransport(); // stop the reader: the exchange is over
            }
            throw ex;
        }
        // The watch ends here: nothing acts on the connection behind the caller's back after this.
        int watched = unwatch(conn, watch);
        if (!callerBody && (watched == UploadWatch.EARLY
                || (watched == UploadWatch.READER && writeFailed != null && finalHeadHeard(watch)))) {
            // The server answered before it took the whole body: that answer is the response.
            this.listener.wroteRequest(key, writeFailed);
            lease.call.phase(CallPhases.AWAITING_HEAD);
            ClassicHttpResponse response = joinReader(conn, key, watch, responseHeaderTimeout, readTimeout);
            return toResponse(lease, request, key, response, requestClose, CloseReason.EARLY_RESPONSE, gzip, site,
                    readTimeout);
        }
        if (writeFailed != null) {
            this.listener.wroteRequest(key, (writeFailed instanceof CallerBodyFailed c)
                    ? (c.original instanceof IOException io ? io : new IOException(c.original)) : writeFailed);
            if (watched == UploadWatch.READER) {
                conn.abortTransport(); // nothing final was heard: stop the reader
            }
            throw writeFailure(conn, key, writeFailed, early, watched);
        }
        if (watched == UploadWatch.TIMED_OUT) {
            // The timer closed the socket just as the last write returned: the request cannot be trusted.
            IOException timedOut = new IOException("write timed out");
            this.listener.wroteRequest(key, timedOut);
            throw writeFailure(conn, key, timedOut, early, watched);
        }
        // Labelled before the event, so that a listener that sees it may rely on the label; a stop meanwhile is
        // noticed by the next read (its socket is closed).
        lease.call.label(CallPhases.AWAITING_HEAD);
        this.listener.wroteRequest(key, null);
        ClassicHttpResponse response;
        if (early != null) {
            response = early;
        }
        else if (watched == UploadWatch.READER) {
            response = joinReader(conn, key, watch, responseHeaderTimeout, readTimeout);
        }
        else {
            response = readFinalHead(conn, key, responseHeaderTimeout, readTimeout);
        }
        return toResponse(lease, request, key, response, requestClose,
                (early != null) ? CloseReason.CONNECTION_CLOSE : null, gzip, site, readTimeout);
    }

    /**
     * The write failed while a reader listened: a server that answers and then closes or resets (nginx with a
     * {@code 413}) fails the writer while its answer is being read. Waits briefly for the reader to tell.
     */
    private static boolean finalHeadHeard(UploadWatch watch) {
        try {
            return watch.head().get(WRITE_FAILURE_GRACE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS) != null;
        }
        catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The body is large or of unknown length, or writes have a timeout: worth a watch (see UploadWatch), armed
     * by the connection's output once the request grows beyond {@link #WATCHED_BODY_BYTES}.
     */
    private UploadWatch watch(Http1Connection conn, HostKey key, long framing) {
        long writeTimeoutNanos = this.config.writeTimeout().toNanos();
        boolean largeBody = framing == RequestFraming.CHUNKED || framing > WATCHED_BODY_BYTES;
        if (writeTimeoutNanos == 0 && !largeBody) {
            return null;
        }
        UploadWatch.HeadReader reader = largeBody ? () -> readHeadsWhileWriting(conn, key) : null;
        UploadWatch watch = new UploadWatch(conn, writeTimeoutNanos, reader);
        conn.out.watch = watch;
        // Armed only beyond what the socket buffers of both ends absorb: before that no write waits for the server.
        conn.out.armAfter = WATCHED_BODY_BYTES;
        return watch;
    }

    /** @return what happened while the request was written (UploadWatch's states), WATCHING when unwatched */
    private static int unwatch(Http1Connection conn, UploadWatch watch) {
        if (watch == null) {
            return UploadWatch.WATCHING;
        }
        conn.out.watch = null;
        return watch.disarm();
    }

    /**
     * Runs on the watch's reader thread while the caller may still be writing: it alone reads the connection
     * until it returns. No timeout of its own: the caller bounds its wait for the outcome, and closes the socket
     * when that runs out.
     */
    private ClassicHttpResponse readHeadsWhileWriting(Http1Connection conn, HostKey key) throws IOException {
        conn.in.perReadTimeout(0);
        awaitFirstByte(conn, key, Duration.ZERO, this.defaultReadTimeout); // no timeout: never a head timeout
        ClassicHttpResponse response;
        do {
            response = parseHead(conn, key, Duration.ZERO, this.defaultReadTimeout);
        }
        while (isInterim(response));
        return response;
    }

    /** Waits for the watch's reader to read the head, within the head's time limit. */
    private ClassicHttpResponse joinReader(Http1Connection conn, HostKey key, UploadWatch watch,
            Duration responseHeaderTimeout, ReadTimeout readTimeout) throws IOException {
        long limitNanos = !responseHeaderTimeout.isZero() ? responseHeaderTimeout.toNanos()
                : readTimeout.millis() * 1_000_000L;
        ClassicHttpResponse heard;
        try {
            heard = (limitNanos > 0) ? watch.head().get(limitNanos, java.util.concurrent.TimeUnit.NANOSECONDS)
                    : watch.head().get();
        }
        catch (java.util.concurrent.TimeoutException ex) {
            conn.abortTransport(); // stops the reader
            throw headTimeout(key, responseHeaderTimeout, readTimeout,
                    new SocketTimeoutException("no response head in time"));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt(); // kept: the request path turns it into a cancellation
            conn.abortTransport();
            java.io.InterruptedIOException interrupted = new java.io.InterruptedIOException(
                    "Interrupted while waiting for the response head from " + key);
            interrupted.initCause(ex);
            throw interrupted;
        }
        catch (java.util.concurrent.ExecutionException ex) {
            throw BlockingTasks.rethrow(ex);
        }
        // No reader could start: nothing was read, the caller reads the head itself.
        return (heard != null) ? heard : readFinalHead(conn, key, responseHeaderTimeout, readTimeout);
    }

    /**
     * A write to the socket failed: nothing of the request, or only part of it, reached the server. The
     * caller's own body failure goes out unchanged; failures of our own that already say what happened too.
     */
    private IOException writeFailure(Http1Connection conn, HostKey key, IOException cause, ClassicHttpResponse early,
            int watched) {
        if (cause instanceof CallerBodyFailed callerBody) {
            return callerBody.rethrowOriginal(); // never a replay
        }
        if (watched == UploadWatch.TIMED_OUT) {
            return new ExchangeFailure(ExchangeFailure.Kind.WRITE_TIMED_OUT, CloseReason.WRITE_TIMEOUT,
                    new TransportException(key, "Writing the request to " + key + " made no progress for writeTimeout="
                            + this.config.writeTimeout().toMillis() + " ms after " + conn.out.written
                            + " bytes: the server stopped reading", cause, "writeTimeout"));
        }
        if (cause instanceof TransportException || cause instanceof ExchangeFailure || early != null
                || cause.getCause() instanceof HttpException) {
            return cause;
        }
        ExchangeFailure.Kind kind = (conn.out.written == 0) ? ExchangeFailure.Kind.NOTHING_WRITTEN
                : ExchangeFailure.Kind.NO_RESPONSE;
        return new ExchangeFailure(kind, CloseReason.ERROR, new TransportException(key, "Writing the request to "
                + key + " failed after " + conn.out.written + " bytes: " + cause.getMessage(), cause));
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
            try {
                request.body().writeTo(sink);
            }
            catch (IOException | RuntimeException ex) {
                if (sink.failure != null) {
                    throw new ConnectionWriteFailed(sink.failure);
                }
                throw new CallerBodyFailed(ex);
            }
            if (sink.failure != null) {
                throw new ConnectionWriteFailed(sink.failure); // the body swallowed it: the request is broken
            }
        }
        if (framing >= 0 && sink.written != framing) {
            throw new TransportException(conn.host.key, String.format("Request body for %s wrote %d bytes but "
                    + "Content-Length is %d", request, sink.written, framing), null);
        }
        framed.close(); // ends the chunked coding; neither stream closes the socket
    }

    /**
     * Waits up to {@code expectContinueTimeout} for the server's first response. Returns {@code null} to send
     * the body ({@code 100 Continue}, also after other interim responses such as {@code 103}, or silence), or
     * the final response the server sent instead.
     */
    private ClassicHttpResponse awaitContinue(Http1Connection conn, HostKey key, Duration responseHeaderTimeout,
            ReadTimeout readTimeout) throws IOException {
        conn.in.deadlineIn(this.config.expectContinueTimeout().toNanos());
        int n;
        try {
            n = conn.inBuffer.hasBufferedData() ? 1 : conn.inBuffer.fillBuffer(conn.in);
        }
        catch (SocketTimeoutException ex) {
            conn.in.perReadTimeout(readTimeout.millis());
            return null; // no word from the server: send the body anyway, as RFC 9110 10.1.1 allows
        }
        catch (IOException ex) {
            throw noResponse(key, CloseReason.ERROR, "Reading the response to Expect: 100-continue from " + key
                    + " failed: " + ex.getMessage(), ex);
        }
        if (n == -1) {
            throw noResponse(key, CloseReason.SERVER_CLOSED,
                    key + " closed the connection before answering Expect: 100-continue", null);
        }
        this.listener.gotFirstResponseByte(key);
        startHeadClock(conn, responseHeaderTimeout, readTimeout);
        while (true) {
            ClassicHttpResponse response = parseHead(conn, key, responseHeaderTimeout, readTimeout);
            if (response.getCode() == 100) {
                conn.in.perReadTimeout(readTimeout.millis());
                return null;
            }
            if (!isInterim(response)) {
                return response;
            }
        }
    }

    private ClassicHttpResponse readFinalHead(Http1Connection conn, HostKey key, Duration responseHeaderTimeout,
            ReadTimeout readTimeout) throws IOException {
        startHeadClock(conn, responseHeaderTimeout, readTimeout);
        awaitFirstByte(conn, key, responseHeaderTimeout, readTimeout);
        ClassicHttpResponse response;
        do {
            response = parseHead(conn, key, responseHeaderTimeout, readTimeout);
        }
        while (isInterim(response));
        return response;
    }

    /**
     * Waits for the response's first byte. A close or a failure before it is a failure with no response byte,
     * which the retry policy may replay; a timeout names the setting that applied.
     */
    private void awaitFirstByte(Http1Connection conn, HostKey key, Duration responseHeaderTimeout,
            ReadTimeout readTimeout) throws IOException {
        try {
            if (!conn.inBuffer.hasBufferedData() && conn.inBuffer.fillBuffer(conn.in) == -1) {
                throw noResponse(key, CloseReason.SERVER_CLOSED,
                        key + " closed the connection without sending a response", null);
            }
        }
        catch (SocketTimeoutException ex) {
            throw headTimeout(key, responseHeaderTimeout, readTimeout, ex);
        }
        catch (ExchangeFailure ex) {
            throw ex;
        }
        catch (IOException ex) {
            throw noResponse(key, CloseReason.ERROR, "Reading the response from " + key + " failed: "
                    + ex.getMessage(), ex);
        }
        this.listener.gotFirstResponseByte(key);
    }

    private static ExchangeFailure noResponse(HostKey key, CloseReason reason, String message, IOException cause) {
        return new ExchangeFailure(ExchangeFailure.Kind.NO_RESPONSE, reason, new TransportException(key, message,
                cause));
    }

    /** Whether the head is a non-final response ({@code 101} is final: the connection changes protocol). */
    private static boolean isInterim(ClassicHttpResponse response) {
        return response.getCode() >= 100 && response.getCode() < 200 && response.getCode() != 101;
    }

    private void startHeadClock(Http1Connection conn, Duration responseHeaderTimeout, ReadTimeout readTimeout)
            throws IOException {
        if (responseHeaderTimeout.isZero()) {
            conn.in.perReadTimeout(readTimeout.millis());
        }
        else {
            conn.in.deadlineIn(responseHeaderTimeout.toNanos());
        }
    }

    /**
     * Parses one head. Every head of the response counts against {@code maxResponseHeaderBytes} together, and at
     * most {@link #MAX_INTERIM_RESPONSES} interim ones are read.
     */
    private ClassicHttpResponse parseHead(Http1Connection conn, HostKey key, Duration timeout,
            ReadTimeout readTimeout) throws IOException {
        ClassicHttpResponse response;
        try {
            response = conn.parser.parse(conn.headLimiter, conn.in);
        }
        catch (HeadLimiter.LimitExceeded | MessageConstraintException ex) {
            throw new ResponseHeadersTooLargeException(key, this.config.maxResponseHeaderBytes());
        }
        catch (SocketTimeoutException ex) {
            throw headTimeout(key, timeout, readTimeout, ex);
        }
        catch (HttpException ex) {
            throw new TransportException(key, "Malformed response from " + key + ": " + ex.getMessage(), ex);
        }
        catch (IOException ex) {
            throw new TransportException(key, "Reading the response head from " + key + " failed: "
                    + ex.getMessage(), ex);
        }
        if (response == null) {
            throw new TransportException(key, key + " closed the connection in the middle of a response head", null);
        }
        if (isInterim(response) && ++conn.interimResponses > MAX_INTERIM_RESPONSES) {
            throw new TooManyInterimResponsesException(key, MAX_INTERIM_RESPONSES);
        }
        return response;
    }

    /**
     * Whether the transport asks for gzip and decodes it (Go's {@code DisableCompression}): not when the caller
     * chose an encoding or a range (a range of the encoded body could not be decoded), nor for HEAD.
     */
    static boolean asksForGzip(TransportConfig config, Request request) {
        return !config.disableCompression() && !request.headers().contains("Accept-Encoding")
                && !request.headers().contains("Range") && !request.method().equals("HEAD");
    }

    /** The failure for a response head that did not come in time, naming the setting that applied. */
    static IOException headTimeout(HostKey key, Duration timeout, ReadTimeout readTimeout,
            SocketTimeoutException ex) {
        if (timeout.isZero()) {
            return new TransportException(key, "Read from " + key + " timed out after " + readTimeout.describe()
                    + " while waiting for the response head", ex, "readTimeout");
        }
        return new ResponseHeaderTimeoutException(key, timeout, ex);
    }

    /**
     * @param forcedClose why the connection cannot carry another request whatever the response says (the body
     *     was not sent completely), or {@code null}
     */
    private Response toResponse(Lease lease, Request request, HostKey key, ClassicHttpResponse response,
            boolean requestClose, CloseReason forcedClose, boolean gzip, Throwable site, ReadTimeout readTimeout)
            throws IOException {
        Http1Connection conn = lease.http1();
        int status = response.getCode();
        ProtocolVersion version = (response.getVersion() != null) ? response.getVersion() : HttpVersion.HTTP_1_1;
        Headers headers = headers(key, response);
        boolean hasBody = !request.method().equals("HEAD") && status >= 200 && status != 204 && status != 304;
        ResponseFraming framing = hasBody ? ResponseFraming.of(key, response, version) : null;
        long length = hasBody ? framing.length() : 0;
        CloseReason closeAfter = closeAfter(requestClose, version, headers);
        if (closeAfter == null) {
            closeAfter = forcedClose;
        }
        if (closeAfter == null && (status == 101 || length == ResponseFraming.UNTIL_CLOSE)) {
            // The server may still expect the unsent body, has switched protocols, or delimits the body by
            // closing: the connection cannot carry another request.
            closeAfter = CloseReason.CONNECTION_CLOSE;
        }
        if (closeAfter == null && framing != null && framing.doubtful()) {
            closeAfter = CloseReason.FRAMING_ERROR; // read by its transfer coding, but never trusted again
        }
        if (closeAfter == null) {
            long keepAliveNanos = keepAliveTimeoutNanos(headers);
            if (keepAliveNanos >= 0) {
                // Written without the pool's lock: the connection is leased to this exchange; the pool reads the
                // field only after the lease is finished, which takes the lock after this write.
                conn.serverIdleDeadline = this.config.timeSource().nanoTime() + keepAliveNanos;
            }
        }
        conn.in.perReadTimeout(readTimeout.millis());
        // format() builds a new string per response; the common case is a constant.
        String protocol = HttpVersion.HTTP_1_1.equals(version) ? "HTTP/1.1" : version.format();
        if (length == 0) {
            lease.finish(closeAfter);
            return new Response(status, response.getReasonPhrase(), protocol, headers, ResponseBody.empty());
        }
        InputStream framed;
        if (length == ResponseFraming.CHUNKED) {
            framed = new ChunkedInputStream(new ChunkSizeGuard(conn.inBuffer), conn.in, this.chunkConfig);
        }
        else if (length == ResponseFraming.UNTIL_CLOSE) {
            framed = new IdentityInputStream(conn.inBuffer, conn.in);
        }
        else {
            framed = new ContentLengthInputStream(conn.inBuffer, conn.in, length);
        }
        long declared = (length >= 0) ? length : -1;
        ExchangeBody raw = new ExchangeBody(lease, framed, closeAfter, declared, this.config.drainOnCloseBytes(),
                this.config.drainTimeout().toNanos(), readTimeout);
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

    /**
     * What the caller's {@code RequestBody} writes to: counts the bytes, keeps the body from closing the framing
     * stream, and remembers a failure of the connection so that it is never taken for the body's own.
     */
    private static final class BodySink extends OutputStream {

        private final OutputStream framed;

        long written;

        IOException failure;

        BodySink(OutputStream framed) {
            this.framed = framed;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                this.framed.write(b);
            }
            catch (IOException ex) {
                throw failed(ex);
            }
            this.written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                this.framed.write(b, off, len);
            }
            catch (IOException ex) {
                throw failed(ex);
            }
            this.written += len;
        }

        @Override
        public void flush() throws IOException {
            try {
                this.framed.flush();
            }
            catch (IOException ex) {
                throw failed(ex);
            }
        }

        private IOException failed(IOException ex) {
            if (this.failure == null) {
                this.failure = ex;
            }
            return ex;
        }

        @Override
        public void close() {
            // The transport ends the body itself.
        }
    }

    /** The connection refused part of the request body. */
    private static final class ConnectionWriteFailed extends IOException {

        private static final long serialVersionUID = 1L;

        ConnectionWriteFailed(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
