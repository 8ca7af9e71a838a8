package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;

import org.apache.hc.core5.http.io.SessionInputBuffer;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * Counts the bytes of a response's heads as HttpCore's parser reads them line by line, and stops it once they
 * exceed {@code maxResponseHeaderBytes}. Every interim (1xx) head and the final head of one response count
 * together, as in Go 1.24, so a flood of 1xx responses cannot grow without bound. A single line is already
 * bounded by the buffer's maximum line length, so memory stays within twice the limit.
 */
final class HeadLimiter extends ForwardingSessionInputBuffer {

    /** Thrown when the limit is exceeded; translated by the exchange into a public exception. */
    static final class LimitExceeded extends IOException {

        private static final long serialVersionUID = 1L;

        LimitExceeded() {
            super("Response head too large");
        }
    }

    private final int limit;

    private long remaining;

    HeadLimiter(SessionInputBuffer delegate, int limit) {
        super(delegate);
        this.limit = limit;
    }

    /** Starts counting a new response: called once per exchange, not per head. */
    void reset() {
        this.remaining = this.limit;
    }

    @Override
    public int readLine(CharArrayBuffer buffer, InputStream in) throws IOException {
        int n = super.readLine(buffer, in);
        if (n >= 0) {
            this.remaining -= n + 2L;
            if (this.remaining < 0) {
                throw new LimitExceeded();
            }
        }
        return n;
    }
}
