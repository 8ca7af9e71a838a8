package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.ResponseBody;
import io.github.pooledtransport.core.TransportException;

/**
 * The body handed to the caller: the exchange body, gzip-decoded when the transport asked for gzip, and
 * watched for leaks when leak detection is on.
 * <p>
 * It supports {@code mark}/{@code reset}: Spring's {@code RestClient} peeks at one byte to tell an empty body
 * from a present one, and wraps any stream without mark support in a {@code PushbackInputStream}, which hides
 * the exact-size {@link #readNBytes} below and makes every {@code byte[]} read copy its body twice.
 */
final class TransportResponseBody extends ResponseBody {

    /** The largest declared length trusted for one up-front allocation. */
    static final int EXACT_READ_LIMIT = 8 * 1024 * 1024;

    private final LeasedBody raw;

    private final boolean gunzip;

    private final long contentLength;

    private InputStream stream;

    /** The gzip decoder's first failure, thrown again by every later read. */
    private TransportException decodingFailure;

    private LeakTracker.Watch leakWatch;

    /** Volatile: another thread may close the body to abort a read. */
    private volatile boolean closed;

    /** Bytes read since {@link #mark}, kept for {@link #reset}; {@code null} when nothing is kept. */
    private byte[] marked;

    /** How many bytes of {@link #marked} are valid. */
    private int markedCount;

    /** The next byte of {@link #marked} to serve again after a reset; equals markedCount when none is due. */
    private int markedPos;

    /** How many bytes the caller allowed past the mark; -1 when there is no valid mark. */
    private int markLimit = -1;

    private final int bufferSize;

    TransportResponseBody(LeasedBody raw, boolean gunzip, long contentLength, int bufferSize) {
        this.raw = raw;
        this.gunzip = gunzip;
        this.bufferSize = bufferSize;
        this.contentLength = contentLength;
        this.stream = gunzip ? null : raw;
    }

    void watch(LeakTracker.Watch leakWatch) {
        this.leakWatch = leakWatch;
    }

    @Override
    public long contentLength() {
        return this.contentLength;
    }

