package io.github.pooledtransport.core.internal.h2;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

import org.apache.hc.core5.http2.H2Error;
import org.apache.hc.core5.http2.config.H2Setting;
import org.apache.hc.core5.http2.frame.DefaultFrameFactory;
import org.apache.hc.core5.http2.frame.FrameFactory;
import org.apache.hc.core5.http2.frame.RawFrame;
import org.apache.hc.core5.http2.impl.io.FrameOutputBuffer;

/**
 * Writes HTTP/2 frames with httpcore5-h2's {@code DefaultFrameFactory} and {@code FrameOutputBuffer}: header
 * blocks split into HEADERS and CONTINUATION frames and bodies into DATA frames no larger than the peer's
 * SETTINGS_MAX_FRAME_SIZE. It never pads (the library writes padded frames with a wrong length), and it does not
 * flush: the caller flushes once its frames are out. Callers hold the connection's write lock.
 */
public final class H2FrameWriter {

    /** The 24-byte client connection preface (RFC 9113 3.4), not public in the library. */
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final FrameFactory FRAMES = DefaultFrameFactory.INSTANCE;

    private final OutputStream out;

    private final FrameOutputBuffer buffer;

    private int maxFrameSize;

    /**
     * @param out the connection's output
     * @param maxFrameSize the peer's SETTINGS_MAX_FRAME_SIZE (16,384 until it says otherwise)
     */
    public H2FrameWriter(OutputStream out, int maxFrameSize) {
        this.out = out;
        this.maxFrameSize = Math.min(maxFrameSize, FRAME_SIZE_CAP);
        // The library allocates its whole buffer up front: sized for the frames we write, never the protocol's
        // 16 MiB maximum, which would cost that much per connection.
        this.buffer = new FrameOutputBuffer(FRAME_SIZE_CAP);
    }

    /** The largest frame payload we write, whatever the peer allows: smaller frames are always allowed. */
    static final int FRAME_SIZE_CAP = 16_384;

    /** @param maxFrameSize the peer's new SETTINGS_MAX_FRAME_SIZE, already checked against RFC 9113's bounds */
    public void maxFrameSize(int maxFrameSize) {
        this.maxFrameSize = Math.min(maxFrameSize, FRAME_SIZE_CAP);
    }

    /** Writes the client connection preface; SETTINGS must follow. */
    public void preface() throws IOException {
        this.out.write(PREFACE);
    }

    /** @param settings our SETTINGS, sent right after the preface */
    public void settings(H2Setting... settings) throws IOException {
        write(FRAMES.createSettings(settings));
    }

    /** Acknowledges the peer's SETTINGS. */
    public void settingsAck() throws IOException {
        write(FRAMES.createSettingsAck());
    }

    /**
     * @param data the 8 bytes, echoed in the acknowledgement
     * @param ack whether this acknowledges the peer's PING
     */
    public void ping(byte[] data, boolean ack) throws IOException {
        write(ack ? FRAMES.createPingAck(ByteBuffer.wrap(data)) : FRAMES.createPing(ByteBuffer.wrap(data)));
    }

    /**
     * @param streamId the stream, or 0 for the connection
     * @param increment bytes of receive window given back, 1 to 2^31-1
     */
    public void windowUpdate(int streamId, int increment) throws IOException {
        write(FRAMES.createWindowUpdate(streamId, increment));
    }

    /**
     * @param streamId the stream ended
     * @param error why
     */
    public void resetStream(int streamId, H2Error error) throws IOException {
        write(FRAMES.createResetStream(streamId, error));
    }

    /**
     * @param lastStreamId the last stream the peer started that we processed (0 for a client)
     * @param error why the connection ends
     * @param debug a diagnostic text, or {@code null}
     */
    public void goAway(int lastStreamId, H2Error error, String debug) throws IOException {
        write(FRAMES.createGoAway(lastStreamId, error, debug));
    }

    /**
     * Writes a header block as one HEADERS frame and as many CONTINUATION frames as the frame size needs.
     *
     * @param streamId the stream
     * @param block the HPACK-encoded header block
     * @param endStream whether no body follows
     */
    public void headers(int streamId, byte[] block, boolean endStream) throws IOException {
        int first = Math.min(block.length, this.maxFrameSize);
        write(FRAMES.createHeaders(streamId, ByteBuffer.wrap(block, 0, first), first == block.length, endStream));
        for (int offset = first; offset < block.length;) {
            int n = Math.min(block.length - offset, this.maxFrameSize);
            write(FRAMES.createContinuation(streamId, ByteBuffer.wrap(block, offset, n), offset + n == block.length));
            offset += n;
        }
    }

    /**
     * Writes body bytes as DATA frames of at most the frame size; flow control is the caller's.
     *
     * @param streamId the stream
     * @param data the bytes
     * @param offset where they start
     * @param length how many; 0 with {@code endStream} writes an empty DATA frame that ends the stream
     * @param endStream whether these are the last
     */
    public void data(int streamId, byte[] data, int offset, int length, boolean endStream) throws IOException {
        int end = offset + length;
        int at = offset;
        do {
            int n = Math.min(end - at, this.maxFrameSize);
            write(FRAMES.createData(streamId, (n > 0) ? ByteBuffer.wrap(data, at, n) : null,
                    endStream && at + n == end));
            at += n;
        }
        while (at < end);
    }

    /** Sends what was written. */
    public void flush() throws IOException {
        this.out.flush();
    }

    private void write(RawFrame frame) throws IOException {
        if (frame.isPadded()) {
            throw new IllegalStateException("Padded frames are never sent: the library writes them corrupt");
        }
        this.buffer.write(frame, this.out);
    }
}
