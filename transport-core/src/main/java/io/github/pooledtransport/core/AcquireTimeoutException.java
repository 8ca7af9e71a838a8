package io.github.pooledtransport.core;

import java.time.Duration;

/**
 * A request waited longer than {@code acquireTimeout} for a connection because its host already had
 * {@code maxConnsPerHost} connections (the transport-wide value, or the host's {@link HostOverrides} entry);
 * {@link #setting()} is then {@code maxConnsPerHost}. Or, with {@code strictMaxConcurrentStreams}, for a stream of
 * the host's full HTTP/2 connections ({@link #waitingForStream}); {@link #setting()} is then
 * {@code strictMaxConcurrentStreams}.
 */
public class AcquireTimeoutException extends TransportException {

    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    private final int limit;

    private final int active;

    private final int waiting;

    /**
     * @param hostKey the host
     * @param timeout how long the request waited
     * @param limit the host's {@code maxConnsPerHost}
     * @param active connections in use for the host when the wait ended
     * @param waiting requests still queued for the host, this one included
     */
    public AcquireTimeoutException(HostKey hostKey, Duration timeout, int limit, int active, int waiting) {
        this(hostKey, String.format("Timed out after acquireTimeout=%d ms waiting for a connection to %s: "
                + "maxConnsPerHost=%d reached with %d active and %d waiting. Raise maxConnsPerHost or acquireTimeout, "
                + "or make sure every response is closed.", timeout.toMillis(), hostKey, limit, active, waiting),
                "maxConnsPerHost", timeout, limit, active, waiting);
    }

    private AcquireTimeoutException(HostKey hostKey, String message, String setting, Duration timeout, int limit,
            int active, int waiting) {
        super(hostKey, message, null, setting);
        this.timeout = timeout;
        this.limit = limit;
        this.active = active;
        this.waiting = waiting;
    }

    /**
     * A request to a host with {@code strictMaxConcurrentStreams} waited longer than {@code acquireTimeout} for a
     * stream: its HTTP/2 connections were all carrying as many requests as the server allows.
     *
     * @param hostKey the host
     * @param timeout how long the request waited
     * @param limit the host's {@code maxConnsPerHost}, 0 for none
     * @param active connections in use for the host when the wait ended
     * @param streams requests in flight on them
     * @param waiting requests still queued for the host, this one included
     * @return the exception, whose {@link #setting()} is {@code strictMaxConcurrentStreams}
     */
    public static AcquireTimeoutException waitingForStream(HostKey hostKey, Duration timeout, int limit, int active,
            int streams, int waiting) {
        return new AcquireTimeoutException(hostKey, String.format("Timed out after acquireTimeout=%d ms waiting for a "
                + "stream of the HTTP/2 connections to %s: strictMaxConcurrentStreams=true, %d connections carry %d "
                + "requests (the server's limit) with %d waiting. Set strictMaxConcurrentStreams=false to open "
                + "another connection, or raise acquireTimeout.", timeout.toMillis(), hostKey, active, streams,
                waiting), "strictMaxConcurrentStreams", timeout, limit, active, waiting);
    }

    /** @return how long the request waited: the transport's {@code acquireTimeout} */
    public Duration timeout() {
        return this.timeout;
    }

    /** @return the host's {@code maxConnsPerHost} */
    public int limit() {
        return this.limit;
    }

    /** @return connections in use for the host when the wait ended */
    public int active() {
        return this.active;
    }

    /** @return requests queued for the host when the wait ended, this one included */
    public int waiting() {
        return this.waiting;
    }
}
