package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a response gives its connection back: after the body is read to its end, after a bounded drain on an
 * early close, or at once when there is no body; and when an abandoned body costs the connection instead.
 */
class ResponseBodyLifecycleTest {

    private static final int DRAIN_ALLOWANCE = 1024;

    private final MockWebServer server = new MockWebServer();

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        this.transport = new Transport(TransportConfig.builder().drainOnCloseBytes(DRAIN_ALLOWANCE).build());
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void connectionIsNotReusedWhileTheBodyIsStillOpen() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("first").build());
        this.server.enqueue(new MockResponse.Builder().body("second").build());

        try (Response first = this.transport.roundTrip(Request.get(url("/a")))) {
            try (Response second = this.transport.roundTrip(Request.get(url("/b")))) {
                assertThat(second.body().bytes()).asString().isEqualTo("second");
            }
            assertThat(first.body().bytes()).asString().isEqualTo("first");
        }

        assertThat(this.server.takeRequest().getConnectionIndex())
                .isNotEqualTo(this.server.takeRequest().getConnectionIndex());
        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
        assertThat(this.transport.stats().totals().reused()).isZero();
    }

    @Test
    void readingAContentLengthBodyToTheEndReleasesTheConnection() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("hello").build());

        try (Response response = this.transport.roundTrip(Request.get(url("/")))) {
            assertThat(this.transport.stats().totals().active()).isEqualTo(1);
            assertThat(response.body().readAllBytes()).asString().isEqualTo("hello");

            PoolStats beforeClose = this.transport.stats().totals();
            assertThat(beforeClose.active()).isZero();
            assertThat(beforeClose.idle()).isEqualTo(1);
        }
    }

    @Test
    void connectionIsReusedAfterTheBodyWasReadToTheEndAndClosed() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("one").build());
        this.server.enqueue(new MockResponse.Builder().body("two").build());

        try (Response first = this.transport.roundTrip(Request.get(url("/a")))) {
            assertThat(first.body().readAllBytes()).asString().isEqualTo("one");
        }
        try (Response second = this.transport.roundTrip(Request.get(url("/b")))) {
            assertThat(second.body().readAllBytes()).asString().isEqualTo("two");
        }

        assertThat(this.server.takeRequest().getConnectionIndex())
                .isEqualTo(this.server.takeRequest().getConnectionIndex());
        assertThat(this.transport.stats().totals().reused()).isEqualTo(1);
    }

    @Test
    void closingAContentLengthBodyWithASmallRemainderDrainsItAndReusesTheConnection() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("x".repeat(2000)).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        try (Response first = this.transport.roundTrip(Request.get(url("/big")))) {
            assertThat(first.body().readNBytes(2000 - DRAIN_ALLOWANCE / 2)).hasSize(2000 - DRAIN_ALLOWANCE / 2);
        }
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
        try (Response second = this.transport.roundTrip(Request.get(url("/next")))) {
            assertThat(second.body().bytes()).asString().isEqualTo("next");
        }

        assertSameConnectionAtServer();
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.closed(CloseReason.BODY_NOT_CONSUMED)).isZero();
    }

    @Test
    void closingAContentLengthBodyWithARemainderAboveTheAllowanceClosesTheConnection() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("x".repeat(DRAIN_ALLOWANCE * 8)).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        try (Response first = this.transport.roundTrip(Request.get(url("/big")))) {
            assertThat(first.body().read()).isEqualTo('x');
        }
        assertThat(this.transport.stats().totals().closed(CloseReason.BODY_NOT_CONSUMED)).isEqualTo(1);
        try (Response second = this.transport.roundTrip(Request.get(url("/next")))) {
            assertThat(second.body().bytes()).asString().isEqualTo("next");
        }

        assertDifferentConnectionsAtServer();
        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
    }

    @Test
    void closingAChunkedBodyWithASmallRemainderDrainsItAndReusesTheConnection() throws Exception {
        this.server.enqueue(new MockResponse.Builder().chunkedBody("y".repeat(600), 100).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        try (Response first = this.transport.roundTrip(Request.get(url("/chunked")))) {
            assertThat(first.body().contentLength()).isEqualTo(-1);
            assertThat(first.body().readNBytes(50)).hasSize(50);
        }
        try (Response second = this.transport.roundTrip(Request.get(url("/next")))) {
            assertThat(second.body().bytes()).asString().isEqualTo("next");
        }

        assertSameConnectionAtServer();
        assertThat(this.transport.stats().totals().closed(CloseReason.BODY_NOT_CONSUMED)).isZero();
    }

    @Test
    void closingAChunkedBodyWithARemainderAboveTheAllowanceClosesTheConnection() throws Exception {
        this.server.enqueue(new MockResponse.Builder().chunkedBody("y".repeat(DRAIN_ALLOWANCE * 8), 512).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        try (Response first = this.transport.roundTrip(Request.get(url("/chunked")))) {
            assertThat(first.body().read()).isEqualTo('y');
        }
        assertThat(this.transport.stats().totals().closed(CloseReason.BODY_NOT_CONSUMED)).isEqualTo(1);
        try (Response second = this.transport.roundTrip(Request.get(url("/next")))) {
            assertThat(second.body().bytes()).asString().isEqualTo("next");
        }

        assertDifferentConnectionsAtServer();
        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
    }

    @Test
    @Timeout(5)
    void closingABodyWhoseSmallRemainderStallsClosesTheConnectionAfterTheDrainTimeout() throws Exception {
        try (RawHttpServer raw = new RawHttpServer((socket, server) -> {
            InputStream in = socket.getInputStream();
            server.readHead(in);
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst".getBytes());
            socket.getOutputStream().flush();
            RawHttpServer.drainUntilClosed(in); // owes 95 bytes, well within the allowance, but never sends them
        })) {
            this.transport.close();
            this.transport = new Transport(TransportConfig.builder()
                    .drainOnCloseBytes(DRAIN_ALLOWANCE)
                    .drainTimeout(Duration.ofMillis(100))
                    .build());

            try (Response response = this.transport.roundTrip(Request.get(raw.url("/stall")))) {
                assertThat(response.body().readNBytes(5)).asString().isEqualTo("first");
            }

            PoolStats totals = this.transport.stats().totals();
            assertThat(totals.closed(CloseReason.BODY_NOT_CONSUMED)).isEqualTo(1);
            assertThat(totals.idle()).isZero();
            assertThat(totals.active()).isZero();
        }
    }

    @Test
    void readingAChunkedBodyToTheEndAndClosingReusesTheConnection() throws Exception {
        this.server.enqueue(new MockResponse.Builder().chunkedBody("z".repeat(5000), 700).build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        try (Response first = this.transport.roundTrip(Request.get(url("/chunked")))) {
            assertThat(first.body().readAllBytes()).hasSize(5000);
        }
        try (Response second = this.transport.roundTrip(Request.get(url("/next")))) {
            assertThat(second.body().bytes()).asString().isEqualTo("next");
        }

        assertSameConnectionAtServer();
        assertThat(this.transport.stats().totals().reused()).isEqualTo(1);
    }

    @Test
    void headResponseReleasesTheConnectionWithoutReadingOrClosing() throws Exception {
        this.server.enqueue(new MockResponse.Builder().setHeader("Content-Length", "1000").build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        Response head = this.transport.roundTrip(
                Request.newBuilder(java.net.URI.create(url("/head"))).method("HEAD", null).build());
        assertThat(head.headers().get("Content-Length")).isEqualTo("1000");
        assertReleasedAndReusedByTheNextRequest();
    }

    @Test
    void noContentResponseWithoutFramingReleasesTheConnectionWithoutReadingOrClosing() throws Exception {
        this.server.enqueue(new MockResponse.Builder().code(204).removeHeader("Content-Length").build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        Response noContent = this.transport.roundTrip(Request.get(url("/204")));
        assertThat(noContent.status()).isEqualTo(204);
        assertReleasedAndReusedByTheNextRequest();
    }

    @Test
    void notModifiedResponseWithARepresentationLengthReleasesTheConnectionWithoutReadingOrClosing()
            throws Exception {
        this.server.enqueue(new MockResponse.Builder().code(304).setHeader("Content-Length", "1000").build());
        this.server.enqueue(new MockResponse.Builder().body("next").build());

        Response notModified = this.transport.roundTrip(Request.get(url("/304")));
        assertThat(notModified.status()).isEqualTo(304);
        assertReleasedAndReusedByTheNextRequest();
    }

    private void assertReleasedAndReusedByTheNextRequest() throws Exception {
        PoolStats afterHead = this.transport.stats().totals();
        assertThat(afterHead.active()).isZero();
        assertThat(afterHead.idle()).isEqualTo(1);
        try (Response next = this.transport.roundTrip(Request.get(url("/next")))) {
            assertThat(new String(next.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("next");
        }
        assertSameConnectionAtServer();
        assertThat(this.transport.stats().totals().reused()).isEqualTo(1);
    }

    private void assertSameConnectionAtServer() throws InterruptedException {
        int first = this.server.takeRequest().getConnectionIndex();
        int second = this.server.takeRequest().getConnectionIndex();
        assertThat(second).isEqualTo(first);
    }

    private void assertDifferentConnectionsAtServer() throws InterruptedException {
        int first = this.server.takeRequest().getConnectionIndex();
        int second = this.server.takeRequest().getConnectionIndex();
        assertThat(second).isNotEqualTo(first);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + this.server.getPort() + path;
    }
}
