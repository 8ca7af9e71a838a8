package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
 * The {@link AddressFilter} guards against SSRF on the addresses actually dialed: a target resolving only to
 * denied addresses fails before any connection is made, denied addresses are skipped in favour of allowed ones,
 * and the proxy's own address is never filtered.
 */
@Timeout(20)
class AddressFilterTest {

    private static final InetAddress LOOPBACK_1 = address("127.0.0.1");

    private static final InetAddress LOOPBACK_2 = address("127.0.0.2");

    private final RecordingListener listener = new RecordingListener();

    private final MockWebServer server = new MockWebServer();

    private Transport transport;

    @BeforeEach
    void start() throws IOException {
        this.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("ok").build();
            }
        });
        this.server.start(LOOPBACK_1, 0);
    }

    @AfterEach
    void stop() {
        PoolTestSupport.closeQuietly(this.transport);
        this.server.close();
    }

    @Test
    void targetResolvingOnlyToDeniedAddressesFailsBeforeAnyConnection() {
        this.transport = transport(AddressFilter.PUBLIC_ONLY, host -> List.of(LOOPBACK_1), ProxyResolver.DIRECT);
        String target = "http://internal.test:" + this.server.getPort() + "/a";

        assertThatExceptionOfType(AddressDeniedException.class).isThrownBy(() -> fetch(target))
                .withMessageContaining("internal.test")
                .withMessageContaining("127.0.0.1");

        assertThat(this.listener.connectStarts).isEmpty();
        assertThat(this.server.getRequestCount()).isZero();
        assertThat(this.transport.stats().totals().opened()).isZero();
    }

    @Test
    void deniedIpLiteralTargetFailsBeforeAnyConnection() {
        this.transport = transport(AddressFilter.PUBLIC_ONLY, DnsResolver.SYSTEM, ProxyResolver.DIRECT);

        assertThatExceptionOfType(AddressDeniedException.class)
                .isThrownBy(() -> fetch(PoolTestSupport.url(this.server, "/a")));

        assertThat(this.listener.connectStarts).isEmpty();
        assertThat(this.server.getRequestCount()).isZero();
    }

    @Test
    void deniedAddressIsSkippedAndTheAllowedOneIsDialed() throws Exception {
        AddressFilter notSecondLoopback = address -> !address.equals(LOOPBACK_2);
        this.transport = transport(notSecondLoopback, host -> List.of(LOOPBACK_2, LOOPBACK_1), ProxyResolver.DIRECT);

        assertThat(fetch("http://mixed.test:" + this.server.getPort() + "/a")).isEqualTo("ok");

        assertThat(this.listener.connectStarts).containsExactly(new InetSocketAddress(LOOPBACK_1, this.server.getPort()));
    }

    @Test
    void filterIsNotAppliedToTheAddressOfAnHttpProxy() throws Exception {
        Proxy proxy = Proxy.parse("http://127.0.0.1:" + this.server.getPort());
        this.transport = transport(AddressFilter.PUBLIC_ONLY, DnsResolver.SYSTEM, ProxyResolver.of(proxy, NoProxy.NONE));

        assertThat(fetch("http://public.test/a")).isEqualTo("ok");

        assertThat(this.server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Host")).isEqualTo("public.test");
    }

    @Test
    void filterIsAppliedToTheLocallyResolvedTargetOfASocks5ProxyButNotToTheProxy() throws Exception {
        try (Socks5TestServer socks = new Socks5TestServer(null, null, Map.of())) {
            Proxy proxy = Proxy.parse("socks5://127.0.0.1:" + socks.port());
            this.transport = transport(AddressFilter.PUBLIC_ONLY, host -> List.of(LOOPBACK_1),
                    ProxyResolver.of(proxy, NoProxy.NONE));

            assertThatExceptionOfType(AddressDeniedException.class)
                    .isThrownBy(() -> fetch("http://internal.test:" + this.server.getPort() + "/a"));

            assertThat(this.listener.connectDones).as("the proxy itself was dialed").singleElement()
                    .satisfies(c -> {
                        assertThat(c.address()).isEqualTo(new InetSocketAddress(LOOPBACK_1, socks.port()));
                        assertThat(c.error()).isNull();
                    });
            assertThat(socks.connects()).as("no CONNECT to a denied address").isEmpty();
            assertThat(this.server.getRequestCount()).isZero();
        }
    }

    private Transport transport(AddressFilter filter, DnsResolver resolver, ProxyResolver proxies) {
        return new Transport(TransportConfig.builder()
                .addressFilter(filter)
                .dnsResolver(resolver)
                .proxyResolver(proxies)
                .listener(this.listener)
                .build());
    }

    private String fetch(String uri) throws IOException {
        try (Response response = this.transport.roundTrip(Request.get(uri))) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        }
        catch (UnknownHostException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
