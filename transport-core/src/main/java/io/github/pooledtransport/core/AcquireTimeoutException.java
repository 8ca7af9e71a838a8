package io.github.pooledtransport.core;

import java.time.Duration;

/**
 * A request waited longer than {@code acquireTimeout} for a connection because its host already had
 * {@code maxConnsPerHost} connections (the transport-wide value, or the host's {@link HostOverrides} entry).
 * {@link #setting()} is {@code maxConnsPerHost}.
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
        super(hostKey, String.format("Timed out after acquireTimeout=%d ms waiting for a connection to %s: "
                + "maxConnsPerHost=%d reached with %d active and %d waiting. Raise maxConnsPerHost or acquireTimeout, "
                + "or make sure every response is closed.", timeout.toMillis(), hostKey, limit, active, waiting),
                null, "maxConnsPerHost");
        this.timeout = timeout;
        this.limit = limit;
        this.active = active;
        this.waiting = waiting;
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
