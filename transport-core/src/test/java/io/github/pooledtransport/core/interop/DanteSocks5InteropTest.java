package io.github.pooledtransport.core.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.pooledtransport.core.DnsResolver;
import io.github.pooledtransport.core.NoProxy;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.ProxyResolver;
import io.github.pooledtransport.core.Transport;

/** Through a real Dante SOCKS5 server without authentication, to a real nginx. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DanteSocks5InteropTest extends RealServerTest {

    private static final int REQUESTS = 5;

    /** A name only the client knows: the transport maps it to 127.0.0.1, Dante cannot resolve it. */
    private static final String CLIENT_ONLY_NAME = "origin.interop.invalid";

    @TempDir
    static Path dir;

    private static TestCertificates certificates;

    private static NginxFixture nginx;

    private static DanteFixture dante;

    private static RealServers servers;

    @BeforeAll
    static void startServers() throws Exception {
        servers = RealServers.require(DanteSocks5InteropTest.class,
                DanteFixture.REQUIRED, NginxFixture.REQUIRED);
        if (!servers.installed()) {
            return;
        }
        certificates = TestCertificates.create(dir);
        nginx = servers.start(() -> NginxFixture.start(dir, certificates));
        dante = servers.start(() -> DanteFixture.start(dir, false));
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

    private Transport through(String scheme, DnsResolver resolver) {
        return new Transport(Interop.boundedConfig()
                .proxyResolver(ProxyResolver.of(Proxy.parse(dante.proxyUrl(scheme)), NoProxy.NONE))
                .sslContext(certificates.clientContext(), "interop-ca")
                .dnsResolver(resolver)
                .build());
    }

    @Test
    void socks5RoundTripsWithTheTargetResolvedByTheClient() throws Exception {
        this.transport = through("socks5", host -> resolve(host, CLIENT_ONLY_NAME));
        int tunnelsBefore = dante.tunnelsTo(nginx.port()).size();

        Interop.Answer answer = Interop.get(this.transport,
                "http://" + CLIENT_ONLY_NAME + ":" + nginx.port() + "/socks5-round-trip", "socks5-rt");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).startsWith("nginx http /socks5-round-trip ");
        assertThat(dante.awaitTunnelsTo(nginx.port(), tunnelsBefore + 1)).hasSize(tunnelsBefore + 1);
    }

    @Test
    void socks5hRoundTripsWithTheTargetResolvedByTheProxy() throws Exception {
        // the client refuses to resolve "localhost": only Dante can have looked it up
        this.transport = through("socks5h", host -> {
            if (host.equals("localhost")) {
                throw new UnknownHostException("the client must not resolve " + host + " with socks5h");
            }
            return List.of(InetAddress.getAllByName(host));
        });
        int tunnelsBefore = dante.tunnelsTo(nginx.port()).size();

        Interop.Answer answer = Interop.get(this.transport, "http://localhost:" + nginx.port() + "/socks5h-round-trip",
                "socks5h-rt");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).startsWith("nginx http /socks5h-round-trip ");
        assertThat(dante.awaitTunnelsTo(nginx.port(), tunnelsBefore + 1)).hasSize(tunnelsBefore + 1);
    }

    @Test
    void sequentialRequestsReuseOneSocksTunnel() throws Exception {
        this.transport = through("socks5h", DnsResolver.SYSTEM);
        long acceptedBefore = dante.acceptedConnections();
        int tunnelsBefore = dante.tunnelsTo(nginx.port()).size();

        for (int i = 0; i < REQUESTS; i++) {
            assertThat(Interop.get(this.transport, nginx.httpUrl("/socks-reuse/" + i), "socks-reuse").status())
                    .isEqualTo(200);
        }

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(REQUESTS - 1);
        assertThat(nginx.connectionsServing("/socks-reuse/", REQUESTS)).as("connections nginx saw").isEqualTo(1);
        assertThat(dante.awaitTunnelsTo(nginx.port(), tunnelsBefore + 1)).as("tunnels Dante opened")
                .hasSize(tunnelsBefore + 1);
        assertThat(dante.acceptedConnections() - acceptedBefore).as("client connections Dante accepted").isEqualTo(1);
    }

    @Test
    void httpsThroughSocks5hIsVerifiedAgainstTheTargetNameAndReusesTheTunnel() throws Exception {
        this.transport = through("socks5h", DnsResolver.SYSTEM);

        for (int i = 0; i < REQUESTS; i++) {
            Interop.Answer answer = Interop.get(this.transport, nginx.httpsUrl("localhost", "/socks-tls/" + i),
                    "socks-tls");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).startsWith("nginx https /socks-tls/" + i + " ");
        }

        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
        assertThat(nginx.connectionsServing("/socks-tls/", REQUESTS)).as("TLS connections nginx saw").isEqualTo(1);
    }

    private static List<InetAddress> resolve(String host, String alias) throws UnknownHostException {
        return NginxTlsInteropTest.resolveToLoopback(host, alias);
    }
}
