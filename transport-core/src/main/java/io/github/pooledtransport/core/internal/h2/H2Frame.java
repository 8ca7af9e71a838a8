package io.github.pooledtransport.core.internal.h2;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.hc.core5.http2.H2ConnectionException;
import org.apache.hc.core5.http2.H2Error;
import org.apache.hc.core5.http2.config.H2Param;
import org.apache.hc.core5.http2.config.H2Setting;
import org.apache.hc.core5.http2.frame.FrameFlag;
import org.apache.hc.core5.http2.frame.FrameType;

/**
 * One HTTP/2 frame as {@link H2FrameReader} read it: its type, flags and true stream id, and its own copy of the
 * payload without padding (and, for HEADERS, without the priority fields), so the next read cannot change it.
 * The fixed fields of the control frames are read here (RFC 9113 6.3 to 6.9), each checked for its length.
 *
 * @param type the frame type, or {@code null} for a type this library does not know (to be ignored)
 * @param rawType the type code on the wire
 * @param flags the flags
 * @param streamId the stream id, reserved bit cleared
 * @param payload the payload content
 * @param flowLength the payload's length on the wire, padding included: what a DATA frame counts against flow
 *     control (RFC 9113 6.9)
 */
public record H2Frame(FrameType type, int rawType, int flags, int streamId, byte[] payload, int flowLength) {

    /** @return whether the flag is set */
    public boolean has(FrameFlag flag) {
        return (this.flags & flag.getValue()) != 0;
    }

    /**
     * One SETTINGS parameter the library knows, with its value as the unsigned 32-bit number on the wire (the
     * library's own {@code H2Setting} refuses values of 2^31 and above, which are legal for most parameters).
     *
     * @param param the parameter
     * @param value its value, 0 to 2^32-1
     */
    public record Setting(H2Param param, long value) {
    }

    /** @return the SETTINGS parameters the library knows, in order (unknown ones are ignored, RFC 9113 6.5.2) */
    public List<Setting> settings() throws H2ConnectionException {
        expect(FrameType.SETTINGS);
        if (this.payload.length % 6 != 0 || (has(FrameFlag.ACK) && this.payload.length != 0)) {
            throw new H2ConnectionException(H2Error.FRAME_SIZE_ERROR, "SETTINGS of " + this.payload.length
                    + " bytes");
        }
        List<Setting> settings = new ArrayList<>(this.payload.length / 6);
        ByteBuffer fields = ByteBuffer.wrap(this.payload);
        while (fields.hasRemaining()) {
            int code = fields.getShort() & 0xffff;
            long value = Integer.toUnsignedLong(fields.getInt());
            H2Param param = H2Param.valueOf(code);
            if (param != null) {
                settings.add(new Setting(param, value));
            }
        }
        return settings;
    }

    /** @return the WINDOW_UPDATE increment, reserved bit cleared (0 is the caller's to reject) */
    public int windowIncrement() throws H2ConnectionException {
        expect(FrameType.WINDOW_UPDATE);
        return fixed(4).getInt() & 0x7fffffff;
    }

    /** @return the error code of a RST_STREAM or GOAWAY */
    public int errorCode() throws H2ConnectionException {
        if (this.type == FrameType.RST_STREAM) {
            return fixed(4).getInt();
        }
        expect(FrameType.GOAWAY);
        return atLeast(8).getInt(4);
    }

    /** @return GOAWAY's last stream id, reserved bit cleared */
    public int lastStreamId() throws H2ConnectionException {
        expect(FrameType.GOAWAY);
        return atLeast(8).getInt(0) & 0x7fffffff;
    }

    /** @return the 8 bytes of a PING */
    public byte[] pingData() throws H2ConnectionException {
        expect(FrameType.PING);
        fixed(8);
        return this.payload.clone();
    }

    private ByteBuffer fixed(int length) throws H2ConnectionException {
        if (this.payload.length != length) {
            throw new H2ConnectionException(H2Error.FRAME_SIZE_ERROR, this.type + " of " + this.payload.length
                    + " bytes, not " + length);
        }
        return ByteBuffer.wrap(this.payload);
    }

    private ByteBuffer atLeast(int length) throws H2ConnectionException {
        if (this.payload.length < length) {
            throw new H2ConnectionException(H2Error.FRAME_SIZE_ERROR, this.type + " of " + this.payload.length
                    + " bytes, fewer than " + length);
        }
        return ByteBuffer.wrap(this.payload);
    }

    private void expect(FrameType expected) {
        if (this.type != expected) {
            throw new IllegalStateException("a " + this.type + " frame read as " + expected);
        }
    }
}
