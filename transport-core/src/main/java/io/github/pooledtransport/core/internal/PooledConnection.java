package io.github.pooledtransport.core.internal;

/**
 * A connection as the pool sees it: which host it belongs to, its state, and its links in the host's idle
 * list and the global idle LRU. Every mutable field is guarded by the pool's lock. The I/O side lives in
 * {@link Http1Connection} and {@link H2Connection}, which extend this class.
 */
public class PooledConnection {

    enum State {
        ACTIVE, IDLE, CLOSED
    }

    final HostPool host;

    final long id;

    final long createdAt;

    /** When this connection stops being reused ({@code maxConnLifetime}, jittered); MAX_VALUE for never. */
    final long expiresAt;

    State state = State.ACTIVE;

    /** Requests served, including the current one. */
    int useCount;

    long idleSince;

    /** When the server said it would drop the connection ({@code Keep-Alive: timeout}); MAX_VALUE if unsaid. */
    long serverIdleDeadline = Long.MAX_VALUE;

    /** How long the connection had been idle when it was last acquired. */
    long lastIdleNanos;

    /** Whether the last acquisition took this connection from the idle list. */
    boolean lastWasIdle;

    /**
     * Whether it carries many requests at once (HTTP/2): a request then leases one of its {@link #streamLimit}
     * streams, and it is ACTIVE while any is leased, IDLE when none is.
     */
    final boolean multiplexed;

    /** Streams leased (multiplexed connections only). */
    int streams;

    /** How many streams it may carry at once: the server's SETTINGS_MAX_CONCURRENT_STREAMS; 1 on HTTP/1.1. */
    int streamLimit = 1;

    /** Why it takes no new streams while its leased ones finish, after which it closes; {@code null} while usable. */
    io.github.pooledtransport.core.CloseReason retiring;

    /** Whether the pool took it in ({@code dialSucceeded}); before that, stream limit changes are only noted. */
    boolean admitted;

    /** Whether it is in its host's list of connections with a free stream. */
    boolean inShared;

    PooledConnection sharedPrev;

    PooledConnection sharedNext;

    PooledConnection hostPrev;

    PooledConnection hostNext;

    /** Links in its host's list of open connections (idle and active), from admission until closed. */
    PooledConnection openPrev;

    PooledConnection openNext;

    PooledConnection lruPrev;

    PooledConnection lruNext;

    /**
     * @param host the host pool this connection belongs to
     * @param id unique within the transport
     * @param createdAt when it was opened, in {@link io.github.pooledtransport.core.TimeSource} nanos
     * @param expiresAt when it must stop being reused, or {@link Long#MAX_VALUE}
     */
    public PooledConnection(HostPool host, long id, long createdAt, long expiresAt) {
        this(host, id, createdAt, expiresAt, false);
    }

    /**
     * @param host the host pool this connection belongs to
     * @param id unique within the transport
     * @param createdAt when it was opened, in {@link io.github.pooledtransport.core.TimeSource} nanos
     * @param expiresAt when it must stop being reused, or {@link Long#MAX_VALUE}
     * @param multiplexed whether it carries many requests at once
     */
    public PooledConnection(HostPool host, long id, long createdAt, long expiresAt, boolean multiplexed) {
        this.host = host;
        this.id = id;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
        this.multiplexed = multiplexed;
    }

    /** @return whether it carries many requests at once */
    public boolean isMultiplexed() {
        return this.multiplexed;
    }

    /** @return the connection id */
    public long id() {
        return this.id;
    }

    /** @return the host pool */
    public HostPool host() {
        return this.host;
    }

    /** @return whether the connection had served a request before the current one */
    public boolean isReused() {
        return this.useCount > 1;
    }

    /**
     * Closes the underlying socket. Called by the pool outside its lock, exactly once per connection.
     */
    protected void closeTransport() {
    }

    /**
     * Checks an idle connection before it carries a request.
     *
     * @param closeMatters whether the request could not be replayed if the connection turned out dead
     * @param longIdle whether the connection was idle at least {@code staleCheckAfterIdle}
     * @return {@code null} when the connection may carry a request, else why it must be closed
     */
    io.github.pooledtransport.core.CloseReason checkIdle(boolean closeMatters, boolean longIdle) {
        return null;
    }

    /**
     * The earliest time this idle connection must be closed, and why.
     *
     * @return the deadline in nanos, {@link Long#MAX_VALUE} for none
     */
    long idleDeadline() {
        long deadline = Math.min(this.expiresAt, this.serverIdleDeadline);
        if (this.host.idleTimeoutNanos > 0) {
            deadline = Math.min(deadline, this.idleSince + this.host.idleTimeoutNanos);
        }
        return deadline;
    }

    /** The reason for closing an idle connection whose deadline has passed. */
    io.github.pooledtransport.core.CloseReason expiryReason(long now) {
        if (now - this.expiresAt >= 0) {
            return io.github.pooledtransport.core.CloseReason.LIFETIME_EXPIRED;
        }
        if (now - this.serverIdleDeadline >= 0) {
            return io.github.pooledtransport.core.CloseReason.SERVER_IDLE_TIMEOUT;
        }
        return io.github.pooledtransport.core.CloseReason.IDLE_TIMEOUT;
    }

    @Override
    public String toString() {
        return "connection#" + this.id + " to " + this.host.key;
    }
}
