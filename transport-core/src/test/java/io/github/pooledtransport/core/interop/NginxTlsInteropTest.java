package io.github.pooledtransport.core.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportException;

/** Direct HTTPS against a real nginx whose certificate was issued by a test authority. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NginxTlsInteropTest extends RealServerTest {

    private static final int REQUESTS = 5;

    @TempDir
    static Path dir;

    private static TestCertificates certificates;

    private static NginxFixture nginx;

    private static RealServers servers;

    @BeforeAll
    static void startNginx() throws Exception {
        servers = RealServers.require(NginxTlsInteropTest.class, NginxFixture.REQUIRED);
        if (!servers.installed()) {
            return;
        }
        certificates = TestCertificates.create(dir);
        nginx = servers.start(() -> NginxFixture.start(dir, certificates));
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

    @Test
    void httpsRequestRoundTripsWithTheCertificateAndHostNameVerified() throws Exception {
        this.transport = new Transport(Interop.boundedConfig()
                .sslContext(certificates.clientContext(), "interop-ca")
                .build());

        Interop.Answer answer = Interop.get(this.transport, nginx.httpsUrl("localhost", "/tls-round-trip"), "tls-rt");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).startsWith("nginx https /tls-round-trip ");
        assertThat(nginx.awaitRequests("/tls-round-trip", 1)).singleElement()
                .satisfies(line -> assertThat(line.port()).isEqualTo(nginx.tlsPort()));
    }

    @Test
    void sequentialHttpsRequestsReuseOneTlsConnection() throws Exception {
        this.transport = new Transport(Interop.boundedConfig()
                .sslContext(certificates.clientContext(), "interop-ca")
                .build());
        long acceptsBefore = nginx.accepts();

        for (int i = 0; i < REQUESTS; i++) {
            Interop.Answer answer = Interop.get(this.transport, nginx.httpsUrl("localhost", "/tls-reuse/" + i),
                    "tls-reuse");
            assertThat(answer.status()).isEqualTo(200);
        }

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(REQUESTS - 1);
        List<NginxFixture.AccessLine> lines = nginx.awaitRequests("/tls-reuse/", REQUESTS);
        assertThat(lines).extracting(NginxFixture.AccessLine::connection).containsOnly(lines.get(0).connection());
        assertThat(lines).extracting(NginxFixture.AccessLine::connectionRequests)
                .containsExactly(1L, 2L, 3L, 4L, 5L);
        // accepts() counts its own connection: one for the transport, one for this second look
        assertThat(nginx.accepts() - acceptsBefore).isEqualTo(2);
    }

    @Test
    void requestTargetStartingWithTwoSlashesReachesTheServerUnchanged() throws Exception {
        this.transport = new Transport(Interop.boundedConfig()
                .sslContext(certificates.clientContext(), "interop-ca")
                .build());

        Interop.Answer answer = Interop.get(this.transport, nginx.httpsUrl("localhost", "//tls-two-slashes/a?b=1"),
                "tls-two-slashes");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).as("the request-target nginx saw").startsWith("nginx https //tls-two-slashes/a?b=1 ");
    }

    @Test
    void certificateNotIssuedForTheRequestedHostIsRejected() {
        // "wrong-name.test" is dialed at nginx's address, but the certificate names only localhost/127.0.0.1
        this.transport = new Transport(Interop.boundedConfig()
                .sslContext(certificates.clientContext(), "interop-ca")
                .dnsResolver(host -> resolveToLoopback(host, "wrong-name.test"))
                .build());

        assertThatThrownBy(() -> Interop.get(this.transport, nginx.httpsUrl("wrong-name.test", "/tls-wrong-name"),
                "tls-wrong-name"))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("TLS handshake")
                .hasRootCauseInstanceOf(java.security.cert.CertificateException.class)
                .rootCause().hasMessageContaining("wrong-name.test");
        assertThat(nginx.requests("/tls-wrong-name")).isEmpty();
    }

    @Test
    void certificateFromAnUntrustedAuthorityIsRejected() {
        this.transport = new Transport(Interop.boundedConfig().build()); // the JVM's default trust store

        assertThatThrownBy(() -> Interop.get(this.transport, nginx.httpsUrl("localhost", "/tls-untrusted"),
                "tls-untrusted"))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("TLS handshake")
                .hasCauseInstanceOf(SSLHandshakeException.class);
        assertThat(nginx.requests("/tls-untrusted")).isEmpty();
    }

    static List<InetAddress> resolveToLoopback(String host, String alias) throws UnknownHostException {
        if (host.equals(alias)) {
            return List.of(InetAddress.getByAddress(alias, new byte[] { 127, 0, 0, 1 }));
        }
        return List.of(InetAddress.getAllByName(host));
    }
}
