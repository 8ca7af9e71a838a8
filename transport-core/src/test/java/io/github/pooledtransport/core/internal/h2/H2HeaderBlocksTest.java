package io.github.pooledtransport.core.internal.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.util.ArrayList;
import java.util.List;

import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http2.H2ConnectionException;
import org.apache.hc.core5.http2.H2Error;
import org.junit.jupiter.api.Test;

/**
 * HPACK through {@link H2HeaderBlocks}: lists come back exactly, the dynamic table makes a repeated list cheap, a
 * peer's smaller table size is announced in the next block, and a hostile block fails the connection with the
 * right error code instead of growing without bound.
 */
class H2HeaderBlocksTest {

    private static List<Header> request(String path) {
        return List.of(new BasicHeader(":method", "GET"), new BasicHeader(":scheme", "https"),
                new BasicHeader(":authority", "api.example.test"), new BasicHeader(":path", path),
                new BasicHeader("accept", "application/json"), new BasicHeader("x-trace", "caf\u00e9"));
    }

    @Test
    void aHeaderListDecodesToWhatWasEncodedInOrder() throws H2ConnectionException {
        H2HeaderBlocks sender = new H2HeaderBlocks(65_536);
        H2HeaderBlocks receiver = new H2HeaderBlocks(65_536);

        for (String path : List.of("/a", "/b")) {
            List<Header> decoded = receiver.decode(sender.encode(request(path)));
            assertThat(decoded).extracting(Header::getName, Header::getValue)
                    .containsExactlyElementsOf(request(path).stream()
                            .map(h -> org.assertj.core.groups.Tuple.tuple(h.getName(), h.getValue())).toList());
        }
    }

    @Test
    void aRepeatedListIsSmallerThroughTheDynamicTable() {
        H2HeaderBlocks sender = new H2HeaderBlocks(65_536);

        int first = sender.encode(request("/same")).length;
        int second = sender.encode(request("/same")).length;

        assertThat(second).isLessThan(first);
    }

    @Test
    void aPeersZeroTableSizeIsAnnouncedInTheNextBlock() {
        H2HeaderBlocks sender = new H2HeaderBlocks(65_536);
        sender.encode(request("/warm"));

        sender.peerHeaderTableSize(0);
        byte[] block = sender.encode(request("/next"));

        assertThat(block[0] & 0xe0).as("a dynamic table size update (RFC 7541 6.3) starts the block").isEqualTo(0x20);
        assertThat(block[0] & 0x1f).as("to size 0").isZero();
    }

    @Test
    void aListOverTheHardLimitEndsTheConnectionWithEnhanceYourCalm() {
        List<Header> big = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            big.add(new BasicHeader("x-field-" + i, "v".repeat(100)));
        }
        byte[] block = new H2HeaderBlocks(1 << 20).encode(big);

        assertThatExceptionOfType(H2ConnectionException.class)
                .isThrownBy(() -> new H2HeaderBlocks(4096).decode(block))
                .satisfies(ex -> assertThat(ex.getCode()).isEqualTo(H2Error.ENHANCE_YOUR_CALM.getCode()));
    }

    @Test
    void aBlockThatIsNotHpackEndsTheConnectionWithCompressionError() {
        // An indexed field (0x80 prefix) pointing past both tables.
        byte[] block = { (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f };

        assertThatExceptionOfType(H2ConnectionException.class)
                .isThrownBy(() -> new H2HeaderBlocks(65_536).decode(block))
                .satisfies(ex -> assertThat(ex.getCode()).isEqualTo(H2Error.COMPRESSION_ERROR.getCode()));
    }

    @Test
    void aTableSizeUpdateAboveOurLimitEndsTheConnectionWithCompressionError() {
        // A dynamic table size update to 8192, above the 4096 we allow: 0x3f then 8192 - 31 = 8161 as a varint.
        byte[] block = { 0x3f, (byte) 0xe1, 0x3f };

        assertThatExceptionOfType(H2ConnectionException.class)
                .isThrownBy(() -> new H2HeaderBlocks(65_536).decode(block))
                .satisfies(ex -> assertThat(ex.getCode()).isEqualTo(H2Error.COMPRESSION_ERROR.getCode()));
    }
}