    @Override
    public int read() throws IOException {
        if (this.markedPos < this.markedCount) {
            ensureOpen();
            return this.marked[this.markedPos++] & 0xff;
        }
        int b;
        try {
            b = stream().read();
        }
        catch (IOException ex) {
            throw decodingFailed(ex);
        }
        if (b >= 0 && this.markLimit >= 0 && room(1)) {
            this.marked[this.markedCount++] = (byte) b;
            this.markedPos = this.markedCount;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (this.markedPos < this.markedCount) {
            ensureOpen();
            int n = Math.min(len, this.markedCount - this.markedPos);
            System.arraycopy(this.marked, this.markedPos, b, off, n);
            this.markedPos += n;
            return n;
        }
        int n;
        try {
            n = stream().read(b, off, len);
        }
        catch (IOException ex) {
            throw decodingFailed(ex);
        }
        if (n > 0 && this.markLimit >= 0 && room(n)) {
            System.arraycopy(b, off, this.marked, this.markedCount, n);
            this.markedCount += n;
            this.markedPos = this.markedCount;
        }
        return n;
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    /**
     * Marks this position; up to {@code readlimit} bytes read after it are kept so that {@link #reset} can
     * serve them again. Reading further drops them and the mark.
     */
    @Override
    public void mark(int readlimit) {
        readlimit = Math.max(0, readlimit);
        // Bytes kept from an earlier mark and not served again yet come after the new mark: keep them.
        int pending = this.markedCount - this.markedPos;
        if (pending > 0) {
            this.marked = Arrays.copyOfRange(this.marked, this.markedPos,
                    this.markedPos + Math.max(pending, Math.min(readlimit, 8192)));
        }
        else if (this.marked != null && this.marked.length > readlimit) {
            this.marked = null;
        }
        this.markedCount = pending;
        this.markedPos = 0;
        this.markLimit = Math.max(readlimit, pending);
    }

    @Override
    public void reset() throws IOException {
        ensureOpen();
        if (this.markLimit < 0) {
            throw new IOException("Resetting to an invalid mark: mark() was not called, or more bytes were read "
                    + "after it than its read limit");
        }
        this.markedPos = 0;
    }

    /**
     * Makes room to keep {@code n} more bytes read after the mark, or drops the mark when they would pass its
     * read limit.
     *
     * @return whether the bytes are to be kept
     */
    private boolean room(int n) {
        if (this.markedCount + n > this.markLimit) {
            dropMark();
            return false;
        }
        if (this.marked == null || this.marked.length < this.markedCount + n) {
            int size = Math.min(this.markLimit, Math.max(this.markedCount + n, this.markedCount * 2));
            this.marked = (this.marked == null) ? new byte[size] : Arrays.copyOf(this.marked, size);
        }
        return true;
    }

    /** Called only once every kept byte has been served again: nothing is pending, so all can go. */
    private void dropMark() {
        this.markLimit = -1;
        this.marked = null;
        this.markedCount = 0;
        this.markedPos = 0;
    }

    /**
     * With a declared length, reads straight into one array of the exact size: {@code InputStream}'s default
     * reads into a list of chunks and copies them again, which doubles the work for large bodies (Spring's byte[]
     * converter calls this). Only up to {@link #EXACT_READ_LIMIT}: a server must not make us allocate a large
     * array by declaring a length it never sends; beyond it the default grows with the bytes that arrive.
     */
    @Override
    public byte[] readNBytes(int len) throws IOException {
        long remaining = remaining();
        if (remaining < 0 || len < 0 || Math.min(len, remaining) > EXACT_READ_LIMIT) {
            return super.readNBytes(len);
        }
        byte[] bytes = new byte[(int) Math.min(len, remaining)];
        int n = 0;
        while (n < bytes.length) {
            int read = read(bytes, n, bytes.length - n);
            if (read < 0) {
                return Arrays.copyOf(bytes, n);
            }
            n += read;
        }
        if (n == remaining) {
            read(); // the framing's end (always -1 here): gives the connection back now, as Go does
        }
        return bytes;
    }

    @Override
    public byte[] readAllBytes() throws IOException {
        long remaining = remaining();
        if (remaining < 0 || remaining > EXACT_READ_LIMIT) {
            return super.readAllBytes(); // calls readNBytes(Integer.MAX_VALUE): the growing default
        }
        return readNBytes((int) remaining);
    }

    /** @return the bytes left before the end of the body when its length is known, else -1 */
    private long remaining() {
        if (this.stream != this.raw || this.closed) {
            return -1;
        }
        long raw = this.raw.remaining();
        return (raw < 0) ? -1 : raw + (this.markedCount - this.markedPos);
    }

    @Override
    public int available() throws IOException {
        if (this.closed) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, (long) (this.markedCount - this.markedPos) + stream().available());
    }

    /**
     * Closes the body. On the reading thread (or with no read under way) the rest is drained within the
     * allowance so that the connection can be reused; from another thread while a read is under way, that read
     * is aborted at once. The mark buffer is left to the reader, which may still be inside a read.
     */
    @Override
    public void close() throws IOException {
        if (this.closed) {
            return;
        }
        this.closed = true;
        try {
            boolean onReadingThread = this.raw.closeOrAbort();
            if (onReadingThread && this.stream != null && this.stream != this.raw) {
                this.stream.close(); // frees the inflater; raw is already finished
            }
        }
        finally {
            if (this.leakWatch != null) {
                this.leakWatch.stop();
            }
        }
    }

    /**
     * A failure of the gzip decoder names the host and is sticky, like the body's own; the connection is closed
     * (the rest of the encoded body is never read). Failures of the body below pass through as they are.
     */
    private IOException decodingFailed(IOException ex) {
        if (ex instanceof TransportException || this.stream == this.raw) {
            return ex;
        }
        if (this.decodingFailure == null) {
            this.decodingFailure = new TransportException(this.raw.key(), "Decoding the gzip response body from "
                    + this.raw.key() + " failed: " + ex.getMessage(), ex);
            this.raw.release(CloseReason.ERROR);
        }
        return new TransportException(this.raw.key(), this.decodingFailure.getMessage(), this.decodingFailure);
    }

    private void ensureOpen() throws IOException {
        if (this.closed) {
            throw new IOException("Response body is closed");
        }
    }

    private InputStream stream() throws IOException {
        ensureOpen();
        if (this.decodingFailure != null) {
            throw this.decodingFailure;
        }
        if (this.stream == null) {
            // Created on first read, so an unread body costs no inflater.
            this.stream = new GzipDecoder(this.raw, this.bufferSize);
        }
        return this.stream;
    }
}
