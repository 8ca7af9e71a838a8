package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Targets through a SOCKS5 proxy (an in-JVM fixture relaying to a MockWebServer origin): without
 * authentication and with user name and password, {@code socks5} sending the locally resolved address and
 * {@code socks5h} the host name, and tunnels pooled like any connection.
 */
@Timeout(20)
class Socks5ProxyTest {

    private static final String ORIGIN_NAME = "origin.test";

    private final MockWebServer origin = new MockWebServer();

    private final List<String> resolvedNames = new CopyOnWriteArrayList<>();

    private Socks5TestServer socks;

    private Transport transport;

    @BeforeEach
    void start() throws IOException {
        this.origin.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("origin " + request.getTarget()).build();
            }
        });
        this.origin.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() throws IOException {
        PoolTestSupport.closeQuietly(this.transport);
        if (this.socks != null) {
            assertThat(this.socks.failures()).isEmpty();
            this.socks.close();
        }
        this.origin.close();
    }

    @Test
    void requestGoesThroughAProxyWithoutAuthentication() throws Exception {
        this.socks = new Socks5TestServer(null, null, names());
        this.transport = transport("socks5h://127.0.0.1:" + this.socks.port());

        assertThat(fetch("/a")).isEqualTo("origin /a");

        assertThat(this.socks.offeredMethods()).containsExactly(List.of(0));
        assertThat(this.origin.takeRequest(5, TimeUnit.SECONDS).getRequestLine()).isEqualTo("GET /a HTTP/1.1");
    }

    @Test
    void requestGoesThroughAProxyRequiringUserNameAndPassword() throws Exception {
        this.socks = new Socks5TestServer("alice", "socks-pw", names());
        this.transport = transport("socks5h://alice:socks-pw@127.0.0.1:" + this.socks.port());

        assertThat(fetch("/a")).isEqualTo("origin /a");

        assertThat(this.socks.offeredMethods()).singleElement().satisfies(m -> assertThat(m).contains(2));
    }

    @Test
    void wrongPasswordFailsWithProxyConnectExceptionWithoutThePassword() throws Exception {
        this.socks = new Socks5TestServer("alice", "socks-pw", names());
        this.transport = transport("socks5h://alice:not-the-pw@127.0.0.1:" + this.socks.port());

        assertThatExceptionOfType(ProxyConnectException.class).isThrownBy(() -> fetch("/a"))
                .withMessageContaining("rejected the user name or password")
                .withMessageContaining("alice:***@127.0.0.1")
                .withMessageNotContaining("not-the-pw")
                .satisfies(ex -> assertThat(ex.status()).isEqualTo(1));
        assertThat(this.socks.connects()).isEmpty();
        assertThat(this.origin.getRequestCount()).isZero();
    }

    @Test
    void proxyRequiringAuthenticationRefusesAClientWithoutCredentials() throws Exception {
        this.socks = new Socks5TestServer("alice", "socks-pw", names());
        this.transport = transport("socks5h://127.0.0.1:" + this.socks.port());

        assertThatExceptionOfType(ProxyConnectException.class).isThrownBy(() -> fetch("/a"))
                .withMessageContaining("requires authentication");
    }

    @Test
    void socks5hSendsTheHostNameForTheProxyToResolve() throws Exception {
        this.socks = new Socks5TestServer(null, null, names());
        this.transport = transport("socks5h://127.0.0.1:" + this.socks.port());

        fetch("/a");

        assertThat(this.socks.connects()).containsExactly(
                new Socks5TestServer.ConnectRequest(3, ORIGIN_NAME, this.origin.getPort()));
        assertThat(this.resolvedNames).containsExactly("127.0.0.1");
    }

    @Test
    void socks5SendsTheLocallyResolvedIpAddress() throws Exception {
        this.socks = new Socks5TestServer(null, null, Map.of());
        this.transport = transport("socks5://127.0.0.1:" + this.socks.port());

        fetch("/a");

        assertThat(this.socks.connects()).containsExactly(
                new Socks5TestServer.ConnectRequest(1, "127.0.0.1", this.origin.getPort()));
        assertThat(this.resolvedNames).containsExactly("127.0.0.1", ORIGIN_NAME);
    }

    @Test
    void tunnelIsReusedForTheNextRequest() throws Exception {
        this.socks = new Socks5TestServer("alice", "socks-pw", names());
        this.transport = transport("socks5h://alice:socks-pw@127.0.0.1:" + this.socks.port());

        fetch("/a");
        fetch("/b");

        assertThat(this.socks.connections()).isEqualTo(1);
        assertThat(this.socks.connects()).hasSize(1);
        RecordedRequest a = this.origin.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest b = this.origin.takeRequest(5, TimeUnit.SECONDS);
        assertThat(b.getConnectionIndex()).isEqualTo(a.getConnectionIndex());
        assertThat(this.transport.stats().totals().reused()).isEqualTo(1);
    }

    @Test
    void hostKeyNamesTheSocksProxyWithoutThePassword() throws Exception {
        this.socks = new Socks5TestServer("alice", "socks-pw", names());
        this.transport = transport("socks5h://alice:socks-pw@127.0.0.1:" + this.socks.port());

        fetch("/a");

        assertThat(this.transport.stats().hosts()).singleElement().satisfies(h -> assertThat(h.key().proxy())
                .isEqualTo("socks5h://alice@127.0.0.1:" + this.socks.port()));
        assertThat(this.transport.stats().toString()).doesNotContain("socks-pw");
    }

    @Test
    void proxyFailingToReachTheTargetFailsWithProxyConnectExceptionNamingTheReply() throws Exception {
        this.socks = new Socks5TestServer(null, null, Map.of()); // cannot resolve origin.test
        this.transport = transport("socks5h://127.0.0.1:" + this.socks.port());

        assertThatExceptionOfType(ProxyConnectException.class).isThrownBy(() -> fetch("/a"))
                .withMessageContaining("host unreachable (4)")
                .satisfies(ex -> assertThat(ex.status()).isEqualTo(4));
    }

    @Test
    void httpsTargetIsVerifiedInsideTheSocksTunnel() throws Exception {
        this.origin.close();
        try (MockWebServer tlsOrigin = new MockWebServer()) {
            tlsOrigin.useHttps(TestCertificates.SERVER.sslSocketFactory());
            tlsOrigin.enqueue(new MockResponse.Builder().body("secure").build());
            tlsOrigin.start(InetAddress.getByName("127.0.0.1"), 0);
            this.socks = new Socks5TestServer(null, null, Map.of("localhost", InetAddress.getByName("127.0.0.1")));
            this.transport = new Transport(TransportConfig.builder()
                    .proxyResolver(ProxyResolver.of(Proxy.parse("socks5h://127.0.0.1:" + this.socks.port()), NoProxy.NONE))
                    .sslContext(TestCertificates.CLIENT.sslContext(), TestCertificates.IDENTITY)
                    .build());

            try (Response response = this.transport.roundTrip(
                    Request.get("https://localhost:" + tlsOrigin.getPort() + "/s"))) {
                assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("secure");
            }

            assertThat(this.socks.connects()).containsExactly(
                    new Socks5TestServer.ConnectRequest(3, "localhost", tlsOrigin.getPort()));
            assertThat(tlsOrigin.takeRequest(5, TimeUnit.SECONDS).getHandshakeServerNames()).containsExactly("localhost");
        }
    }

    private Map<String, InetAddress> names() throws UnknownHostException {
        return Map.of(ORIGIN_NAME, InetAddress.getByName("127.0.0.1"));
    }

    private Transport transport(String proxyUrl) {
        return new Transport(TransportConfig.builder()
                .proxyResolver(ProxyResolver.of(Proxy.parse(proxyUrl), NoProxy.NONE))
                .dnsResolver(host -> {
                    this.resolvedNames.add(host);
                    return List.of(InetAddress.getByName("127.0.0.1")); // origin.test lives on loopback
                })
                .build());
    }

    private String fetch(String path) throws IOException {
        try (Response response = this.transport.roundTrip(
                Request.get("http://" + ORIGIN_NAME + ":" + this.origin.getPort() + path))) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
