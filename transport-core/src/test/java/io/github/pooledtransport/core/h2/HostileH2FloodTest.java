package io.github.pooledtransport.core.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http2.H2Error;
import org.apache.hc.core5.http2.frame.FrameFlag;
import org.apache.hc.core5.http2.frame.FrameType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.ResponseHeadersTooLargeException;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.internal.h2.H2Frame;

/**
 * A hostile HTTP/2 server that floods or amplifies: SETTINGS floods (from a server that reads, and one that does
 * not), HPACK table-size bombs both ways, header lists amplified by indexed references to one large dynamic-table
 * entry, and WINDOW_UPDATE increments of 0. Each ends the stream or the connection with the error code RFC 9113
 * names, the caller sees an exception that says what happened, and nothing the server asks for is held without
 * bound; a server that merely asks a lot, and reads our answers, is served.
 */
@Timeout(30)
class HostileH2FloodTest {

    /** maxResponseHeaderBytes here; the connection's hard limit on a decoded list is max(2x that, 64 KiB). */
    private static final int MAX_HEADER_BYTES = 8 * 1024;

    /** H2Connection.MAX_QUEUED_FRAMES: answers queued past this end the connection. */
    private static final int MAX_QUEUED_ANSWERS = 10_000;

    private static final int END_STREAM = FrameFlag.END_STREAM.getValue();

    private static final int END_HEADERS = FrameFlag.END_HEADERS.getValue();

    /** The first dynamic-table index (RFC 7541 2.3.3): the entry inserted last. */
    private static final int NEWEST_DYNAMIC_ENTRY = 62;

    private Transport transport;

    private RawH2Peer peer;

