package io.github.pooledtransport.core.internal;

import java.io.InputStream;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;

/**
 * A response body as its protocol delivers it, holding the request's {@link Lease} until it ends: an HTTP/1.1
 * connection's framed bytes ({@link ExchangeBody}) or an HTTP/2 stream's DATA ({@link H2ResponseBody}). What the
 * caller reads ({@link TransportResponseBody}) and the leak tracker see only this.
 */
abstract class LeasedBody extends InputStream {

    /** For {@link #read()}, which goes through the array read (where every check is); the reading thread's only. */
    private final byte[] single = new byte[1];

    @Override
    public int read() throws java.io.IOException {
        int n = read(this.single, 0, 1);
        return (n < 0) ? -1 : this.single[0] & 0xff;
    }

    /**
     * @param failure a body's first failure, kept to be thrown again
     * @return a new exception of the same kind and message, with the first as its cause, for a later read
     */
    static java.io.IOException again(java.io.IOException failure) {
        if (failure instanceof io.github.pooledtransport.core.TransportCancelledException cancelled) {
            return new io.github.pooledtransport.core.TransportCancelledException(cancelled.hostKey(),
                    cancelled.getMessage(), cancelled.why(), cancelled.limit(), cancelled.setting(), cancelled);
        }
        io.github.pooledtransport.core.TransportException transport =
                (io.github.pooledtransport.core.TransportException) failure;
        return new io.github.pooledtransport.core.TransportException(transport.hostKey(), transport.getMessage(),
                transport);
    }

    /** @return the failure of a body read that got no byte within its read timeout, naming the setting */
    static io.github.pooledtransport.core.TransportException timedOut(HostKey key, ReadTimeout readTimeout,
            Exception cause) {
        return new io.github.pooledtransport.core.TransportException(key, "Reading the response body from " + key
                + " timed out: no byte for " + readTimeout.describe(), cause, "readTimeout");
    }

    /**
     * Ends the body early: with no read under way it gives the lease back (an HTTP/1.1 body drains within its
     * allowance first); with a read under way on another thread, that read is aborted and its thread gives it back.
     *
     * @return {@code false} when a read under way on another thread was aborted
     */
    abstract boolean closeOrAbort();

    /**
     * Gives the lease back for the leak tracker or after a decoding failure, unless a reader or an earlier end
     * holds it.
     *
     * @param reason why the connection would be closed
     * @return whether this call finished the lease
     */
    abstract boolean release(CloseReason reason);

    /** @return whether the body is one stream of a connection shared with other requests (HTTP/2) */
    boolean multiplexed() {
        return false;
    }

    /** @return whether the lease was finished */
    abstract boolean isReleased();

    /** @return the bytes still to come when the length was declared, or -1 when it is unknown */
    abstract long remaining();

    /** @return the host the body comes from */
    abstract HostKey key();
}
