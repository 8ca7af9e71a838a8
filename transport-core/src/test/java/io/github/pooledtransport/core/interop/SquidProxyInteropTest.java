package io.github.pooledtransport.core.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.NoProxy;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.ProxyResolver;
import io.github.pooledtransport.core.Transport;

/**
 * Through a real squid without authentication: {@code http} targets forwarded in absolute-form,
 * {@code https} targets tunnelled with {@code CONNECT} to a real nginx with TLS.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SquidProxyInteropTest extends RealServerTest {

    private static final int REQUESTS = 5;

    @TempDir
    static Path dir;

    private static TestCertificates certificates;

    private static NginxFixture nginx;

    private static SquidFixture squid;

    private static RealServers servers;

    @BeforeAll
    static void startServers() throws Exception {
        servers = RealServers.require(SquidProxyInteropTest.class,
                SquidFixture.REQUIRED, NginxFixture.REQUIRED);
        if (!servers.installed()) {
            return;
        }
        certificates = TestCertificates.create(dir);
        nginx = servers.start(() -> NginxFixture.start(dir, certificates));
        squid = servers.start(() -> SquidFixture.start(dir, null, null));
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    @Override
    protected RealServers servers() {
        return servers;
    }

    /** A transport sending everything through squid; CONNECTs carry the marker so squid's log shows them. */
    private Transport throughSquid(String marker) {
        return new Transport(Interop.boundedConfig()
                .proxyResolver(ProxyResolver.of(Proxy.parse(squid.proxyUrl()), NoProxy.NONE))
                .proxyConnectHeaders(Headers.of(SquidFixture.MARKER_HEADER, marker))
                .sslContext(certificates.clientContext(), "interop-ca")
                .build());
    }

    @Test
    void plainHttpTargetIsForwardedInAbsoluteFormAndRoundTrips() throws Exception {
        this.transport = throughSquid("fwd-rt");
        String url = nginx.httpUrl("/fwd-round-trip?q=1");

        Interop.Answer answer = Interop.get(this.transport, url, "fwd-rt");

        assertThat(answer.status()).as(() -> answer + squid.logTails()).isEqualTo(200);
        assertThat(answer.body()).startsWith("nginx http /fwd-round-trip?q=1 ");
        assertThat(answer.headers().get("Via")).contains("interop-squid");
        assertThat(squid.awaitTransactions("fwd-rt", 1)).singleElement().satisfies(line -> {
            assertThat(line.method()).isEqualTo("GET");
            assertThat(line.url()).isEqualTo(url); // squid only takes the absolute-form as a forward proxy
            assertThat(line.status()).isEqualTo(200);
        });
    }

    @Test
    void sequentialForwardedRequestsReuseOneConnectionToSquid() throws Exception {
        this.transport = throughSquid("fwd-reuse");

        for (int i = 0; i < REQUESTS; i++) {
            assertThat(Interop.get(this.transport, nginx.httpUrl("/fwd-reuse/" + i), "fwd-reuse").status())
                    .isEqualTo(200);
        }

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(REQUESTS - 1);
        assertThat(squid.clientConnectionsServing("fwd-reuse", REQUESTS))
                .as("client connections squid saw").isEqualTo(1);
    }

    @Test
    void httpsTargetNamedByHostIsTunnelledWithConnectAndRoundTrips() throws Exception {
        this.transport = throughSquid("connect-rt");

        Interop.Answer answer = Interop.get(this.transport, nginx.httpsUrl("localhost", "/connect-round-trip"),
                "connect-rt");

        assertThat(answer.status()).as(() -> answer + squid.logTails()).isEqualTo(200);
        assertThat(answer.body()).startsWith("nginx https /connect-round-trip ");
        assertThat(answer.headers().get("Via")).as("squid cannot see inside the tunnel").isNull();
        this.transport.close(); // squid logs a tunnel when it closes
        assertThat(squid.awaitTransactions("connect-rt", 1)).singleElement().satisfies(line -> {
            assertThat(line.method()).isEqualTo("CONNECT");
            assertThat(line.url()).isEqualTo("localhost:" + nginx.tlsPort());
            assertThat(line.status()).isEqualTo(200);
        });
    }

    @Test
    void sequentialHttpsRequestsReuseOneConnectTunnel() throws Exception {
        this.transport = throughSquid("connect-reuse");

        for (int i = 0; i < REQUESTS; i++) {
            // an IP literal (also in the certificate), so this checks reuse whatever CONNECT does with names
            assertThat(Interop.get(this.transport, nginx.httpsUrl("127.0.0.1", "/connect-reuse/" + i), "connect-reuse")
                    .status()).isEqualTo(200);
        }

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(REQUESTS - 1);
        assertThat(nginx.connectionsServing("/connect-reuse/", REQUESTS)).as("TLS connections nginx saw").isEqualTo(1);
        this.transport.close();
        List<SquidFixture.AccessLine> tunnels = squid.awaitTransactions("connect-reuse", 1);
        assertThat(tunnels).as("CONNECTs squid logged").singleElement()
                .satisfies(line -> assertThat(line.url()).isEqualTo("127.0.0.1:" + nginx.tlsPort()));
    }
}
