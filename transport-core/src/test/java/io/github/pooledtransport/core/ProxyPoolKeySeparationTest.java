package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy is part of the pool key: the same target reached through different proxies, or through the same
 * proxy with different credentials, never shares a connection.
 */
@Timeout(20)
class ProxyPoolKeySeparationTest {

    private static final String TARGET = "http://origin.test:8080/a";

    private final MockWebServer proxyA = new MockWebServer();

    private final MockWebServer proxyB = new MockWebServer();

    private Transport transport;

    @BeforeEach
    void start() throws IOException {
        for (MockWebServer server : List.of(this.proxyA, this.proxyB)) {
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return new MockResponse.Builder().body("ok").build();
                }
            });
            server.start(InetAddress.getByName("127.0.0.1"), 0);
        }
    }

    @AfterEach
    void stop() {
        PoolTestSupport.closeQuietly(this.transport);
        this.proxyA.close();
        this.proxyB.close();
    }

    @Test
    void sameTargetThroughTwoProxiesUsesSeparateConnectionsAndHostEntries() throws Exception {
        Proxy a = Proxy.parse("http://127.0.0.1:" + this.proxyA.getPort());
        Proxy b = Proxy.parse("http://127.0.0.1:" + this.proxyB.getPort());
        this.transport = transport(Map.of("a", a, "b", b));

        fetch("a");
        fetch("b");
        fetch("a");
        fetch("b");

        assertThat(this.proxyA.getRequestCount()).isEqualTo(2);
        assertThat(this.proxyB.getRequestCount()).isEqualTo(2);
        assertThat(PoolTestSupport.takeInOrder(this.proxyA, 2)).extracting(RecordedRequest::getConnectionIndex)
                .containsOnly(0);
        assertThat(PoolTestSupport.takeInOrder(this.proxyB, 2)).extracting(RecordedRequest::getConnectionIndex)
                .containsOnly(0);
        TransportStats stats = this.transport.stats();
        assertThat(stats.hosts()).extracting(h -> h.key().proxy()).containsExactlyInAnyOrder(a.identity(), b.identity());
        assertThat(stats.hosts()).allSatisfy(h -> {
            assertThat(h.key().host()).isEqualTo("origin.test");
            assertThat(h.stats().opened()).isEqualTo(1);
            assertThat(h.stats().reused()).isEqualTo(1);
        });
    }

    @Test
    void sameProxyWithDifferentCredentialsUsesSeparateConnectionsAndHostEntries() throws Exception {
        Proxy one = Proxy.parse("http://alice:first-pw@127.0.0.1:" + this.proxyA.getPort());
        Proxy two = Proxy.parse("http://alice:second-pw@127.0.0.1:" + this.proxyA.getPort());
        this.transport = transport(Map.of("one", one, "two", two));

        fetch("one");
        fetch("two");
        fetch("one");
        fetch("two");

        List<RecordedRequest> requests = PoolTestSupport.takeInOrder(this.proxyA, 4);
        assertThat(requests.get(0).getConnectionIndex()).isNotEqualTo(requests.get(1).getConnectionIndex());
        assertThat(requests.get(2).getConnectionIndex()).isEqualTo(requests.get(0).getConnectionIndex());
        assertThat(requests.get(3).getConnectionIndex()).isEqualTo(requests.get(1).getConnectionIndex());
        assertThat(requests.get(2).getHeaders().get("Proxy-Authorization")).isEqualTo(basic("alice:first-pw"));
        assertThat(requests.get(3).getHeaders().get("Proxy-Authorization")).isEqualTo(basic("alice:second-pw"));
        TransportStats stats = this.transport.stats();
        assertThat(stats.hosts()).hasSize(2);
        assertThat(stats.hosts()).extracting(h -> h.key().proxy()).doesNotHaveDuplicates()
                .allSatisfy(p -> assertThat(p).startsWith("http://alice@127.0.0.1:"));
        assertThat(stats.toString()).doesNotContain("first-pw").doesNotContain("second-pw");
    }

    @Test
    void directAndProxiedRequestsToTheSameTargetDoNotShareConnections() throws Exception {
        try (MockWebServer origin = PoolTestSupport.okServer()) {
            String target = PoolTestSupport.url(origin, "/a");
            Proxy proxy = Proxy.parse("http://127.0.0.1:" + this.proxyA.getPort());
            this.transport = new Transport(TransportConfig.builder()
                    .proxyResolver(uri -> "via=proxy".equals(uri.getQuery()) ? proxy : null)
                    .build());

            fetchUri(target + "?via=proxy");
            fetchUri(target);
            fetchUri(target + "?via=proxy");

            assertThat(this.proxyA.getRequestCount()).isEqualTo(2);
            assertThat(origin.getRequestCount()).isEqualTo(1);
            assertThat(this.transport.stats().hosts()).extracting(h -> h.key().proxy())
                    .containsExactlyInAnyOrder(null, proxy.identity());
        }
    }

    private Transport transport(Map<String, Proxy> byQuery) {
        return new Transport(TransportConfig.builder()
                .proxyResolver(uri -> byQuery.get(uri.getQuery()))
                .build());
    }

    private void fetch(String via) throws IOException {
        fetchUri(TARGET + "?" + via);
    }

    private void fetchUri(String uri) throws IOException {
        try (Response response = this.transport.roundTrip(Request.get(URI.create(uri)))) {
            response.body().readAllBytes();
        }
    }

    private static String basic(String pair) {
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
}
