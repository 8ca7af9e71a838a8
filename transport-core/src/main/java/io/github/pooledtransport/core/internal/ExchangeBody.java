package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.TruncatedChunkException;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.ResponseFramingException;
import io.github.pooledtransport.core.TransportException;

/**
 * The framed response body as it comes off the connection (content-length, chunked or close-delimited). It
 * holds the request's {@link Lease} and finishes it exactly once: for reuse when the body was read to its
 * framed end, after a bounded drain when it is closed early, closed otherwise.
 *
 * <p>Exactness rules. A body that ends before its framing says it should is an error, never a short success,
 * on every read path (all of them go through the array read, which HttpCore checks; its single-byte chunked
 * read does not). After a read fails, every later read fails too. Failures name the host and, for timeouts,
 * the setting that applied; HttpCore's exception types never reach the caller.
 *
 * <p>Threads. One thread reads at a time. {@link #close()} from another thread while a read is under way
 * does not wait for it: it closes the socket underneath, the reader fails, and the reader (who is then the
 * only one touching the connection) finishes the lease. A connection is never given back while a reader is on
 * it. {@code close()} with no read under way drains on the calling thread, bounded in bytes and time.
 */
final class ExchangeBody extends LeasedBody implements CallState.ClaimingAbort {

    private static final int OPEN = 0;

    private static final int BUSY = 1;

    private static final int DONE = 2;

    private final Lease lease;

    private final Http1Connection connection;

    private final InputStream framed;

    /** Why the connection must close after this body, or {@code null} when it may be reused. */
    private final CloseReason closeAfter;

    /** Declared length, or -1 when unknown. */
    private final long contentLength;

    private final long drainLimit;

    private final long drainTimeoutNanos;

    private final ReadTimeout readTimeout;

    /** OPEN: no thread inside; BUSY: one thread reads or drains; DONE: the lease is finished. */
    private final AtomicInteger state = new AtomicInteger(OPEN);

    private volatile boolean abortRequested;

    /** Whether the abort came from the call being stopped (cancelled, timed out, interrupted). */
    private volatile boolean cancelRequested;

    /** The first failure, thrown again (as the cause) by every later read. Written before {@code state}. */
    private IOException failure;

    private boolean endReached;

    private long consumed;

