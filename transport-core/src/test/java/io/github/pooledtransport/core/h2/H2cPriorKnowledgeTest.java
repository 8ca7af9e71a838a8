package io.github.pooledtransport.core.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.HostOverrides;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;

/**
 * HTTP/2 over cleartext with prior knowledge ({@code protocols=h2c}) against Jetty 12.1: exact bodies both ways
 * beyond every flow-control window, the connection kept across requests and across early ends, and HTTP/1.1's
 * behaviours (gzip, HEAD, 204, timeouts) unchanged.
 */
@Timeout(60)
class H2cPriorKnowledgeTest {

    private final TestHandler handler = new TestHandler();

    private JettyH2Server server;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server = new JettyH2Server(this.handler);
        this.transport = new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C))
                .readTimeout(Duration.ofSeconds(10)).build());
    }

    @AfterEach
    void stop() throws Exception {
        this.handler.release.countDown();
        this.transport.close();
        this.server.close();
    }

    @Test
    void responseIsHttp2AndItsBodyExactBeyondTheStreamAndConnectionWindows() throws Exception {
        int n = 5 * 1024 * 1024 + 7; // beyond our 1 MiB stream window: only refunds let it finish
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=" + n + "&seed=1")))) {
            assertThat(response.protocol()).isEqualTo("HTTP/2.0");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().contentLength()).isEqualTo(n);
            assertThat(TestHandler.sha256(response.body().readAllBytes()))
                    .isEqualTo(TestHandler.sha256(TestHandler.bytes(n, 1)));
        }
    }

    @Test
    void bodyWithoutContentLengthEndsWithTheStream() throws Exception {
        int n = 300_001;
        try (Response response = this.transport.roundTrip(
                Request.get(this.server.url("/bytes?n=" + n + "&seed=2&length=none")))) {
            assertThat(response.body().contentLength()).isEqualTo(-1);
            assertThat(response.body().readAllBytes()).isEqualTo(TestHandler.bytes(n, 2));
        }
    }

    @Test
    void requestBodyBeyondTheServersWindowArrivesExactly() throws Exception {
        byte[] upload = TestHandler.bytes(3 * 1024 * 1024 + 3, 3); // past the 64 KiB window until the server updates
        Request request = Request.newBuilder(java.net.URI.create(this.server.url("/echo")))
                .post(RequestBody.of(upload)).build();
        try (Response response = this.transport.roundTrip(request)) {
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(TestHandler.sha256(upload) + " " + upload.length);
        }
    }

    @Test
    void streamedRequestBodyOfUnknownLengthArrivesExactly() throws Exception {
        byte[] upload = TestHandler.bytes(200_000, 4);
        Request request = Request.newBuilder(java.net.URI.create(this.server.url("/echo")))
                .post(RequestBody.ofStream(new java.io.ByteArrayInputStream(upload), -1)).build();
        try (Response response = this.transport.roundTrip(request)) {
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(TestHandler.sha256(upload) + " " + upload.length);
        }
    }

    @Test
    void sequentialRequestsShareOneConnection() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (Response response = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=100&seed=" + i)))) {
                assertThat(response.body().readAllBytes()).isEqualTo(TestHandler.bytes(100, i));
            }
        }
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(4);
        assertThat(this.server.connections()).isEqualTo(1);
    }

    @Test
    void bodyClosedEarlyResetsOnlyItsStreamAndTheConnectionServesTheNextRequest() throws Exception {
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=4000000&seed=5")))) {
            assertThat(response.body().readNBytes(1000)).isEqualTo(java.util.Arrays.copyOf(TestHandler.bytes(4_000_000,
                    5), 1000));
        }
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=10&seed=6")))) {
            assertThat(response.body().readAllBytes()).isEqualTo(TestHandler.bytes(10, 6));
        }
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.closedTotal()).isZero();
    }

    @Test
    void readTimeoutFailsTheStreamNamesTheSettingAndKeepsTheConnection() throws Exception {
        Transport quick = new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C))
                .readTimeout(Duration.ofMillis(200)).build());
        try {
            try (Response response = quick.roundTrip(Request.get(this.server.url("/stall")))) {
                byte[] first = new byte[5];
                assertThat(response.body().readNBytes(first, 0, 5)).isEqualTo(5);
                assertThatThrownBy(() -> response.body().read()).isInstanceOf(TransportException.class)
                        .hasMessageContaining("readTimeout=200 ms")
                        .satisfies(ex -> assertThat(((TransportException) ex).setting()).isEqualTo("readTimeout"));
            }
            try (Response response = quick.roundTrip(Request.get(this.server.url("/bytes?n=10&seed=7")))) {
                assertThat(response.body().readAllBytes()).isEqualTo(TestHandler.bytes(10, 7));
            }
            assertThat(quick.stats().totals().opened()).isEqualTo(1);
        }
        finally {
            quick.close();
        }
    }

    @Test
    void gzipIsAskedForAndDecoded() throws Exception {
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/gzip")))) {
            assertThat(response.headers().get("Content-Encoding")).isNull();
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("decoded on the client");
        }
    }

    @Test
    void headAndNoContentHaveEmptyBodies() throws Exception {
        Request head = Request.newBuilder(java.net.URI.create(this.server.url("/bytes?n=50&seed=8")))
                .method("HEAD", null).build();
        try (Response response = this.transport.roundTrip(head)) {
            assertThat(response.headers().get("Content-Length")).isEqualTo("50");
            assertThat(response.body().readAllBytes()).isEmpty();
        }
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/no-content")))) {
            assertThat(response.status()).isEqualTo(204);
            assertThat(response.body().readAllBytes()).isEmpty();
        }
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
    }

    @Test
    void trailersAreReadAndDiscarded() throws Exception {
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/trailers")))) {
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("body before trailers");
            assertThat(response.headers().get("x-checksum")).isNull();
        }
        assertThat(this.transport.stats().totals().closedTotal()).isZero();
    }

    @Test
    void requestHeadersFollowHttp2Rules() throws Exception {
        Request request = Request.newBuilder(java.net.URI.create(this.server.url("/headers?q=1")))
                .header("X-Mixed-Case", "kept").header("Connection", "keep-alive").header("Keep-Alive", "300")
                .header("TE", "trailers, deflate").header("Upgrade", "websocket").build();
        String seen;
        try (Response response = this.transport.roundTrip(request)) {
            seen = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(seen).contains("x-mixed-case: kept").contains(":path: /headers?q=1")
                .contains(":authority: 127.0.0.1:").doesNotContainIgnoringCase("keep-alive")
                .doesNotContainIgnoringCase("upgrade").doesNotContainIgnoringCase("connection:")
                .doesNotContainIgnoringCase("deflate");
    }

    @Test
    void cleartextStaysHttp1ByDefaultAndAHostOverrideChoosesH2c() throws Exception {
        // Jetty's h2c connector speaks only HTTP/2: an HTTP/1.1 request gets no answer it can use.
        HostOverrides h2cOnly = new HostOverrides(null, null, null, null, null, Set.of(Protocol.H2C));
        Transport perHost = new Transport(TransportConfig.builder().readTimeout(Duration.ofSeconds(5))
                .hostOverrides("127.0.0.1", h2cOnly).build());
        try (Response response = perHost.roundTrip(Request.get(this.server.url("/bytes?n=10&seed=9")))) {
            assertThat(response.protocol()).isEqualTo("HTTP/2.0");
        }
        finally {
            perHost.close();
        }
        assertThat(TransportConfig.defaults().protocols()).containsExactly(Protocol.HTTP1, Protocol.H2);
    }
}
