package io.github.pooledtransport.core.internal.h2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http2.H2ConnectionException;
import org.apache.hc.core5.http2.H2Error;
import org.apache.hc.core5.http2.frame.FrameFlag;
import org.apache.hc.core5.http2.frame.FrameType;
import org.apache.hc.core5.http2.frame.RawFrame;
import org.apache.hc.core5.http2.impl.io.FrameInputBuffer;

/**
 * Reads HTTP/2 frames from a connection with httpcore5-h2's {@code FrameInputBuffer}, guarding its known
 * defects: the stream id comes from {@link FrameHeaderWitness} (the library misreads ids of 65536 and above and
 * keeps the reserved bit), and each payload is copied out of the library's buffer, which the next read reuses.
 * One reader thread per connection.
 */
public final class H2FrameReader {

    private final FrameHeaderWitness in;

    private final FrameInputBuffer frames;

    /**
     * @param in the connection's input
     * @param maxFramePayloadSize the SETTINGS_MAX_FRAME_SIZE we announced: a larger frame is a FRAME_SIZE_ERROR
     */
    public H2FrameReader(InputStream in, int maxFramePayloadSize) {
        this.in = new FrameHeaderWitness(in);
        this.frames = new FrameInputBuffer(maxFramePayloadSize);
    }

    /**
     * @return the next frame, or {@code null} when the peer closed the connection between frames
     * @throws H2ConnectionException for a frame the connection must end with (its error code says which)
     * @throws IOException when the connection failed or ended inside a frame
     */
    public H2Frame read() throws IOException {
        RawFrame raw;
        try {
            raw = this.frames.read(this.in);
        }
        catch (ConnectionClosedException ex) {
            return null;
        }
        int streamId = this.in.claimNextId();
        FrameType type = FrameType.valueOf(raw.getType());
        ByteBuffer content = raw.getPayloadContent(); // padding removed; a view into the reused buffer
        if (type == FrameType.HEADERS && raw.isFlagSet(FrameFlag.PRIORITY)) {
            // The library leaves the deprecated priority fields (RFC 9113 6.2) in HEADERS' content.
            if (content == null || content.remaining() < 5) {
                throw new H2ConnectionException(H2Error.FRAME_SIZE_ERROR, "HEADERS too short for its priority fields");
            }
            content.position(content.position() + 5);
        }
        byte[] payload;
        if (content == null) {
            payload = new byte[0];
        }
        else {
            payload = new byte[content.remaining()];
            content.get(payload);
        }
        return new H2Frame(type, raw.getType(), raw.getFlags(), streamId, payload, raw.getLength());
    }
}
