package io.github.pooledtransport.core.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decodes a gzip-encoded response body the way Go's {@code compress/gzip} reader does, which
 * {@link java.util.zip.GZIPInputStream} does not: every member of a multi-member body is decoded (the JDK's
 * stream looks for a next member only among bytes already available, so it may stop early and report
 * success), bytes after the last member are an error (the JDK's stream ignores them), and a body of zero bytes
 * reads as empty (the JDK's stream throws). Each member's CRC-32 and length are checked (RFC 1952).
 */
final class GzipDecoder extends InputStream {

    private static final int FHCRC = 2;

    private static final int FEXTRA = 4;

    private static final int FNAME = 8;

    private static final int FCOMMENT = 16;

    private static final int RESERVED = 0xe0;

    private final InputStream in;

    private final Inflater inflater = new Inflater(true);

    private final CRC32 crc = new CRC32();

    private final byte[] buffer;

    /** For {@link #read()}. */
    private final byte[] single = new byte[1];

    private int position;

    private int limit;

    private boolean inMember;

    private boolean done;

    private boolean closed;

    GzipDecoder(InputStream in, int bufferSize) {
        this.in = in;
        this.buffer = new byte[bufferSize];
    }

    @Override
    public int read() throws IOException {
        int n;
        while ((n = read(this.single, 0, 1)) == 0) {
            // inflate may yield nothing from a block header; read on
        }
        return (n < 0) ? -1 : this.single[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (this.closed) {
            throw new IOException("Stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (!this.done) {
            if (!this.inMember) {
                if (!startMember()) {
                    this.done = true;
                    break;
                }
            }
            int n = inflate(b, off, len);
            if (n > 0) {
                this.crc.update(b, off, n);
                return n;
            }
            if (this.inflater.finished()) {
                endMember();
            }
            else if (this.inflater.needsInput()) {
                if (fill() < 0) {
                    throw new EOFException("gzip body ended in the middle of a member");
                }
                this.inflater.setInput(this.buffer, this.position, this.limit - this.position);
            }
            else if (this.inflater.needsDictionary()) {
                throw new ZipException("gzip body needs a preset dictionary, which gzip does not define");
            }
        }
        return -1;
    }

    private int inflate(byte[] b, int off, int len) throws ZipException {
        try {
            int n = this.inflater.inflate(b, off, len);
            this.position = this.limit - this.inflater.getRemaining();
            return n;
        }
        catch (DataFormatException ex) {
            throw new ZipException("Corrupt gzip body: " + ex.getMessage());
        }
    }

    /**
     * Reads a member's header, or finds the clean end of the body.
     *
     * @return whether a member starts; {@code false} at the end of the input before a member's first byte
     */
    private boolean startMember() throws IOException {
        if (this.position == this.limit && fill() < 0) {
            return false; // an empty body, or the end after a complete member
        }
        if (readByte() != 0x1f || readByte() != 0x8b) {
            throw new ZipException("Bytes after the end of the gzip body, or not gzip: bad magic number");
        }
        if (readByte() != 8) {
            throw new ZipException("Unsupported gzip compression method");
        }
        int flags = readByte();
        if ((flags & RESERVED) != 0) {
            throw new ZipException("gzip header has reserved flags set");
        }
        skip(6); // MTIME, XFL, OS
        if ((flags & FEXTRA) != 0) {
            skip(readByte() | readByte() << 8);
        }
        if ((flags & FNAME) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FCOMMENT) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FHCRC) != 0) {
            skip(2);
        }
        this.inflater.reset();
        this.crc.reset();
        this.inflater.setInput(this.buffer, this.position, this.limit - this.position);
        this.inMember = true;
        return true;
    }

    private void endMember() throws IOException {
        long expectedCrc = readIntLe();
        long expectedSize = readIntLe();
        if (expectedCrc != this.crc.getValue()) {
            throw new ZipException("gzip member fails its CRC-32 check");
        }
        if (expectedSize != (this.inflater.getBytesWritten() & 0xffffffffL)) {
            throw new ZipException("gzip member's length does not match its trailer");
        }
        this.inMember = false;
    }

    private long readIntLe() throws IOException {
        return (readByte() | readByte() << 8 | readByte() << 16 | (long) readByte() << 24) & 0xffffffffL;
    }

    private void skipZeroTerminated() throws IOException {
        while (readByte() != 0) {
            // skip the file name or comment
        }
    }

    private void skip(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            readByte();
        }
    }

    private int readByte() throws IOException {
        if (this.position == this.limit && fill() < 0) {
            throw new EOFException("gzip body ended in the middle of a member's header or trailer");
        }
        return this.buffer[this.position++] & 0xff;
    }

    /** @return bytes read into the empty buffer, or -1 at the end of the input */
    private int fill() throws IOException {
        int n;
        do {
            n = this.in.read(this.buffer, 0, this.buffer.length);
        }
        while (n == 0);
        if (n > 0) {
            this.position = 0;
            this.limit = n;
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return 0;
    }

    @Override
    public void close() throws IOException {
        if (!this.closed) {
            this.closed = true;
            this.inflater.end();
            this.in.close();
        }
    }
}
