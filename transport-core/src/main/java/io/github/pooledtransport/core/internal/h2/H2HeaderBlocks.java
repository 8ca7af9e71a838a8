package io.github.pooledtransport.core.internal.h2;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http2.H2ConnectionException;
import org.apache.hc.core5.http2.H2Error;
import org.apache.hc.core5.http2.hpack.HPackDecoder;
import org.apache.hc.core5.http2.hpack.HPackEncoder;
import org.apache.hc.core5.http2.hpack.HPackException;
import org.apache.hc.core5.http2.hpack.HeaderListConstraintException;
import org.apache.hc.core5.util.ByteArrayBuffer;

/**
 * One connection's HPACK state, on httpcore5-h2's encoder and decoder: header lists to header blocks and back.
 * Each side keeps a dynamic table that must see every block in order, so the encoder is used under the
 * connection's write lock and the decoder by its reader only. Field values are ISO-8859-1, as on HTTP/1.1.
 * <p>
 * A decoded list is capped at a hard limit: a list that reaches it ends the connection (ENHANCE_YOUR_CALM),
 * because a decode that stops midway leaves the dynamic table out of step with the peer's. The exact limit a caller
 * asked for ({@code maxResponseHeaderBytes}) is the caller's to check on a complete list, which fails that stream
 * only. Any block the library cannot decode, whatever it throws, is a COMPRESSION_ERROR.
 */
public final class H2HeaderBlocks {

    /** RFC 9113's default SETTINGS_HEADER_TABLE_SIZE, and the most we let either table grow to. */
    static final int TABLE_SIZE = 4096;

    private final HPackEncoder encoder = new HPackEncoder(TABLE_SIZE, StandardCharsets.ISO_8859_1);

    private final HPackDecoder decoder = new HPackDecoder(TABLE_SIZE, StandardCharsets.ISO_8859_1);

    /**
     * @param hardListLimit the most bytes a decoded header list may hold (RFC 7541 sizes: name + value + 32 per
     *     field); a list that reaches it ends the connection
     */
    public H2HeaderBlocks(int hardListLimit) {
        this.decoder.setMaxListSize(hardListLimit);
    }

    /**
     * @param fields the header list, pseudo-header fields first, names lower-case
     * @return the header block
     */
    public byte[] encode(List<? extends Header> fields) {
        ByteArrayBuffer block = new ByteArrayBuffer(256);
        try {
            this.encoder.encodeHeaders(block, fields, true);
        }
        catch (CharacterCodingException ex) {
            // Our headers are checked for ISO-8859-1 before they get here.
            throw new IllegalArgumentException("A header field is not ISO-8859-1", ex);
        }
        return block.toByteArray();
    }

    /**
     * @param block a complete header block (HEADERS and its CONTINUATION frames, joined)
     * @return the header list
     * @throws H2ConnectionException COMPRESSION_ERROR for a block that cannot be decoded, ENHANCE_YOUR_CALM for a
     *     list that reached the hard limit
     */
    public List<Header> decode(byte[] block) throws H2ConnectionException {
        try {
            return this.decoder.decodeHeaders(ByteBuffer.wrap(block));
        }
        catch (HeaderListConstraintException ex) {
            throw new H2ConnectionException(H2Error.ENHANCE_YOUR_CALM, "Response header list too large: "
                    + ex.getMessage());
        }
        catch (HPackException ex) {
            throw new H2ConnectionException(H2Error.COMPRESSION_ERROR, "Header block not decodable: " + ex.getMessage());
        }
        catch (RuntimeException ex) {
            // The library throws IllegalArgumentException for an index past both tables (5.4.x), and a truncated
            // block can underflow its buffer: any of them is a block we cannot decode.
            throw new H2ConnectionException(H2Error.COMPRESSION_ERROR, "Header block not decodable: " + ex);
        }
    }

    /**
     * The peer's SETTINGS_HEADER_TABLE_SIZE: our encoder's table shrinks to it (never grows past 4096), and the next
     * block tells the peer so with a dynamic table size update.
     *
     * @param size the peer's setting
     */
    public void peerHeaderTableSize(int size) {
        this.encoder.setMaxTableSize(Math.min(Math.max(size, 0), TABLE_SIZE));
    }
}
