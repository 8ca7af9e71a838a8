package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * https targets through an HTTP proxy: a {@code CONNECT} tunnel (MockWebServer plays the proxy and, inside the
 * tunnel, the TLS origin). The proxy alone sees {@code Proxy-Authorization} and the configured connect headers;
 * a refusal is a {@link ProxyConnectException} carrying the proxy's status line and body.
 */
@Timeout(20)
class HttpsThroughHttpProxyTest {

    private static final String PASSWORD = "tunnel-pw-42";

    private static final String TARGET = "https://localhost:8443";

    private final MockWebServer proxyServer = new MockWebServer();

    private final List<String> resolvedNames = new CopyOnWriteArrayList<>();

    private Transport transport;

    @BeforeEach
    void start() throws IOException {
        this.proxyServer.useHttps(TestCertificates.SERVER.sslSocketFactory());
        this.proxyServer.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        PoolTestSupport.closeQuietly(this.transport);
        this.proxyServer.close();
    }

    @Test
    void proxyIsAskedToConnectToTheTargetAuthority() throws Exception {
        this.transport = transport(proxy("alice:" + PASSWORD));
        enqueueTunnelThen("secret page");

        fetch(TARGET + "/secure");

        RecordedRequest connect = take();
        assertThat(connect.getMethod()).isEqualTo("CONNECT");
        assertThat(connect.getRequestLine()).isEqualTo("CONNECT localhost:8443 HTTP/1.1");
        assertThat(connect.getHeaders().get("Host")).isEqualTo("localhost:8443");
    }

