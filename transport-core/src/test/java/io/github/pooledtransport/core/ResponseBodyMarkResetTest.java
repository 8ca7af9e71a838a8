package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A response body supports {@code mark}/{@code reset}, the way Spring's {@code RestClient} peeks at one byte to
 * tell an empty body from a present one, without losing bytes or the connection.
 */
class ResponseBodyMarkResetTest {

    private final MockWebServer server = new MockWebServer();

    private final Transport transport = new Transport(TransportConfig.defaults());

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void resetServesTheBytesReadSinceTheMarkAgain() throws Exception {
        try (Response response = get(new MockResponse.Builder().body("0123456789").build())) {
            ResponseBody body = response.body();
            assertThat(body.markSupported()).isTrue();
            body.mark(4);
            assertThat(new String(body.readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("012");
            body.reset();
            assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("0123456789");
        }
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
    }

    @Test
    void peekingOneByteThenReadingTheDeclaredLengthReturnsTheWholeBodyAndReleasesTheConnection() throws Exception {
        try (Response response = get(new MockResponse.Builder().body("0123456789").build())) {
            ResponseBody body = response.body();
            body.mark(1);
            assertThat(body.read()).isEqualTo('0');
            body.reset();
            assertThat(body.available()).isPositive();

            byte[] bytes = body.readNBytes(10);

            assertThat(new String(bytes, StandardCharsets.US_ASCII)).isEqualTo("0123456789");
            assertThat(body.read()).isEqualTo(-1);
            assertThat(this.transport.stats().totals().idle()).as("released at the end of the body").isEqualTo(1);
        }
    }

    @Test
    void readingPastTheReadLimitInvalidatesTheMarkButLosesNoBytes() throws Exception {
        try (Response response = get(new MockResponse.Builder().body("0123456789").build())) {
            ResponseBody body = response.body();
            body.mark(2);
            assertThat(new String(body.readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("012");

            assertThatIOException().isThrownBy(body::reset).withMessageContaining("invalid mark");
            assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("3456789");
        }
    }

    @Test
    void resetWithoutAMarkFails() throws Exception {
        try (Response response = get(new MockResponse.Builder().body("abc").build())) {
            assertThatIOException().isThrownBy(response.body()::reset).withMessageContaining("invalid mark");
            assertThat(response.body().bytes()).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aNewMarkDuringReplayKeepsTheBytesNotYetServedAgain() throws Exception {
        try (Response response = get(new MockResponse.Builder().body("0123456789").build())) {
            ResponseBody body = response.body();
            body.mark(5);
            body.readNBytes(5);
            body.reset();
            assertThat(body.read()).isEqualTo('0');
            body.mark(8);
            assertThat(new String(body.readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("123456");
            body.reset();
            assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("123456789");
        }
    }

    @Test
    void markAndResetWorkOnATransparentlyDecompressedBody() throws Exception {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
            out.write("hello, gzip".getBytes(StandardCharsets.US_ASCII));
        }
        MockResponse gzip = new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(gzipped.toByteArray())).build();
        try (Response response = get(gzip)) {
            ResponseBody body = response.body();
            body.mark(1);
            assertThat(body.read()).isEqualTo('h');
            body.reset();
            assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello, gzip");
            assertThat(this.transport.stats().totals().idle()).as("released at the end of the body").isEqualTo(1);
        }
    }

    @Test
    void aSecondMarkDoesNotServeBytesKeptForTheFirst() throws Exception {
        try (Response response = get(new MockResponse.Builder().body("0123456789").build())) {
            ResponseBody body = response.body();
            body.mark(4);
            body.readNBytes(4);
            body.reset();
            body.readNBytes(4);
            body.mark(4);
            assertThat(new String(body.readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("45");
            body.reset();
            body.reset();
            assertThat(new String(body.readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("456");
            assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("789");
        }
    }

    @Test
    void aShortReadDuringReplayLeavesTheRestOfTheKeptBytesToServe() throws Exception {
        try (Response response = get(new MockResponse.Builder().chunkedBody("0123456789", 3).build())) {
            ResponseBody body = response.body();
            body.mark(6);
            body.readNBytes(6);
            body.reset();
            assertThat(new String(body.readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("01");
            assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("23456789");
            assertThat(this.transport.stats().totals().idle()).as("released at the end of the body").isEqualTo(1);
        }
    }

    @Test
    void aMarkWithAReadLimitOfZeroResetsOnlyIfNothingWasRead() throws Exception {
        try (Response response = get(new MockResponse.Builder().body("abc").build())) {
            ResponseBody body = response.body();
            body.mark(0);
            body.reset();
            assertThat(body.read()).isEqualTo('a');
            assertThatIOException().isThrownBy(body::reset);
            assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bc");
        }
    }

    @Test
    void aBodyMadeFromBytesSupportsMarkAndResetToo() throws IOException {
        ResponseBody body = ResponseBody.of("xyz".getBytes(StandardCharsets.US_ASCII));

        body.mark(1);
        assertThat(body.read()).isEqualTo('x');
        body.reset();

        assertThat(body.markSupported()).isTrue();
        assertThat(body.bytes()).isEqualTo("xyz".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void peekingAtAnEmptyChunkedBodyFindsItsEndAndReleasesTheConnection() throws Exception {
        try (Response response = get(new MockResponse.Builder().chunkedBody("", 16).build())) {
            ResponseBody body = response.body();
            body.mark(1);
            assertThat(body.read()).isEqualTo(-1);
            assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
        }
    }

    @Test
    void aClosedBodyCannotBeReset() throws Exception {
        Response response = get(new MockResponse.Builder().body("abc").build());
        ResponseBody body = response.body();
        body.mark(1);
        body.read();
        response.close();

        assertThatIOException().isThrownBy(body::reset).withMessageContaining("closed");
    }

    private Response get(MockResponse response) throws IOException {
        this.server.enqueue(response);
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        return this.transport.roundTrip(Request.get("http://127.0.0.1:" + this.server.getPort() + "/"));
    }
}
