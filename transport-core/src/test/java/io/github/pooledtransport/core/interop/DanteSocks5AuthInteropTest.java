package io.github.pooledtransport.core.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.pooledtransport.core.NoProxy;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.ProxyConnectException;
import io.github.pooledtransport.core.ProxyResolver;
import io.github.pooledtransport.core.Transport;

/**
 * Through a real Dante SOCKS5 server requiring user name and password (RFC 1929), checked against a
 * dedicated system user ({@value DanteFixture#SOCKS_USER}), to a real nginx.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DanteSocks5AuthInteropTest extends RealServerTest {

    private static final int REQUESTS = 5;

    private static final String WRONG_PASSWORD = "Not-the-socks-Pw";

    @TempDir
    static Path dir;

    private static NginxFixture nginx;

    private static DanteFixture dante;

    private static RealServers servers;

    @BeforeAll
    static void startServers() throws Exception {
        servers = RealServers.require(DanteSocks5AuthInteropTest.class,
                DanteFixture.REQUIRED, NginxFixture.REQUIRED);
        if (!servers.installed()) {
            return;
        }
        DanteFixture.ensureSystemUser();
        nginx = servers.start(() -> NginxFixture.start(dir, null));
        dante = servers.start(() -> DanteFixture.start(dir, true));
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

    private Transport through(String proxyUrl) {
        return new Transport(Interop.boundedConfig()
                .proxyResolver(ProxyResolver.of(Proxy.parse(proxyUrl), NoProxy.NONE))
                .build());
    }

    @Test
    void socks5WithTheRightPasswordRoundTrips() throws Exception {
        this.transport = through(dante.proxyUrl("socks5", DanteFixture.SOCKS_USER, DanteFixture.SOCKS_PASSWORD));

        Interop.Answer answer = Interop.get(this.transport, nginx.httpUrl("/socks5-auth"), "socks5-auth");

        assertThat(answer.status()).as(dante::logTails).isEqualTo(200);
        assertThat(answer.body()).startsWith("nginx http /socks5-auth ");
    }

    @Test
    void socks5hWithTheRightPasswordReusesOneTunnel() throws Exception {
        this.transport = through(dante.proxyUrl("socks5h", DanteFixture.SOCKS_USER, DanteFixture.SOCKS_PASSWORD));
        int tunnelsBefore = dante.tunnelsTo(nginx.port()).size();

        for (int i = 0; i < REQUESTS; i++) {
            assertThat(Interop.get(this.transport, "http://localhost:" + nginx.port() + "/socks5h-auth/" + i,
                    "socks5h-auth").status()).isEqualTo(200);
        }

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(REQUESTS - 1);
        assertThat(nginx.connectionsServing("/socks5h-auth/", REQUESTS)).as("connections nginx saw").isEqualTo(1);
        assertThat(dante.awaitTunnelsTo(nginx.port(), tunnelsBefore + 1)).as("tunnels Dante opened")
                .hasSize(tunnelsBefore + 1)
                .last().asString().contains("username%" + DanteFixture.SOCKS_USER + "@");
    }

    @Test
    void wrongPasswordFailsWithProxyConnectExceptionThatDoesNotShowIt() {
        this.transport = through(dante.proxyUrl("socks5", DanteFixture.SOCKS_USER, WRONG_PASSWORD));

        ProxyConnectException error = catchThrowableOfType(ProxyConnectException.class,
                () -> Interop.get(this.transport, nginx.httpUrl("/socks5-wrong"), "socks5-wrong"));

        assertThat(error).as("ProxyConnectException").isNotNull();
        assertThat(error.getMessage()).contains("rejected the user name or password");
        assertThat(error.status()).isNotZero();
        assertThat(Interop.everythingPrinted(error) + this.transport.stats()).doesNotContain(WRONG_PASSWORD);
        assertThat(nginx.requests("/socks5-wrong")).isEmpty();
    }

    @Test
    void missingCredentialsAreRefusedWithProxyConnectException() {
        this.transport = through(dante.proxyUrl("socks5"));

        ProxyConnectException error = catchThrowableOfType(ProxyConnectException.class,
                () -> Interop.get(this.transport, nginx.httpUrl("/socks5-anonymous"), "socks5-anonymous"));

        assertThat(error).as("ProxyConnectException").isNotNull();
        assertThat(error.status()).isEqualTo(0xFF);
        assertThat(error.getMessage()).contains("requires authentication");
        assertThat(nginx.requests("/socks5-anonymous")).isEmpty();
    }
}