    @BeforeEach
    void start() {
        this.transport = new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C))
                .readTimeout(Duration.ofSeconds(5)).maxResponseHeaderBytes(MAX_HEADER_BYTES).build());
    }

    @AfterEach
    void stop() throws Exception {
        this.transport.close();
        if (this.peer != null) {
            this.peer.close();
            assertThat(this.peer.failures).isEmpty();
        }
    }

    private Response get(String path) throws Exception {
        return this.transport.roundTrip(Request.get(this.peer.url(path)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // SETTINGS floods

    @Test
    void settingsFloodFromAServerThatDoesNotReadEndsTheConnectionWithEnhanceYourCalm() throws Exception {
        int chunkFrames = 10_000;
        int chunks = 200; // 2,000,000 SETTINGS, 18 MB, far past any socket buffers
        CountDownLatch asserted = new CountDownLatch(1);
        CompletableFuture<Long> writtenWhenCutOff = new CompletableFuture<>();
        this.peer = new RawH2Peer(4096, s -> {
            s.settings();
            s.request(); // and reads nothing more: our acknowledgements pile up
            byte[] flood = emptySettingsFrames(chunkFrames);
            long written = 0;
            try {
                OutputStream out = s.socket().getOutputStream();
                for (int i = 0; i < chunks; i++) {
                    out.write(flood);
                    written += chunkFrames;
                }
                writtenWhenCutOff.complete(-1L); // never cut off: the client took it all
            }
            catch (IOException closed) {
                writtenWhenCutOff.complete(written); // the client hung up, as it should
            }
            asserted.await(10, TimeUnit.SECONDS); // open, and unread, until the client has judged it
        });
        Transport patient = new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C))
                .readTimeout(Duration.ofSeconds(20)).build());
        try {
            // The answers waiting for the writer are capped: the connection ends at the cap, it does not queue on.
            assertThatThrownBy(() -> patient.roundTrip(Request.get(this.peer.url("/"))))
                    .isInstanceOf(TransportException.class).hasMessageContaining("ENHANCE_YOUR_CALM")
                    .hasMessageContaining("more than " + MAX_QUEUED_ANSWERS + " answers waiting to be written");
            // The client closed the socket: the flood was cut off before its end.
            assertThat(writtenWhenCutOff.get(10, TimeUnit.SECONDS)).isBetween(0L, (long) chunkFrames * chunks - 1);
        }
        finally {
            asserted.countDown();
            patient.close();
        }
    }

    @Test
    void settingsFloodFromAServerThatReadsTheAcknowledgementsIsServed() throws Exception {
        int rounds = 20;
        int perRound = 1_000; // 20,000 in all: twice the cap on queued answers, so only answers written may count
        AtomicInteger acks = new AtomicInteger();
        this.peer = new RawH2Peer(s -> {
            s.settings();
            int id = -1;
            while (id < 0) { // the request, counting the acknowledgement of our first SETTINGS if it comes first
                H2Frame frame = next(s);
                if (isSettingsAck(frame)) {
                    acks.incrementAndGet();
                }
                else if (frame.type() == FrameType.HEADERS) {
                    s.hpack.decode(frame.payload());
                    id = frame.streamId();
                }
            }
            byte[] round = emptySettingsFrames(perRound);
            for (int r = 1; r <= rounds; r++) {
                s.socket().getOutputStream().write(round);
                // A PING after them: the client answers frames in order, so every acknowledgement of this round,
                // and no more, comes before the PING's.
                s.writer.ping(new byte[8], false);
                s.writer.flush();
                for (H2Frame frame = next(s); !(frame.type() == FrameType.PING && frame.has(FrameFlag.ACK));
                        frame = next(s)) {
                    if (isSettingsAck(frame)) {
                        acks.incrementAndGet();
                    }
                }
                int expected = 1 + r * perRound;
                if (acks.get() != expected) {
                    throw new IOException(acks.get() + " SETTINGS acknowledgements after round " + r + ", not "
                            + expected);
                }
            }
            s.head(id, 200, false, "content-length", "5");
            s.data(id, "hello".getBytes(StandardCharsets.US_ASCII), true);
            s.drain();
        });
        try (Response response = get("/")) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().readAllBytes()).isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(acks.get()).isEqualTo(1 + rounds * perRound); // each SETTINGS acknowledged once
        assertThat(this.peer.connections()).isEqualTo(1);
        assertThat(this.transport.stats().totals().closedTotal()).isZero();
    }

    // ---------------------------------------------------------------------------------------------------------
    // HPACK table size

    @Test
    void hugeHeaderTableSizeFromTheServerLeavesOurEncodersTableAt4096() throws Exception {
        String a = "a".repeat(3000);
        String b = "b".repeat(3000);
        this.peer = new RawH2Peer(s -> {
            // SETTINGS_HEADER_TABLE_SIZE = 2^32-1, the largest the field holds (the library's H2Setting refuses it).
            s.raw(FrameType.SETTINGS.getValue(), 0, 0, new byte[] { 0, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                    (byte) 0xff });
            // Our decoder keeps a 4096-byte table: a client that announced a larger one (a dynamic table size update
            // above 4096), or referenced an entry a 4096-byte table evicted, fails the decode or the echo.
            for (int i = 0; i < 3; i++) {
                List<Header> fields = new ArrayList<>();
                int id = s.request(fields);
                String echo = fields.stream().filter(f -> f.getName().startsWith("x-fill-")).map(f -> f.getName()
                        + "=" + f.getValue()).findFirst().orElse("none");
                byte[] body = echo.getBytes(StandardCharsets.US_ASCII);
                s.head(id, 200, false, "content-length", Integer.toString(body.length));
                s.data(id, body, true);
            }
            s.drain();
        });
        // Each field takes most of a 4096-byte table: the second evicts the first, which the third sends again.
        String[][] sent = { { "x-fill-a", a }, { "x-fill-b", b }, { "x-fill-a", a } };
        for (String[] field : sent) {
            Request request = Request.newBuilder(URI.create(this.peer.url("/"))).header(field[0], field[1])
                    .build();
            try (Response response = this.transport.roundTrip(request)) {
                assertThat(response.status()).isEqualTo(200);
                assertThat(new String(response.body().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo(field[0] + "=" + field[1]);
            }
        }
        assertThat(this.peer.connections()).isEqualTo(1);
    }

    @Test
    void dynamicTableSizeUpdateAboveOurHeaderTableSizeEndsTheConnectionWithCompressionError() throws Exception {
        CompletableFuture<Integer> goAway = new CompletableFuture<>();
        this.peer = new RawH2Peer(s -> {
            s.settings();
            int id = s.request();
            // We announced no SETTINGS_HEADER_TABLE_SIZE: 4096 applies, and 8192 is past it (RFC 7541 4.2, 6.3).
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            hpackInt(block, 0x20, 5, 8192);
            hpackInt(block, 0x80, 7, 9); // :status 204
            s.raw(FrameType.HEADERS.getValue(), END_HEADERS | END_STREAM, id, block.toByteArray());
            goAway.complete(s.awaitGoAway());
        });
        assertThatThrownBy(() -> get("/")).isInstanceOf(TransportException.class)
                .hasMessageContaining("COMPRESSION_ERROR")
                .hasMessageContaining("table size exceeds maximum size: 8192");
        assertThat(goAway.get(5, TimeUnit.SECONDS)).isEqualTo(H2Error.COMPRESSION_ERROR.getCode());
    }

    @Test
    void dynamicTableSizeUpdateUpToOurHeaderTableSizeIsAccepted() throws Exception {
        this.peer = new RawH2Peer(s -> {
            s.settings();
            int id = s.request();
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            hpackInt(block, 0x20, 5, 4096); // exactly the limit
            hpackInt(block, 0x80, 7, 9); // :status 204
            s.raw(FrameType.HEADERS.getValue(), END_HEADERS | END_STREAM, id, block.toByteArray());
            s.drain();
        });
        try (Response response = get("/")) {
            assertThat(response.status()).isEqualTo(204);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Header lists amplified by HPACK

    @Test
    void headerListAmplifiedPastMaxResponseHeaderBytesByIndexedReferencesFailsOnlyItsStream() throws Exception {
        String big = "v".repeat(4000); // 4037 bytes as a header list counts it: one fits our 8 KiB, three do not
        CompletableFuture<Integer> reset = new CompletableFuture<>();
        this.peer = new RawH2Peer(s -> {
            // Every block raw: the client's decoder table holds x-big alone, at index 62.
            s.settings();
            int id = s.request();
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            hpackInt(first, 0x80, 7, 8); // :status 200
            literalWithIndexing(first, "x-big", big);
            s.raw(FrameType.HEADERS.getValue(), END_HEADERS, id, first.toByteArray());
            s.data(id, "ok".getBytes(StandardCharsets.US_ASCII), true);
            id = s.request();
            ByteArrayOutputStream bomb = new ByteArrayOutputStream(); // 4 bytes that decode to 12 KiB
            hpackInt(bomb, 0x80, 7, 8);
            for (int i = 0; i < 3; i++) {
                hpackInt(bomb, 0x80, 7, NEWEST_DYNAMIC_ENTRY);
            }
            s.raw(FrameType.HEADERS.getValue(), END_HEADERS, id, bomb.toByteArray());
            reset.complete(s.awaitReset());
            id = s.request();
            s.raw(FrameType.HEADERS.getValue(), END_HEADERS | END_STREAM, id, new byte[] { (byte) 0x89 }); // 204
            s.drain();
        });
        try (Response response = get("/insert")) {
            assertThat(response.headers().get("x-big")).isEqualTo(big);
            assertThat(response.body().readAllBytes()).isEqualTo("ok".getBytes(StandardCharsets.US_ASCII));
        }
        assertThatThrownBy(() -> get("/bomb")).isInstanceOf(ResponseHeadersTooLargeException.class)
                .hasMessageContaining("exceed maxResponseHeaderBytes=" + MAX_HEADER_BYTES);
        assertThat(reset.get(5, TimeUnit.SECONDS)).isEqualTo(H2Error.CANCEL.getCode());
        try (Response response = get("/next")) {
            assertThat(response.status()).isEqualTo(204);
        }
        assertThat(this.peer.connections()).isEqualTo(1);
    }

    @Test
    void headerListAmplifiedPastTheHardLimitEndsTheConnectionWithEnhanceYourCalmWhileDecoding() throws Exception {
        CompletableFuture<Integer> goAway = new CompletableFuture<>();
        this.peer = new RawH2Peer(s -> {
            s.settings();
            int id = s.request();
            // One 4 KiB entry into the dynamic table, then 5000 one-byte references to it: a 9 KB block (one frame)
            // that decodes to 20 MB. The decoder must stop at the hard limit (64 KiB), not build the list and let
            // maxResponseHeaderBytes fail the stream after.
            ByteArrayOutputStream bomb = new ByteArrayOutputStream();
            hpackInt(bomb, 0x80, 7, 8); // :status 200
            literalWithIndexing(bomb, "x-big", "v".repeat(4000));
            for (int i = 0; i < 5000; i++) {
                hpackInt(bomb, 0x80, 7, NEWEST_DYNAMIC_ENTRY);
            }
            assertThat(bomb.size()).isLessThan(16_384);
            s.raw(FrameType.HEADERS.getValue(), END_HEADERS, id, bomb.toByteArray());
            goAway.complete(s.awaitGoAway());
        });
        assertThatThrownBy(() -> get("/")).isInstanceOf(TransportException.class)
                .isNotInstanceOf(ResponseHeadersTooLargeException.class).hasMessageContaining("ENHANCE_YOUR_CALM")
                .hasMessageContaining("header list too large");
        assertThat(goAway.get(5, TimeUnit.SECONDS)).isEqualTo(H2Error.ENHANCE_YOUR_CALM.getCode());
    }

    // ---------------------------------------------------------------------------------------------------------
    // WINDOW_UPDATE of 0 (RFC 9113 6.9)

    @Test
    void connectionWindowUpdateOfZeroEndsTheConnectionWithProtocolError() throws Exception {
        CompletableFuture<Integer> goAway = new CompletableFuture<>();
        this.peer = new RawH2Peer(s -> {
            s.settings();
            s.request();
            s.raw(FrameType.WINDOW_UPDATE.getValue(), 0, 0, new byte[4]);
            goAway.complete(s.awaitGoAway());
        });
        assertThatThrownBy(() -> get("/")).isInstanceOf(TransportException.class)
                .hasMessageContaining("PROTOCOL_ERROR").hasMessageContaining("connection WINDOW_UPDATE of 0");
        assertThat(goAway.get(5, TimeUnit.SECONDS)).isEqualTo(H2Error.PROTOCOL_ERROR.getCode());
    }

    @Test
    void streamWindowUpdateOfZeroResetsTheStreamWithProtocolErrorAndTheConnectionServesTheNext() throws Exception {
        CompletableFuture<Integer> reset = new CompletableFuture<>();
        this.peer = new RawH2Peer(s -> {
            s.settings();
            int id = s.request();
            s.raw(FrameType.WINDOW_UPDATE.getValue(), 0, id, new byte[4]);
            reset.complete(s.awaitReset());
            id = s.request();
            s.head(id, 204, true);
            s.drain();
        });
        assertThatThrownBy(() -> get("/zero")).isInstanceOf(TransportException.class)
                .hasMessageContaining("HTTP/2 stream 1").hasMessageContaining("PROTOCOL_ERROR")
                .hasMessageContaining("stream WINDOW_UPDATE of 0");
        assertThat(reset.get(5, TimeUnit.SECONDS)).isEqualTo(H2Error.PROTOCOL_ERROR.getCode());
        try (Response response = get("/next")) {
            assertThat(response.status()).isEqualTo(204);
        }
        assertThat(this.peer.connections()).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    /** @return the client's next frame; the client closing first is the script's failure */
    private static H2Frame next(RawH2Peer.Session s) throws IOException {
        H2Frame frame = s.frames.read();
        if (frame == null) {
            throw new IOException("the client closed the connection");
        }
        return frame;
    }

    private static boolean isSettingsAck(H2Frame frame) {
        return frame.type() == FrameType.SETTINGS && frame.has(FrameFlag.ACK);
    }

    /** @return {@code count} SETTINGS frames without parameters, each of which asks for an acknowledgement */
    private static byte[] emptySettingsFrames(int count) {
        ByteBuffer frames = ByteBuffer.allocate(count * 9);
        while (frames.hasRemaining()) {
            frames.put(new byte[] { 0, 0, 0, (byte) FrameType.SETTINGS.getValue(), 0, 0, 0, 0, 0 });
        }
        return frames.array();
    }

    /** An HPACK integer (RFC 7541 5.1) with its first byte's high bits {@code flags}. */
    private static void hpackInt(ByteArrayOutputStream out, int flags, int prefixBits, int value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            out.write(flags | value);
            return;
        }
        out.write(flags | max);
        int rest = value - max;
        while (rest >= 0x80) {
            out.write((rest & 0x7f) | 0x80);
            rest >>>= 7;
        }
        out.write(rest);
    }

    /** A literal field with incremental indexing and a new name, neither string Huffman-coded (RFC 7541 6.2.1). */
    private static void literalWithIndexing(ByteArrayOutputStream out, String name, String value) {
        out.write(0x40);
        for (String s : new String[] { name, value }) {
            byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
            hpackInt(out, 0, 7, bytes.length);
            out.write(bytes, 0, bytes.length);
        }
    }
}
