package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;

import org.apache.hc.core5.http.io.HttpTransportMetrics;
import org.apache.hc.core5.http.io.SessionInputBuffer;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * A connection's input buffer seen through a check on the lines HttpCore reads from it: subclasses look at
 * each line in {@link #readLine} and leave the bytes alone.
 */
abstract class ForwardingSessionInputBuffer implements SessionInputBuffer {

    private final SessionInputBuffer delegate;

    ForwardingSessionInputBuffer(SessionInputBuffer delegate) {
        this.delegate = delegate;
    }

    @Override
    public int readLine(CharArrayBuffer buffer, InputStream in) throws IOException {
        return this.delegate.readLine(buffer, in);
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
