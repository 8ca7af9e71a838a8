package io.github.pooledtransport.core.internal.h2;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * Sees every byte that httpcore5-h2's {@code FrameInputBuffer} reads, in order, and notes the true stream id of
 * each frame header as it passes. The library's reader (5.4.x) misreads ids of 65536 and above (an operator
 * precedence slip drops the id's second byte, so 65537 reads as 1) and keeps the reserved bit: a hostile peer
 * could then put its bytes into another stream. {@link H2FrameReader} takes the id from here instead.
 * <p>
 * It decodes nothing but the 9-byte frame headers' length and stream id fields (RFC 9113 4.1), to follow the
 * frame boundaries; the frames themselves are the library's. Not thread-safe: one reader thread.
 */
final class FrameHeaderWitness extends FilterInputStream {

    static final int HEADER_LENGTH = 9;

    private final byte[] header = new byte[HEADER_LENGTH];

    private int headerFill;

    /** Payload bytes of the current frame still to pass before the next header. */
    private long payloadLeft;

    /** True ids of the headers seen, in order, not yet claimed by a frame the library returned. */
    private final ArrayDeque<Integer> ids = new ArrayDeque<>();

    FrameHeaderWitness(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            observe((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        for (int i = 0; i < n;) {
            if (this.payloadLeft > 0) {
                int skip = (int) Math.min(this.payloadLeft, n - i);
                this.payloadLeft -= skip;
                i += skip;
            }
            else {
                observe(buffer[offset + i]);
                i++;
            }
        }
        return n;
    }

    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("frames are read, never skipped"); // boundaries would be lost
    }

    private void observe(byte b) {
        if (this.payloadLeft > 0) {
            this.payloadLeft--;
            return;
        }
        this.header[this.headerFill++] = b;
        if (this.headerFill == HEADER_LENGTH) {
            this.headerFill = 0;
            this.payloadLeft = ((this.header[0] & 0xffL) << 16) | ((this.header[1] & 0xffL) << 8)
                    | (this.header[2] & 0xffL);
            this.ids.add(((this.header[5] & 0x7f) << 24) | ((this.header[6] & 0xff) << 16)
                    | ((this.header[7] & 0xff) << 8) | (this.header[8] & 0xff)); // the reserved bit cleared
        }
    }

    /**
     * @return the true stream id of the next frame the library returns
     * @throws IllegalStateException when no header was seen for it: a reader out of step, never to be trusted
     */
    int claimNextId() {
        Integer id = this.ids.poll();
        if (id == null) {
            throw new IllegalStateException("A frame was read whose header was not seen");
        }
        return id;
    }
}