    ExchangeBody(Lease lease, InputStream framed, CloseReason closeAfter, long contentLength, long drainLimit,
            long drainTimeoutNanos, ReadTimeout readTimeout) {
        this.lease = lease;
        this.connection = lease.http1();
        this.framed = framed;
        this.closeAfter = closeAfter;
        this.contentLength = contentLength;
        this.drainLimit = drainLimit;
        this.drainTimeoutNanos = drainTimeoutNanos;
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
            n = (len == 0) ? 0 : this.framed.read(b, off, len);
            if (n < 0 && this.contentLength >= 0 && this.consumed != this.contentLength) {
                throw new TransportException(key(), String.format("Response body from %s ended after %d of its "
                        + "%d declared bytes", key(), this.consumed, this.contentLength), null);
            }
        }
        catch (IOException | RuntimeException ex) {
            throw fail(ex);
        }
        if (n < 0) {
            this.endReached = true;
            finishAsReader(this.closeAfter);
            return -1;
        }
        this.consumed += n;
        leaveBusy();
        return n;
    }

    /** A read after the lease was finished: the end again, the failure again, or closed. */
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
    public int available() throws IOException {
        return (this.state.get() == OPEN) ? this.framed.available() : 0;
    }

    /**
     * Closing with no read under way drains up to the allowance so the connection can be reused, and closes
     * it beyond; closing while another thread reads aborts that read.
     */
    @Override
    public void close() {
        closeOrAbort();
    }

    /** @return {@code false} when a read was under way on another thread and was aborted */
    @Override
    boolean closeOrAbort() {
        if (this.state.compareAndSet(OPEN, BUSY)) {
            CloseReason reason = (this.closeAfter != null) ? this.closeAfter
                    : drain() ? null : CloseReason.BODY_NOT_CONSUMED;
            finishAsReader(reason);
            return true;
        }
        if (this.state.get() == BUSY) {
            abortRead();
            return false;
        }
        return true;
    }

    /**
     * Stops a read under way on another thread: the socket is closed underneath (an {@code SSLSocket}'s own
     * close may wait for the reader), and the reader finishes the lease when its read fails.
     */
    private void abortRead() {
        this.abortRequested = true;
        this.connection.abortTransport();
        // The reader may have left between the two lines above: then nobody else will finish the lease.
        if (this.state.compareAndSet(OPEN, DONE)) {
            this.lease.finish(CloseReason.ABORTED);
        }
    }

    /** Whether the stopping thread claimed the body (no read was under way) and must give the lease up. */
    private boolean claimedByStop;

    /**
     * The call was stopped while its body is open: the socket is closed under a read under way (whose thread
     * then finishes the lease), or, with no read under way, the body is claimed for {@link #giveUp()}. Every
     * read from now on throws the call's cancellation. Runs on the stopping thread, under the call's lock.
     */
    @Override
    public void abort() {
        this.cancelRequested = true;
        this.abortRequested = true;
        this.connection.abortTransport();
        this.claimedByStop = this.state.compareAndSet(OPEN, DONE);
    }

    /** Gives the connection up after a stop claimed the body; under the call's lock (see {@link CallState}). */
    @Override
    public void giveUp() {
        if (this.claimedByStop) {
            this.lease.finish(CloseReason.CANCELLED);
        }
    }

    /** @return whether the body's end was reached within the allowance */
    private boolean drain() {
        if (this.contentLength >= 0 && this.contentLength - this.consumed > this.drainLimit) {
            return false;
        }
        try {
            this.connection.in.deadlineIn(this.drainTimeoutNanos);
            long budget = this.drainLimit;
            byte[] scratch = this.connection.scratch;
            while (true) {
                int n = this.framed.read(scratch, 0, (int) Math.min(scratch.length, budget + 1));
                if (n == -1) {
                    return this.contentLength < 0 || this.consumed == this.contentLength;
                }
                this.consumed += n;
                budget -= n;
                if (budget < 0) {
                    return false;
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            return false;
        }
    }

    private void leaveBusy() {
        this.state.set(OPEN);
        if (this.abortRequested && this.state.compareAndSet(OPEN, DONE)) {
            this.lease.finish(CloseReason.ABORTED); // the lease says CANCELLED when a stop of the call aborted it
        }
    }

    private void finishAsReader(CloseReason reason) {
        this.state.set(DONE);
        this.lease.finish(this.cancelRequested ? CloseReason.CANCELLED
                : this.abortRequested ? CloseReason.ABORTED : reason);
    }

    private IOException fail(Exception ex) {
        IOException failure = this.lease.call.stoppedFailure(ex);
        if (failure == null) {
            failure = this.abortRequested
                    ? new TransportException(key(), "Response body from " + key() + " was closed while being read", ex)
                    : describe(ex);
        }
        this.failure = failure;
        finishAsReader((failure instanceof io.github.pooledtransport.core.TransportCancelledException)
                ? CloseReason.CANCELLED
                : (failure instanceof ResponseFramingException) ? CloseReason.FRAMING_ERROR : CloseReason.ERROR);
        return failure;
    }

    /** Names what happened and where; the original stays the cause. */
    private TransportException describe(Exception ex) {
        HostKey key = key();
        if (ex instanceof TransportException transport) {
            return transport;
        }
        if (ex instanceof SocketTimeoutException) {
            return timedOut(key, this.readTimeout, ex);
        }
        if (ex instanceof TruncatedChunkException || ex instanceof ConnectionClosedException) {
            return new TransportException(key, "Response body from " + key + " was cut short after " + this.consumed
                    + " bytes: " + ex.getMessage(), ex);
        }
        if (ex instanceof ChunkSizeGuard.MalformedChunkSize || ex instanceof MalformedChunkCodingException) {
            return new ResponseFramingException(key, "Malformed chunked response body from " + key + ": "
                    + ex.getMessage(), ex);
        }
        return new TransportException(key, "Reading the response body from " + key + " failed after " + this.consumed
                + " bytes" + ((this.contentLength >= 0) ? " of " + this.contentLength : "") + ": "
                + ex.getClass().getSimpleName() + ": " + ex.getMessage(), ex);
    }

    @Override
    HostKey key() {
        return this.connection.host.key;
    }

    /**
     * Gives the connection back for the leak tracker, unless a reader or an earlier end holds it.
     *
     * @param reason why to close it
     * @return whether this call finished the lease
     */
    @Override
    boolean release(CloseReason reason) {
        return this.state.compareAndSet(OPEN, DONE) && this.lease.finish(reason);
    }

    @Override
    boolean isReleased() {
        return this.state.get() == DONE;
    }

    /** @return the bytes still to come when the length was declared, or -1 when it is unknown */
    @Override
    long remaining() {
        return (this.contentLength >= 0) ? this.contentLength - this.consumed : -1;
    }
}
