package io.github.pooledtransport.core.internal;

import java.util.concurrent.atomic.AtomicBoolean;

import io.github.pooledtransport.core.CloseReason;

/**
 * A request's hold on one active connection, from the moment the pool hands it out until {@link #finish}
 * gives it back. A connection has exactly one owner at a time: the pool while it is idle, then the request
 * thread through this lease, then (by passing the lease on) the response body. Whoever holds the lease last
 * calls {@code finish} exactly once; a second call is a no-op, so racing owners cannot give a connection back
 * twice.
 */
final class Lease {

    private final ConnectionPool pool;

    final Http1Connection connection;

    /** The call the connection serves: a stop of the call may close it, until the lease is finished. */
    final CallState call;

    private final AtomicBoolean finished = new AtomicBoolean();

    Lease(ConnectionPool pool, Http1Connection connection, CallState call) {
        this.pool = pool;
        this.connection = connection;
        this.call = call;
    }

    /**
     * Gives the connection back: for reuse when {@code closeReason} is {@code null} and nothing argues against
     * it, else closed.
     *
     * @param closeReason why the exchange wants the connection closed, or {@code null} when the request was
     *     written completely and the response read to its end
     * @return whether this call gave it back
     */
    boolean finish(CloseReason closeReason) {
        if (!this.finished.compareAndSet(false, true)) {
            return false;
        }
        // From here a late stop of the call can no longer reach the connection; if one already closed it
        // underneath, the connection goes as cancelled whatever the exchange thought.
        boolean aborted = this.call.finish();
        this.pool.release(this.connection, aborted ? CloseReason.CANCELLED : reuseDecision(closeReason));
        return true;
    }

    /**
     * Closes a reused connection that failed before it served this request (found dead, or failed in a way
     * that lets the request be replayed): it does not count as a reuse.
     *
     * @param closeReason why it is closed
     */
    void discardUnused(CloseReason closeReason) {
        if (this.finished.compareAndSet(false, true)) {
            // The call goes on with another connection: only this step ends.
            this.call.leave();
            this.pool.discardStale(this.connection, closeReason);
        }
    }

    /**
     * The one place where an exchange's end decides reuse; the pool then applies its own limits (lifetime, the
     * server's keep-alive hint, idle caps, a closed transport). Bytes the server sent beyond the response are an
     * answer to no request: reused, the connection would hand them to the next request as its response (Go:
     * "Unsolicited response received on idle HTTP channel").
     */
    private CloseReason reuseDecision(CloseReason closeReason) {
        if (closeReason != null) {
            return closeReason;
        }
        return this.connection.hasUnreadInput() ? CloseReason.UNSOLICITED_RESPONSE : null;
    }
}
