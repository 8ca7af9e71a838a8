package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a request is framed on the wire: {@code Content-Length} when the body's length is known, chunked when
 * it is not, an explicit empty body for POST without one, and a {@code Host} header with the port.
 */
class RequestFramingTest {

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
    void bodyOfKnownLengthIsSentWithContentLength() throws Exception {
        RecordedRequest recorded = send(Request.newBuilder(uri("/known"))
                .post(RequestBody.of("hello world", StandardCharsets.UTF_8)).build());

        assertThat(recorded.getHeaders().get("Content-Length")).isEqualTo("11");
        assertThat(recorded.getHeaders().get("Transfer-Encoding")).isNull();
        assertThat(recorded.getBody().utf8()).isEqualTo("hello world");
    }

    @Test
    void streamOfKnownLengthIsSentWithContentLength() throws Exception {
        byte[] bytes = "streamed".getBytes(StandardCharsets.UTF_8);
        RecordedRequest recorded = send(Request.newBuilder(uri("/known-stream"))
                .method("PUT", RequestBody.ofStream(new ByteArrayInputStream(bytes), bytes.length)).build());

        assertThat(recorded.getHeaders().get("Content-Length")).isEqualTo("8");
        assertThat(recorded.getHeaders().get("Transfer-Encoding")).isNull();
        assertThat(recorded.getBody().utf8()).isEqualTo("streamed");
    }

    @Test
    void streamOfUnknownLengthIsSentChunked() throws Exception {
        byte[] bytes = "x".repeat(20_000).getBytes(StandardCharsets.UTF_8);
        RecordedRequest recorded = send(Request.newBuilder(uri("/unknown"))
                .post(RequestBody.ofStream(new ByteArrayInputStream(bytes), -1)).build());

        assertThat(recorded.getHeaders().get("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
        assertThat(recorded.getHeaders().get("Content-Length")).isNull();
        assertThat(recorded.getChunkSizes()).isNotEmpty();
        assertThat(recorded.getBody().toByteArray()).isEqualTo(bytes);
    }

    @Test
    void emptyStreamOfUnknownLengthIsSentAsAnEmptyChunkedBody() throws Exception {
        RecordedRequest recorded = send(Request.newBuilder(uri("/empty-unknown"))
                .post(RequestBody.ofStream(new ByteArrayInputStream(new byte[0]), -1)).build());

        assertThat(recorded.getHeaders().get("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
        assertThat(recorded.getBodySize()).isZero();
    }

    @Test
    void postWithoutBodySendsContentLengthZero() throws Exception {
        RecordedRequest recorded = send(Request.newBuilder(uri("/empty")).method("POST", null).build());

        assertThat(recorded.getMethod()).isEqualTo("POST");
        assertThat(recorded.getHeaders().get("Content-Length")).isEqualTo("0");
        assertThat(recorded.getHeaders().get("Transfer-Encoding")).isNull();
    }

    @Test
    void getWithoutBodySendsNoFramingHeaders() throws Exception {
        RecordedRequest recorded = send(Request.get(uri("/get")));

        assertThat(recorded.getHeaders().get("Content-Length")).isNull();
        assertThat(recorded.getHeaders().get("Transfer-Encoding")).isNull();
    }

    @Test
    void hostHeaderCarriesTheNonDefaultPort() throws Exception {
        RecordedRequest recorded = send(Request.get(uri("/host")));

        assertThat(recorded.getHeaders().values("Host")).containsExactly("127.0.0.1:" + this.server.getPort());
    }

    @Test
    void callerFramingHeadersAreReplacedByTheTransportsOwn() throws Exception {
        RecordedRequest recorded = send(Request.newBuilder(uri("/framing"))
                .header("Transfer-Encoding", "chunked")
                .post(RequestBody.of("abc", StandardCharsets.UTF_8)).build());

        assertThat(recorded.getHeaders().values("Content-Length")).containsExactly("3");
        assertThat(recorded.getHeaders().get("Transfer-Encoding")).isNull();
        assertThat(recorded.getBody().utf8()).isEqualTo("abc");
    }

    @Test
    void contentLengthHeaderContradictingTheBodyIsRejectedBeforeAConnectionIsTaken() {
        Request request = Request.newBuilder(uri("/contradiction"))
                .header("Content-Length", "99")
                .post(RequestBody.of("abc", StandardCharsets.UTF_8)).build();

        assertThatThrownBy(() -> this.transport.roundTrip(request)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Content-Length");
        assertThat(this.server.getRequestCount()).isZero();
        assertThat(this.transport.stats().totals().opened()).isZero();
    }

    private RecordedRequest send(Request request) throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("ok").build());
        try (Response response = this.transport.roundTrip(request)) {
            assertThat(response.body().readAllBytes()).asString().isEqualTo("ok");
        }
        return this.server.takeRequest();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + this.server.getPort() + path);
    }
}
