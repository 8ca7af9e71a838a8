package io.github.pooledtransport.core.internal;

import java.util.concurrent.atomic.AtomicBoolean;

import io.github.pooledtransport.core.CloseReason;

/**
 * A request's hold on a connection, from the moment the pool hands it out until {@link #finish} gives it back:
 * the whole connection on HTTP/1.1, one stream of it on HTTP/2 ({@link #stream}). What a lease holds has exactly
 * one owner at a time: the pool while it is idle, then the request thread through this lease, then (by passing
 * the lease on) the response body. Whoever holds the lease last calls {@code finish} exactly once; a second call
 * is a no-op, so racing owners cannot give a connection back twice.
 */
final class Lease {

    private final ConnectionPool pool;

    final PooledConnection connection;

    /** The HTTP/2 stream this lease holds, or {@code null} on HTTP/1.1. */
    final H2Stream stream;

    /** The call the connection serves: a stop of the call may close it, until the lease is finished. */
    final CallState call;

    private final AtomicBoolean finished = new AtomicBoolean();

    Lease(ConnectionPool pool, PooledConnection connection, CallState call) {
        this.pool = pool;
        this.connection = connection;
        this.call = call;
        this.stream = (connection instanceof H2Connection h2) ? new H2Stream(h2) : null;
    }

    /** @return the HTTP/1.1 connection this lease holds */
    Http1Connection http1() {
        return (Http1Connection) this.connection;
    }

    /**
     * @return whether the connection had served a request before this one, for Go's replay rule: on HTTP/2, whether
     *     the server had answered a stream before this lease's opened (the pool's count of streams handed out moves
     *     with other requests, so it cannot say); on HTTP/1.1 the connection's own count, which only its holder moves
     */
    boolean reused() {
        return (this.stream != null) ? this.stream.afterAnswer : this.connection.isReused();
    }

    /** @return what a stop of the call aborts while the request is written: the stream, or the connection */
    CallState.Abort abortTarget() {
        return (this.stream != null) ? this.stream : http1();
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
        if (this.stream != null && closeReason == CloseReason.LEAKED) {
            this.pool.countLeakedStream(this.connection); // the stream is reset below; the connection goes on
        }
        this.pool.release(this.connection, reuseDecision(aborted ? CloseReason.CANCELLED : closeReason));
        return true;
    }

    /**
     * Gives the stream back after an attempt the call makes again (a refused stream, an HTTP/2 replay): as
     * {@code finish(null)}, but the call goes on, its timeout and stops still in force for the next attempt.
     */
    void finishForRetry() {
        if (this.finished.compareAndSet(false, true)) {
            boolean aborted = this.call.leave();
            this.pool.release(this.connection, reuseDecision(aborted ? CloseReason.CANCELLED : null));
        }
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
            if (this.stream != null) {
                this.stream.connection.endStream(this.stream);
            }
            this.pool.discardStale(this.connection, closeReason);
        }
    }

    /**
     * The one place where an exchange's end decides reuse; the pool then applies its own limits (lifetime, the
     * server's keep-alive hint, idle caps, a closed transport).
     * <p>
     * On HTTP/1.1 the exchange's reason stands, and bytes the server sent beyond the response are an answer to no
     * request: reused, the connection would hand them to the next request as its response (Go: "Unsolicited
     * response received on idle HTTP channel"). On HTTP/2 the stream ends here (reset if it did not end on both
     * sides) and what happened to it does not touch the connection: only the connection's own state decides.
     */
    private CloseReason reuseDecision(CloseReason closeReason) {
        if (this.stream != null) {
            return this.stream.connection.endStream(this.stream);
        }
        if (closeReason != null) {
            return closeReason;
        }
        return http1().hasUnreadInput() ? CloseReason.UNSOLICITED_RESPONSE : null;
    }
}
