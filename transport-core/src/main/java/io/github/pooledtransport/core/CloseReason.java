package io.github.pooledtransport.core;

/**
 * Why the transport closed a connection. Each value is counted per host in {@link HostStats} and
 * reported to {@link TransportListener#connectionClosed}.
 */
public enum CloseReason {

    /** The connection sat idle in the pool longer than {@code idleConnTimeout}. */
    IDLE_TIMEOUT("idle-timeout"),

    /** The server's {@code Keep-Alive: timeout=N} hint expired, so the server was about to drop it. */
    SERVER_IDLE_TIMEOUT("server-idle-timeout"),

    /** Released while its host already had {@code maxIdleConnsPerHost} idle connections. */
    IDLE_PER_HOST_CAP("idle-per-host-cap"),

    /** The globally least-recently-used idle connection, closed to stay within {@code maxIdleConns}. */
    IDLE_GLOBAL_CAP("idle-global-cap"),

    /** The response body was closed early and more than the drain allowance remained unread. */
    BODY_NOT_CONSUMED("body-not-consumed"),

    /** The server closed the connection (found dead when it was about to be reused). */
    SERVER_CLOSED("server-closed"),

    /** Keep-alives are disabled in the transport's configuration. */
    KEEP_ALIVE_DISABLED("keep-alive-disabled"),

    /**
     * The exchange asked for the connection to close: {@code Connection: close} on the request or
     * response, an HTTP/1.0 response without keep-alive, or a body delimited by connection close.
     */
    CONNECTION_CLOSE("connection-close"),

    /** Older than {@code maxConnLifetime}. */
    LIFETIME_EXPIRED("lifetime-expired"),

    /** An I/O or protocol error during the exchange. */
    ERROR("error"),

    /**
     * The server sent bytes that answer no request: beyond the end of a response, or while the connection was
     * idle (a late response, a {@code 408} before closing). Go: "Unsolicited response received on idle HTTP
     * channel".
     */
    UNSOLICITED_RESPONSE("unsolicited-response"),

    /**
     * The response's framing was malformed or ambiguous (RFC 9112 6.3): both {@code Content-Length} and
     * {@code Transfer-Encoding}, a bad chunk size, an unsupported transfer coding.
     */
    FRAMING_ERROR("framing-error"),

    /** The response was closed by another thread while a thread was reading its body. */
    ABORTED("aborted"),

    /**
     * The call was cancelled ({@code Call.cancel()}), ran past its {@code callTimeout}, or its thread was
     * interrupted, while it held the connection.
     */
    CANCELLED("cancelled"),

    /** A write of the request made no progress for {@code writeTimeout}: the server stopped reading. */
    WRITE_TIMEOUT("write-timeout"),

    /**
     * The server sent its final response before the request body was written completely; the rest of the
     * body was not sent, so the connection cannot carry another request.
     */
    EARLY_RESPONSE("early-response"),

    /**
     * Idle connections closed on request: {@code Transport.closeIdleConnections()} or
     * {@code DELETE /actuator/transport}.
     */
    IDLE_CLOSED("idle-closed"),

    /**
     * An idle connection closed at {@code maxConnsPerHost} to make room for a replay, which needs a new
     * connection and may not take an idle one.
     */
    MAKING_ROOM("making-room"),

    /** The transport was closed. */
    TRANSPORT_CLOSED("transport-closed"),

    /** The response was never closed and became unreachable; the garbage collector found it. */
    LEAKED("leaked"),

    /** The HTTP/2 server sent GOAWAY: the connection takes no new streams and closes once its streams end. */
    GOAWAY("goaway"),

    /**
     * The HTTP/2 connection failed with a protocol error (its own or the server's): a frame, header block or flow
     * control the protocol forbids.
     */
    PROTOCOL_ERROR("protocol-error"),

    /** The HTTP/2 connection used up the stream ids it may use, and was retired like a GOAWAY. */
    STREAM_IDS_EXHAUSTED("stream-ids-exhausted"),

    /** The HTTP/2 server refused a second stream on the connection (REFUSED_STREAM): it takes no new ones. */
    REFUSED_STREAMS("refused-streams"),

    /**
     * The HTTP/2 server sent nothing for {@code http2ReadIdleTimeout} and did not answer a PING within
     * {@code http2PingTimeout}: the connection is dead.
     */
    PING_TIMEOUT("ping-timeout");

    private final String code;

    CloseReason(String code) {
        this.code = code;
    }

    /**
     * Returns the stable, lower-case code used in stats, logs and metrics tags.
     *
     * @return for example {@code idle-per-host-cap}
     */
    public String code() {
        return this.code;
    }

    @Override
    public String toString() {
        return this.code;
    }
}
