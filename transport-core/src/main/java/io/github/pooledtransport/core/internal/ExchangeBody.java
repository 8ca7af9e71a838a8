package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.pooledtransport.core.CloseReason;

/**
 * The framed response body as it comes off the connection (content-length, chunked or close-delimited).
 * It gives the connection back exactly once: to the pool when the body is read to its end, or after a
 * bounded drain when it is closed early, or closed when the drain allowance is exceeded.
 */
final class ExchangeBody extends InputStream {

    private final Http1Connection connection;

    private final ConnectionPool pool;

    private final InputStream framed;

    /** Why the connection must close after this body, or {@code null} when it may be reused. */
    private final CloseReason closeAfter;

    /** Declared length, or -1 when unknown. */
    private final long contentLength;

    private final long drainLimit;

    private final long drainTimeoutNanos;

    private final AtomicBoolean released = new AtomicBoolean();

    private long consumed;

    ExchangeBody(Http1Connection connection, ConnectionPool pool, InputStream framed, CloseReason closeAfter,
            long contentLength, long drainLimit, long drainTimeoutNanos) {
        this.connection = connection;
        this.pool = pool;
        this.framed = framed;
        this.closeAfter = closeAfter;
        this.contentLength = contentLength;
        this.drainLimit = drainLimit;
        this.drainTimeoutNanos = drainTimeoutNanos;
    }

    @Override
    public int read() throws IOException {
        if (this.released.get()) {
            return -1;
        }
        int b;
        try {
            b = this.framed.read();
        }
        catch (IOException ex) {
            release(CloseReason.ERROR);
            throw ex;
        }
        if (b == -1) {
            release(this.closeAfter);
        }
        else {
            this.consumed++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (this.released.get()) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n;
        try {
            n = this.framed.read(b, off, len);
        }
        catch (IOException ex) {
            release(CloseReason.ERROR);
            throw ex;
        }
        if (n == -1) {
            release(this.closeAfter);
        }
        else {
            this.consumed += n;
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return this.released.get() ? 0 : this.framed.available();
    }

    /** Closing early drains up to the allowance so the connection can be reused; beyond it, closes it. */
    @Override
    public void close() {
        if (this.released.get()) {
            return;
        }
        if (this.closeAfter != null) {
            // The connection is not reusable anyway; draining would only waste time.
            release(this.closeAfter);
            return;
        }
        release(drain() ? null : CloseReason.BODY_NOT_CONSUMED);
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
                    return true;
                }
                budget -= n;
                if (budget < 0) {
                    return false;
                }
            }
        }
        catch (IOException ex) {
            return false;
        }
    }

    /**
     * Gives the connection back unless that already happened.
     *
     * @param reason why to close it, or {@code null} to offer it for reuse
     * @return whether this call released it
     */
    boolean release(CloseReason reason) {
        if (!this.released.compareAndSet(false, true)) {
            return false;
        }
        this.pool.release(this.connection, Exchange.unlessStrayBytes(this.connection, reason));
        return true;
    }

    boolean isReleased() {
        return this.released.get();
    }

    /** @return the bytes still to come when the length was declared, or -1 when it is unknown */
    long remaining() {
        return (this.contentLength >= 0) ? this.contentLength - this.consumed : -1;
    }
}
