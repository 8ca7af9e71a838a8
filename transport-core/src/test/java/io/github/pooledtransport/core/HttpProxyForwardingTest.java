package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
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
 * Plain-http targets through an HTTP proxy (MockWebServer playing the proxy): the request goes to the proxy in
 * absolute-form with {@code Proxy-Authorization} when credentials are configured, the target's name is left for
 * the proxy to resolve, connections to the proxy are pooled, and the password never shows in stats or errors.
 */
@Timeout(20)
class HttpProxyForwardingTest {

    private static final String PASSWORD = "s3cret-Pa55";

    private final MockWebServer proxyServer = new MockWebServer();

    private final List<String> resolvedNames = new CopyOnWriteArrayList<>();

    private Transport transport;

    @BeforeEach
    void start() throws IOException {
        this.proxyServer.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("via proxy").build();
            }
        });
        this.proxyServer.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        PoolTestSupport.closeQuietly(this.transport);
        this.proxyServer.close();
    }

    @Test
    void requestLineCarriesTheAbsoluteFormTarget() throws Exception {
        this.transport = transportVia(proxy(null));

        assertThat(fetch("http://origin.test:8080/path/x?q=1&r=%20")).isEqualTo("via proxy");

        RecordedRequest recorded = takeRequest();
        assertThat(recorded.getTarget()).isEqualTo("http://origin.test:8080/path/x?q=1&r=%20");
        assertThat(recorded.getRequestLine()).isEqualTo("GET http://origin.test:8080/path/x?q=1&r=%20 HTTP/1.1");
    }

    @Test
    void absoluteFormOmitsTheDefaultPort() throws Exception {
        this.transport = transportVia(proxy(null));

        fetch("http://origin.test/");

        assertThat(takeRequest().getTarget()).isEqualTo("http://origin.test/");
    }

    @Test
    void absoluteFormOmitsTheFragmentOfTheTarget() throws Exception {
        // A target with user-info never gets this far: Request refuses it (faults.RequestBytesTest).
        this.transport = transportVia(proxy(null));

        fetch("http://origin.test:8080/p#section");

        RecordedRequest recorded = takeRequest();
        assertThat(recorded.getTarget()).isEqualTo("http://origin.test:8080/p");
        assertThat(recorded.getRequestLine()).doesNotContain("section");
    }

    @Test
    void absoluteFormKeepsTheBracketsOfAnIpv6Target() throws Exception {
        this.transport = transportVia(proxy(null));

        fetch("http://[2001:db8::1]:8080/v6");

        assertThat(takeRequest().getRequestLine()).isEqualTo("GET http://[2001:db8::1]:8080/v6 HTTP/1.1");
    }

    @Test
    void hostHeaderNamesTheOriginNotTheProxy() throws Exception {
        this.transport = transportVia(proxy(null));

        fetch("http://origin.test:8080/a");

        assertThat(takeRequest().getHeaders().get("Host")).isEqualTo("origin.test:8080");
    }

    @Test
    void proxyAuthorizationBasicIsSentWhenCredentialsAreConfigured() throws Exception {
        this.transport = transportVia(proxy("alice:" + PASSWORD));

        fetch("http://origin.test:8080/a");

        assertThat(takeRequest().getHeaders().values("Proxy-Authorization")).containsExactly("Basic "
                + Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void noProxyAuthorizationIsSentWithoutCredentials() throws Exception {
        this.transport = transportVia(proxy(null));

        fetch("http://origin.test:8080/a");

        assertThat(takeRequest().getHeaders().get("Proxy-Authorization")).isNull();
    }

    @Test
    void connectionToTheProxyIsReusedForTheNextRequest() throws Exception {
        this.transport = transportVia(proxy("alice:" + PASSWORD));

        fetch("http://origin.test:8080/a");
        fetch("http://origin.test:8080/b");

        RecordedRequest first = takeRequest();
        RecordedRequest second = takeRequest();
        assertThat(second.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
        assertThat(second.getExchangeIndex()).isEqualTo(1);
        assertThat(second.getHeaders().get("Proxy-Authorization")).startsWith("Basic ");
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(1);
    }

    @Test
    void targetNameIsLeftForTheProxyToResolve() throws Exception {
        this.transport = transportVia(proxy(null));

        fetch("http://origin.test:8080/a");

        assertThat(this.resolvedNames).containsExactly("127.0.0.1");
    }

    @Test
    void hostKeyNamesTheProxyWithoutThePassword() throws Exception {
        this.transport = transportVia(proxy("alice:" + PASSWORD));

        fetch("http://origin.test:8080/a");

        TransportStats stats = this.transport.stats();
        assertThat(stats.hosts()).singleElement().satisfies(host -> {
            HostKey key = host.key();
            assertThat(key.scheme()).isEqualTo("http");
            assertThat(key.host()).isEqualTo("origin.test");
            assertThat(key.port()).isEqualTo(8080);
            assertThat(key.proxy()).isEqualTo("http://alice@127.0.0.1:" + this.proxyServer.getPort());
            assertThat(key.tlsIdentity()).isNull();
            assertThat(key.toString()).contains(" via http://alice@127.0.0.1:");
        });
        assertThat(stats.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void failureToReachTheProxyNamesItWithoutThePassword() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        this.transport = transportVia(Proxy.parse("http://alice:" + PASSWORD + "@127.0.0.1:" + closedPort));

        assertThatExceptionOfType(TransportException.class)
                .isThrownBy(() -> this.transport.roundTrip(Request.get("http://origin.test:8080/a")))
                .withMessageContaining("alice:***@127.0.0.1:" + closedPort)
                .withMessageNotContaining(PASSWORD);
    }

    @Test
    void targetInTheNoProxyListIsReachedDirectlyInOriginForm() throws Exception {
        try (MockWebServer origin = PoolTestSupport.okServer()) {
            this.transport = new Transport(TransportConfig.builder()
                    .proxyResolver(ProxyResolver.of(proxy(null), NoProxy.parse("127.0.0.1:" + origin.getPort())))
                    .build());

            fetch(PoolTestSupport.url(origin, "/direct"));

            assertThat(origin.takeRequest(5, TimeUnit.SECONDS).getRequestLine()).isEqualTo("GET /direct HTTP/1.1");
            assertThat(this.proxyServer.getRequestCount()).isZero();
        }
    }

    private Proxy proxy(String userInfo) {
        return Proxy.parse("http://" + (userInfo != null ? userInfo + "@" : "") + "127.0.0.1:" + this.proxyServer.getPort());
    }

    private Transport transportVia(Proxy proxy) {
        return new Transport(TransportConfig.builder()
                .proxyResolver(ProxyResolver.of(proxy, NoProxy.NONE))
                .dnsResolver(host -> {
                    this.resolvedNames.add(host);
                    return DnsResolver.SYSTEM.resolve(host);
                })
                .build());
    }

    private String fetch(String uri) throws IOException {
        try (Response response = this.transport.roundTrip(Request.get(URI.create(uri)))) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private RecordedRequest takeRequest() throws InterruptedException {
        RecordedRequest request = this.proxyServer.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request).as("request received by the proxy").isNotNull();
        return request;
    }
}