    @Test
    void connectCarriesProxyAuthorizationAndTheConfiguredConnectHeaders() throws Exception {
        this.transport = transport(proxy("alice:" + PASSWORD));
        enqueueTunnelThen("secret page");

        fetch(TARGET + "/secure");

        RecordedRequest connect = take();
        assertThat(connect.getHeaders().values("Proxy-Authorization")).containsExactly("Basic "
                + Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        assertThat(connect.getHeaders().values("X-Tenant")).containsExactly("blue");
    }

    @Test
    void originBehindTheTunnelSeesNeitherProxyAuthorizationNorConnectHeaders() throws Exception {
        this.transport = transport(proxy("alice:" + PASSWORD));
        enqueueTunnelThen("secret page");

        assertThat(fetch(TARGET + "/secure")).isEqualTo("secret page");

        take(); // CONNECT
        RecordedRequest origin = take();
        // HTTP/2 inside the tunnel: ALPN to the origin offers h2 (to the proxy itself only HTTP/1.1 is spoken).
        assertThat(origin.getRequestLine()).isEqualTo("GET /secure HTTP/2");
        assertThat(origin.getHandshake()).as("request arrived over TLS").isNotNull();
        assertThat(origin.getHeaders().get(":authority")).isEqualTo("localhost:8443");
        assertThat(origin.getHeaders().names()).doesNotContain("Proxy-Authorization", "X-Tenant");
    }

    @Test
    void tunnelIsReusedForTheNextRequest() throws Exception {
        this.transport = transport(proxy("alice:" + PASSWORD));
        enqueueTunnelThen("one");
        this.proxyServer.enqueue(new MockResponse.Builder().body("two").build());

        fetch(TARGET + "/one");
        assertThat(fetch(TARGET + "/two")).isEqualTo("two");

        RecordedRequest connect = take();
        RecordedRequest one = take();
        RecordedRequest two = take();
        assertThat(connect.getMethod()).isEqualTo("CONNECT");
        assertThat(two.getConnectionIndex()).isEqualTo(one.getConnectionIndex());
        assertThat(this.proxyServer.getRequestCount()).isEqualTo(3);
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
    }

    @Test
    void targetNameIsLeftForTheProxyToResolve() throws Exception {
        this.transport = transport(proxy(null));
        enqueueTunnelThen("secret page");

        fetch(TARGET + "/secure");

        assertThat(this.resolvedNames).containsExactly("127.0.0.1");
    }

    @Test
    void hostKeyCarriesTheProxyIdentityAndTheTlsIdentity() throws Exception {
        this.transport = transport(proxy("alice:" + PASSWORD));
        enqueueTunnelThen("secret page");

        fetch(TARGET + "/secure");

        assertThat(this.transport.stats().hosts()).singleElement().satisfies(host -> {
            assertThat(host.key().scheme()).isEqualTo("https");
            assertThat(host.key().proxy()).isEqualTo("http://alice@127.0.0.1:" + this.proxyServer.getPort());
            assertThat(host.key().tlsIdentity()).isEqualTo(TestCertificates.IDENTITY);
        });
        assertThat(this.transport.stats().toString()).doesNotContain(PASSWORD);
    }

    @Test
    void originCertificateIsVerifiedAgainstTheTargetNameThroughTheTunnel() {
        this.transport = transport(proxy(null));
        enqueueTunnelThen("never served");

        assertThatExceptionOfType(TransportException.class)
                .isThrownBy(() -> fetch("https://not-localhost.test:8443/secure"))
                .withMessageContaining("TLS handshake");
    }

    @Test
    void proxyAnswering407FailsWithProxyConnectExceptionCarryingStatusLineAndBody() {
        this.transport = transport(proxy("alice:" + PASSWORD));
        this.proxyServer.enqueue(new MockResponse.Builder().inTunnel()
                .status("HTTP/1.1 407 Proxy Authentication Required")
                .addHeader("Proxy-Authenticate", "Basic realm=\"corp\"")
                .body("credentials rejected for tenant blue")
                .build());

        assertThatExceptionOfType(ProxyConnectException.class).isThrownBy(() -> fetch(TARGET + "/secure"))
                .satisfies(ex -> assertThat(ex.status()).isEqualTo(407))
                .withMessageContaining("407 Proxy Authentication Required")
                .withMessageContaining("credentials rejected for tenant blue")
                .withMessageContaining("CONNECT localhost:8443")
                .withMessageContaining("alice:***@127.0.0.1")
                .withMessageNotContaining(PASSWORD);
    }

    @Test
    void proxyAnswering403FailsWithProxyConnectExceptionCarryingStatusLineAndBody() {
        this.transport = transport(proxy(null));
        this.proxyServer.enqueue(new MockResponse.Builder().inTunnel()
                .status("HTTP/1.1 403 Forbidden")
                .body("destination port 8443 not allowed")
                .build());

        assertThatExceptionOfType(ProxyConnectException.class).isThrownBy(() -> fetch(TARGET + "/secure"))
                .satisfies(ex -> assertThat(ex.status()).isEqualTo(403))
                .withMessageContaining("403 Forbidden")
                .withMessageContaining("destination port 8443 not allowed");
    }

    @Test
    void refusedTunnelLeavesNoConnectionInThePool() {
        this.transport = transport(proxy(null));
        this.proxyServer.enqueue(new MockResponse.Builder().inTunnel()
                .status("HTTP/1.1 403 Forbidden")
                .body("denied")
                .build());

        assertThatExceptionOfType(ProxyConnectException.class).isThrownBy(() -> fetch(TARGET + "/secure"));

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.idle()).isZero();
        assertThat(totals.active()).isZero();
        assertThat(totals.dialing()).isZero();
    }

    private void enqueueTunnelThen(String body) {
        this.proxyServer.enqueue(new MockResponse.Builder().inTunnel()
                .status("HTTP/1.1 200 Connection established")
                .build());
        this.proxyServer.enqueue(new MockResponse.Builder().body(body).build());
    }

    private Proxy proxy(String userInfo) {
        return Proxy.parse("http://" + (userInfo != null ? userInfo + "@" : "") + "127.0.0.1:" + this.proxyServer.getPort());
    }

    private Transport transport(Proxy proxy) {
        return new Transport(TransportConfig.builder()
                .proxyResolver(ProxyResolver.of(proxy, NoProxy.NONE))
                .proxyConnectHeaders(Headers.of("X-Tenant", "blue"))
                .sslContext(TestCertificates.CLIENT.sslContext(), TestCertificates.IDENTITY)
                .dnsResolver(host -> {
                    this.resolvedNames.add(host);
                    return DnsResolver.SYSTEM.resolve(host);
                })
                .build());
    }

    private String fetch(String uri) throws IOException {
        try (Response response = this.transport.roundTrip(Request.get(uri))) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest request = this.proxyServer.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request).as("request received by the proxy").isNotNull();
        return request;
    }
}
