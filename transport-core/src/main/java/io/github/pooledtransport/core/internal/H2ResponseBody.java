package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.TransportException;

/**
 * An HTTP/2 response body: the DATA of one stream, as its connection's reader buffered it. It holds the request's
 * {@link Lease} and finishes it exactly once. Ending early costs nothing on HTTP/2: the stream is reset and the
 * connection goes on, so there is no drain.
 *
 * <p>Exactness is the connection's: a body that ends before or runs past its declared length fails its stream,
 * and every read after a failure fails again. One thread reads at a time; a close or a stop from another thread
 * wakes the reader, which then fails and finishes the lease.
 */
final class H2ResponseBody extends LeasedBody implements CallState.ClaimingAbort {

    private static final int OPEN = 0;

    private static final int BUSY = 1;

    private static final int DONE = 2;

    private final Lease lease;

    private final H2Stream stream;

    private final long declaredLength;

    private final ReadTimeout readTimeout;

    private final AtomicInteger state = new AtomicInteger(OPEN);

    private volatile boolean abortRequested;

    private volatile boolean cancelRequested;

    private boolean claimedByStop;

    /** The first failure; written before {@code state}. */
    private IOException failure;

    private boolean endReached;

    private long consumed;

    H2ResponseBody(Lease lease, long declaredLength, ReadTimeout readTimeout) {
        this.lease = lease;
        this.stream = lease.stream;
        this.declaredLength = declaredLength;
        this.readTimeout = readTimeout;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (!this.state.compareAndSet(OPEN, BUSY)) {
            return afterEnd();
        }
        int n;
        try {
            n = (len == 0) ? 0 : this.stream.connection.read(this.stream, b, off, len,
                    this.readTimeout.millis() * 1_000_000L);
        }
        catch (IOException | RuntimeException ex) {
            throw fail(ex);
        }
        if (n < 0) {
            this.endReached = true;
            finish(null);
            return -1;
        }
        this.consumed += n;
        this.state.set(OPEN);
        if (this.abortRequested && this.state.compareAndSet(OPEN, DONE)) {
            this.lease.finish(CloseReason.ABORTED);
        }
        return n;
    }

    private int afterEnd() throws IOException {
        if (this.state.get() == BUSY) {
            throw new IllegalStateException("Response body read by two threads at once");
        }
        if (this.failure != null) {
            throw again(this.failure);
        }
        if (this.endReached) {
            return -1;
        }
        if (this.cancelRequested) {
            throw this.lease.call.cancelled(null);
        }
        throw new IOException("Response body from " + key() + " is closed");
    }

    @Override
    public int available() {
        return 0;
    }

    @Override
    public void close() {
        closeOrAbort();
    }

    @Override
    boolean closeOrAbort() {
        if (this.state.compareAndSet(OPEN, BUSY)) {
            finish(null); // the stream is reset unless it ended: the connection goes on
            return true;
        }
        if (this.state.get() == BUSY) {
            this.abortRequested = true;
            this.stream.connection.cancel(this.stream);
            return false;
        }
        return true;
    }

    @Override
    public void abort() {
        this.cancelRequested = true;
        this.abortRequested = true;
        this.stream.connection.cancel(this.stream);
        this.claimedByStop = this.state.compareAndSet(OPEN, DONE);
    }

    @Override
    public void giveUp() {
        if (this.claimedByStop) {
            this.lease.finish(CloseReason.CANCELLED);
        }
    }

    private void finish(CloseReason reason) {
        this.state.set(DONE);
        this.lease.finish(this.cancelRequested ? CloseReason.CANCELLED
                : this.abortRequested ? CloseReason.ABORTED : reason);
    }

    private IOException fail(Exception ex) {
        IOException failure = this.lease.call.stoppedFailure(ex);
        if (failure == null) {
            if (this.abortRequested) {
                failure = new TransportException(key(), "Response body from " + key() + " was closed while being read",
                        ex);
            }
            else if (ex instanceof SocketTimeoutException) {
                failure = timedOut(key(), this.readTimeout, ex);
            }
            else if (ex instanceof TransportException transport) {
                failure = transport;
            }
            else {
                failure = new TransportException(key(), "Reading the response body from " + key() + " failed after "
                        + this.consumed + " bytes: " + ex, ex);
            }
        }
        this.failure = failure;
        finish(CloseReason.ERROR);
        return failure;
    }

    @Override
    boolean release(CloseReason reason) {
        return this.state.compareAndSet(OPEN, DONE) && this.lease.finish(reason);
    }

    @Override
    boolean multiplexed() {
        return true;
    }

    @Override
    boolean isReleased() {
        return this.state.get() == DONE;
    }

    @Override
    long remaining() {
        return (this.declaredLength >= 0) ? this.declaredLength - this.consumed : -1;
    }

    @Override
    HostKey key() {
        return this.lease.connection.host.key;
    }
}
