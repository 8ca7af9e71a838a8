package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.util.zip.GZIPInputStream;

import io.github.pooledtransport.core.ResponseBody;

/**
 * The body handed to the caller: the exchange body, gzip-decoded when the transport asked for gzip, and
 * watched for leaks when leak detection is on.
 */
final class TransportResponseBody extends ResponseBody {

    private final ExchangeBody raw;

    private final boolean gunzip;

    private final long contentLength;

    private InputStream stream;

    private Cleaner.Cleanable leakWatch;

    private boolean closed;

    TransportResponseBody(ExchangeBody raw, boolean gunzip, long contentLength) {
        this.raw = raw;
        this.gunzip = gunzip;
        this.contentLength = contentLength;
        this.stream = gunzip ? null : raw;
    }

    void watch(Cleaner.Cleanable leakWatch) {
        this.leakWatch = leakWatch;
    }

    @Override
    public long contentLength() {
        return this.contentLength;
    }

    @Override
    public int read() throws IOException {
        return atEnd(stream().read());
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return atEnd(stream().read(b, off, len));
    }

    /**
     * The gzip trailer ends the decoded stream without reading the framing's end, so finish the raw body
     * here: a body read to its end gives the connection back even if it is never closed.
     */
    private int atEnd(int result) {
        if (result == -1 && this.gunzip) {
            this.raw.close();
        }
        return result;
    }

    /**
     * With a declared length, reads straight into one array of the exact size: {@code InputStream}'s default
     * reads into a list of chunks and copies them again, which doubles the work for large bodies (Spring's byte[]
     * converter calls this).
     */
    @Override
    public byte[] readNBytes(int len) throws IOException {
        long remaining = (this.stream == this.raw && !this.closed) ? this.raw.remaining() : -1;
        if (remaining < 0 || len < 0) {
            return super.readNBytes(len);
        }
        byte[] bytes = new byte[(int) Math.min(len, remaining)];
        int n = 0;
        while (n < bytes.length) {
            int read = read(bytes, n, bytes.length - n);
            if (read < 0) {
                return java.util.Arrays.copyOf(bytes, n);
            }
            n += read;
        }
        return bytes;
    }

    @Override
    public byte[] readAllBytes() throws IOException {
        long remaining = (this.stream == this.raw && !this.closed) ? this.raw.remaining() : -1;
        if (remaining < 0 || remaining > Integer.MAX_VALUE - 8) {
            return super.readAllBytes();
        }
        byte[] bytes = readNBytes((int) remaining);
        read(); // the framing's end (always -1 here): gives the connection back now, as Go does
        return bytes;
    }

    @Override
    public int available() throws IOException {
        return this.closed ? 0 : stream().available();
    }

    @Override
    public void close() throws IOException {
        if (this.closed) {
            return;
        }
        this.closed = true;
        try {
            if (this.stream != null && this.stream != this.raw) {
                this.stream.close(); // releases the inflater, then closes raw
            }
            this.raw.close();
        }
        finally {
            if (this.leakWatch != null) {
                this.leakWatch.clean();
            }
        }
    }

    private InputStream stream() throws IOException {
        if (this.closed) {
            throw new IOException("Response body is closed");
        }
        if (this.stream == null) {
            // Created lazily: GZIPInputStream reads the gzip header in its constructor.
            this.stream = new GZIPInputStream(this.raw, 8192);
        }
        return this.stream;
    }
}
