package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which responses leave their connection open for the next request: HTTP/1.1 persists unless either side
 * says {@code Connection: close}, HTTP/1.0 only when asked, a close-delimited body never, and a server's
 * {@code Keep-Alive: timeout} hint is honoured.
 */
class KeepAliveRulesTest {

    private final MockWebServer server = new MockWebServer();

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    private RawHttpServer raw;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        this.transport = new Transport(TransportConfig.builder().timeSource(this.clock::get).build());
    }

    @AfterEach
    void stop() throws Exception {
        this.transport.close();
        this.server.close();
        if (this.raw != null) {
            this.raw.close();
        }
    }

    @Test
    void responseWithConnectionCloseClosesTheConnectionAfterTheBody() throws Exception {
        this.server.enqueue(new MockResponse.Builder().addHeader("Connection", "close").body("bye").build());
        this.server.enqueue(new MockResponse.Builder().body("fresh").build());

        String first = get(this.server.url("/a").toString());
        assertThat(this.transport.stats().totals().closed(CloseReason.CONNECTION_CLOSE)).isEqualTo(1);
        String second = get(this.server.url("/b").toString());

        assertThat(first).isEqualTo("bye");
        assertThat(second).isEqualTo("fresh");
        assertThat(this.server.takeRequest().getConnectionIndex())
                .isNotEqualTo(this.server.takeRequest().getConnectionIndex());
        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
        assertThat(this.transport.stats().totals().reused()).isZero();
    }

    @Test
    void http10ResponseWithoutKeepAliveClosesTheConnection() throws Exception {
        this.raw = new RawHttpServer(RawHttpServer.answeringEveryRequestWith(
                "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));

        assertThat(get(this.raw.url("/a"))).isEqualTo("ok");
        assertThat(get(this.raw.url("/b"))).isEqualTo("ok");

        assertThat(this.raw.connections()).isEqualTo(2);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(totals.closed(CloseReason.CONNECTION_CLOSE)).isEqualTo(2);
    }

    @Test
    void http10ResponseWithKeepAliveAndContentLengthReusesTheConnection() throws Exception {
        this.raw = new RawHttpServer(RawHttpServer.answeringEveryRequestWith(
                "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"));

        assertThat(get(this.raw.url("/a"))).isEqualTo("ok");
        assertThat(get(this.raw.url("/b"))).isEqualTo("ok");

        assertThat(this.raw.connections()).isEqualTo(1);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.reused()).isEqualTo(1);
        assertThat(totals.closedTotal()).isZero();
    }

    @Test
    void http10ResponseWithKeepAliveButNoContentLengthIsClosedAfterItsEnd() throws Exception {
        this.raw = new RawHttpServer((socket, server) -> {
            if (server.readHead(socket.getInputStream()) != null) {
                socket.getOutputStream().write("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nok".getBytes());
            }
        });

        assertThat(get(this.raw.url("/a"))).isEqualTo("ok");
        assertThat(get(this.raw.url("/b"))).isEqualTo("ok");

        assertThat(this.raw.connections()).isEqualTo(2);
        assertThat(this.transport.stats().totals().closed(CloseReason.CONNECTION_CLOSE)).isEqualTo(2);
    }

    @Test
    void disabledKeepAlivesSendConnectionCloseAndCloseEveryConnection() throws Exception {
        this.transport.close();
        this.transport = new Transport(TransportConfig.builder().disableKeepAlives(true).build());
        this.server.enqueue(new MockResponse.Builder().body("one").build());
        this.server.enqueue(new MockResponse.Builder().body("two").build());

        assertThat(get(this.server.url("/a").toString())).isEqualTo("one");
        assertThat(get(this.server.url("/b").toString())).isEqualTo("two");

        RecordedRequest first = this.server.takeRequest();
        RecordedRequest second = this.server.takeRequest();
        assertThat(first.getHeaders().get("Connection")).isEqualTo("close");
        assertThat(second.getConnectionIndex()).isNotEqualTo(first.getConnectionIndex());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.closed(CloseReason.KEEP_ALIVE_DISABLED)).isEqualTo(2);
        assertThat(totals.idle()).isZero();
    }

    @Test
    void closeDelimitedBodyClosesTheConnectionAfterItsEnd() throws Exception {
        this.raw = new RawHttpServer((socket, server) -> {
            if (server.readHead(socket.getInputStream()) != null) {
                socket.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\nuntil close".getBytes());
            } // closing the socket ends the body
        });

        try (Response response = this.transport.roundTrip(Request.get(this.raw.url("/a")))) {
            assertThat(response.body().contentLength()).isEqualTo(-1);
            assertThat(response.body().readAllBytes()).asString().isEqualTo("until close");
            assertThat(this.transport.stats().totals().closed(CloseReason.CONNECTION_CLOSE)).isEqualTo(1);
        }
        assertThat(get(this.raw.url("/b"))).isEqualTo("until close");

        assertThat(this.raw.connections()).isEqualTo(2);
        assertThat(this.transport.stats().totals().reused()).isZero();
    }

    @Test
    void connectionIsNotReusedOnceTheServerKeepAliveTimeoutHasPassed() throws Exception {
        this.server.enqueue(new MockResponse.Builder().addHeader("Keep-Alive", "timeout=1").body("one").build());
        this.server.enqueue(new MockResponse.Builder().body("two").build());

        assertThat(get(this.server.url("/a").toString())).isEqualTo("one");
        this.clock.addAndGet(Duration.ofMillis(1500).toNanos());
        assertThat(get(this.server.url("/b").toString())).isEqualTo("two");

        assertThat(this.server.takeRequest().getConnectionIndex())
                .isNotEqualTo(this.server.takeRequest().getConnectionIndex());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.closed(CloseReason.SERVER_IDLE_TIMEOUT)).isEqualTo(1);
        assertThat(totals.reused()).isZero();
    }

    @Test
    void connectionIsReusedWithinTheServerKeepAliveTimeout() throws Exception {
        this.server.enqueue(new MockResponse.Builder().addHeader("Keep-Alive", "timeout=5").body("one").build());
        this.server.enqueue(new MockResponse.Builder().body("two").build());

        assertThat(get(this.server.url("/a").toString())).isEqualTo("one");
        this.clock.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(get(this.server.url("/b").toString())).isEqualTo("two");

        assertThat(this.server.takeRequest().getConnectionIndex())
                .isEqualTo(this.server.takeRequest().getConnectionIndex());
        assertThat(this.transport.stats().totals().reused()).isEqualTo(1);
    }

    @Test
    void idleConnectionPastTheServerKeepAliveTimeoutIsClosedByAnEvictionPass() throws Exception {
        this.server.enqueue(new MockResponse.Builder().addHeader("Keep-Alive", "timeout=5").body("one").build());

        assertThat(get(this.server.url("/a").toString())).isEqualTo("one");
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
        this.clock.addAndGet(Duration.ofSeconds(6).toNanos());

        assertThat(this.transport.evictExpiredIdleConnections()).isEqualTo(1);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.idle()).isZero();
        assertThat(totals.closed(CloseReason.SERVER_IDLE_TIMEOUT)).isEqualTo(1);
    }

    private String get(String url) throws Exception {
        try (Response response = this.transport.roundTrip(Request.get(url))) {
            return new String(response.body().readAllBytes());
        }
    }
}
