package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transparent gzip, as Go: asked for only when the caller did not choose an encoding, decoded only then, and
 * the decoded body still gives its connection back.
 */
class TransparentGzipTest {

    private static final String TEXT = "The quick brown fox jumps over the lazy dog. ".repeat(40);

    private final MockWebServer server = new MockWebServer();

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        this.transport = new Transport(TransportConfig.defaults());
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void requestWithoutAcceptEncodingAsksForGzip() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("plain").build());

        try (Response response = this.transport.roundTrip(Request.get(url("/")))) {
            response.body().readAllBytes();
        }

        assertThat(this.server.takeRequest().getHeaders().values("Accept-Encoding")).containsExactly("gzip");
    }

    @Test
    void gzipResponseIsDecodedAndLosesContentEncodingAndContentLength() throws Exception {
        this.server.enqueue(gzipResponse());

        try (Response response = this.transport.roundTrip(Request.get(url("/")))) {
            assertThat(response.headers().contains("Content-Encoding")).isFalse();
            assertThat(response.headers().contains("Content-Length")).isFalse();
            assertThat(response.body().contentLength()).isEqualTo(-1);
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
        }
    }

    @Test
    void callerSettingAcceptEncodingGetsTheCompressedBodyUntouched() throws Exception {
        byte[] compressed = gzip(TEXT);
        this.server.enqueue(gzipResponse());

        Request request = Request.newBuilder(java.net.URI.create(url("/"))).header("Accept-Encoding", "gzip").build();
        try (Response response = this.transport.roundTrip(request)) {
            assertThat(response.headers().get("Content-Encoding")).isEqualTo("gzip");
            assertThat(response.headers().get("Content-Length")).isEqualTo(Integer.toString(compressed.length));
            assertThat(response.body().readAllBytes()).isEqualTo(compressed);
        }
        assertThat(this.server.takeRequest().getHeaders().values("Accept-Encoding")).containsExactly("gzip");
    }

    @Test
    void disabledCompressionSendsNoAcceptEncoding() throws Exception {
        this.transport.close();
        this.transport = new Transport(TransportConfig.builder().disableCompression(true).build());
        this.server.enqueue(new MockResponse.Builder().body("plain").build());

        try (Response response = this.transport.roundTrip(Request.get(url("/")))) {
            assertThat(response.body().readAllBytes()).asString().isEqualTo("plain");
        }

        assertThat(this.server.takeRequest().getHeaders().get("Accept-Encoding")).isNull();
    }

    @Test
    void connectionIsReusedAfterTheDecodedBodyWasReadToTheEndAndClosed() throws Exception {
        this.server.enqueue(gzipResponse());
        this.server.enqueue(gzipResponse());

        for (int i = 0; i < 2; i++) {
            try (Response response = this.transport.roundTrip(Request.get(url("/" + i)))) {
                assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
            }
        }

        RecordedRequest first = this.server.takeRequest();
        RecordedRequest second = this.server.takeRequest();
        assertThat(second.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.reused()).isEqualTo(1);
        assertThat(totals.closedTotal()).isZero();
    }

    @Test
    void readingTheDecodedBodyToTheEndReleasesTheConnectionBeforeClose() throws Exception {
        this.server.enqueue(gzipResponse());

        try (Response response = this.transport.roundTrip(Request.get(url("/")))) {
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TEXT);

            // ResponseBody's contract: "Read it to the end or close it". A plain body is released at its end.
            PoolStats beforeClose = this.transport.stats().totals();
            assertThat(beforeClose.active()).as("active connections after the decoded body's end").isZero();
            assertThat(beforeClose.idle()).isEqualTo(1);
        }
    }

    private static MockResponse gzipResponse() throws IOException {
        return new MockResponse.Builder()
                .addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(gzip(TEXT)))
                .build();
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + this.server.getPort() + path;
    }
}
