package io.github.pooledtransport.core.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.NoProxy;
import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.ProxyResolver;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * HTTP/2 against a real nginx (Debian 12's 1.22): ALPN h2 over TLS, prior knowledge on a cleartext {@code http2}
 * listener, a listener whose small stream limit and {@code keepalive_requests} force extra connections and GOAWAY
 * while requests are in flight, and h2 inside a CONNECT tunnel through squid. Every request gets exactly its own
 * answer: nginx echoes each request's URI.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NginxHttp2InteropTest extends RealServerTest {

    @TempDir
    static Path dir;

    private static TestCertificates certificates;

    private static NginxFixture nginx;

    private static SquidFixture squid;

    private static RealServers servers;

    @BeforeAll
    static void startNginx() throws Exception {
        servers = RealServers.require(NginxHttp2InteropTest.class, NginxFixture.REQUIRED, SquidFixture.REQUIRED);
        if (!servers.installed()) {
            return;
        }
        certificates = TestCertificates.create(dir);
        nginx = servers.start(() -> NginxFixture.start(dir, certificates, true));
        squid = servers.start(() -> SquidFixture.start(dir, null, null));
    }

    @AfterAll
    static void stopNginx() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    @Override
    protected RealServers servers() {
        return servers;
    }

    private static TransportConfig.Builder config() {
        return Interop.boundedConfig().sslContext(certificates.clientContext(), "interop-ca");
    }

    private static String url(String scheme, int which, String path) {
        return scheme + "://localhost:" + nginx.http2Port(which) + path;
    }

    @Test
    void concurrentRequestsOverTlsShareOneHttp2Connection() throws Exception {
        this.transport = new Transport(config().build());
        List<String> bodies = burst(this.transport, 64, i -> url("https", NginxFixture.H2, "/h2-shared/" + i));
        for (int i = 0; i < 64; i++) {
            assertThat(bodies.get(i)).isEqualTo("HTTP/2.0 nginx https /h2-shared/" + i);
        }
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
        assertThat(nginx.connectionsServing("/h2-shared/", 64)).isEqualTo(1);
    }

    @Test
    void cleartextHttp2ListenerIsSpokenToWithPriorKnowledge() throws Exception {
        this.transport = new Transport(config().protocols(EnumSet.of(Protocol.H2C)).build());
        try (Response response = this.transport.roundTrip(Request.get(url("http", NginxFixture.H2C, "/h2c/1")))) {
            assertThat(response.protocol()).isEqualTo("HTTP/2.0");
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                    .startsWith("nginx http /h2c/1 ");
        }
    }

    @Test
    void streamLimitOpensMoreConnectionsAndGoAwayMidFlightLosesNoRequest() throws Exception {
        this.transport = new Transport(config().build());
        int requests = 6 * NginxFixture.LIMITED_REQUESTS;
        List<String> bodies = burst(this.transport, requests,
                i -> url("https", NginxFixture.H2_LIMITED, "/h2-limited/" + i));
        for (int i = 0; i < requests; i++) {
            assertThat(bodies.get(i)).isEqualTo("HTTP/2.0 nginx https /h2-limited/" + i);
        }
        // No connection carried more than keepalive_requests: nginx's GOAWAY retired each, and none was lost.
        assertThat(nginx.awaitRequests("/h2-limited/", requests)).hasSize(requests);
        assertThat(nginx.connectionsServing("/h2-limited/", requests))
                .isGreaterThanOrEqualTo(requests / NginxFixture.LIMITED_REQUESTS);
        assertThat(this.transport.stats().totals().closed(CloseReason.GOAWAY)).isPositive();
    }

    @Test
    void http2RunsInsideACONNECTTunnelThroughSquid() throws Exception {
        this.transport = new Transport(config()
                .proxyResolver(ProxyResolver.of(Proxy.parse(squid.proxyUrl()), NoProxy.NONE)).build());
        try (Response response = this.transport.roundTrip(Request.get(url("https", NginxFixture.H2, "/h2-tunnel")))) {
            assertThat(response.protocol()).isEqualTo("HTTP/2.0");
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                    .startsWith("nginx https /h2-tunnel ");
        }
    }

    /** @return each request's protocol and body, in request order */
    private static List<String> burst(Transport transport, int count, java.util.function.IntFunction<String> url)
            throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(Math.min(count, 64));
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String target = url.apply(i);
                futures.add(callers.submit(() -> {
                    go.await();
                    try (Response response = transport.roundTrip(Request.get(target))) {
                        String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
                        // "nginx https /uri connection=N": the connection serial is not part of the comparison
                        return response.protocol() + " " + body.substring(0, body.indexOf(" connection="));
                    }
                }));
            }
            go.countDown();
            List<String> bodies = new ArrayList<>();
            for (Future<String> future : futures) {
                bodies.add(future.get(60, TimeUnit.SECONDS));
            }
            return bodies;
        }
        finally {
            callers.shutdownNow();
        }
    }
}
