package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;

import org.apache.hc.core5.http.io.HttpTransportMetrics;
import org.apache.hc.core5.http.io.SessionInputBuffer;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * Counts the bytes of a response head as HttpCore's parser reads it line by line, and stops it once the
 * head exceeds {@code maxResponseHeaderBytes}. A single line is already bounded by the buffer's maximum line
 * length, so memory stays within twice the limit.
 */
final class HeadLimiter implements SessionInputBuffer {

    /** Thrown when the limit is exceeded; translated by the exchange into a public exception. */
    static final class LimitExceeded extends IOException {

        private static final long serialVersionUID = 1L;

        LimitExceeded() {
            super("Response head too large");
        }
    }

    private final SessionInputBuffer delegate;

    private final int limit;

    private long remaining;

    HeadLimiter(SessionInputBuffer delegate, int limit) {
        this.delegate = delegate;
        this.limit = limit;
    }

    void reset() {
        this.remaining = this.limit;
    }

    @Override
    public int readLine(CharArrayBuffer buffer, InputStream in) throws IOException {
        int n = this.delegate.readLine(buffer, in);
        if (n >= 0) {
            this.remaining -= n + 2L;
            if (this.remaining < 0) {
                throw new LimitExceeded();
            }
        }
        return n;
    }

    @Override
    public int length() {
        return this.delegate.length();
    }

    @Override
    public int capacity() {
        return this.delegate.capacity();
    }

    @Override
    public int available() {
        return this.delegate.available();
    }

    @Override
    public int read(byte[] b, int off, int len, InputStream in) throws IOException {
        return this.delegate.read(b, off, len, in);
    }

    @Override
    public int read(byte[] b, InputStream in) throws IOException {
        return this.delegate.read(b, in);
    }

    @Override
    public int read(InputStream in) throws IOException {
        return this.delegate.read(in);
    }

    @Override
    public HttpTransportMetrics getMetrics() {
        return this.delegate.getMetrics();
    }
}
