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

import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.NoProxy;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.ProxyConnectException;
import io.github.pooledtransport.core.ProxyResolver;
import io.github.pooledtransport.core.Transport;

/**
 * Through a real squid that requires basic authentication ({@code basic_ncsa_auth} with an {@code htpasswd}
 * file): the right credentials open the way for forwarded requests and {@code CONNECT} tunnels, wrong ones
 * get {@code 407}, and the password shows up in no error message and no stats.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SquidBasicAuthInteropTest extends RealServerTest {

    private static final String USER = "alice";

    private static final String PASSWORD = "Wonder land:7f@3k";

    private static final String WRONG_PASSWORD = "Looking glass:9q@2z";

    @TempDir
    static Path dir;

    private static TestCertificates certificates;

    private static NginxFixture nginx;

    private static SquidFixture squid;

    private static RealServers servers;

    @BeforeAll
    static void startServers() throws Exception {
        servers = RealServers.require(SquidBasicAuthInteropTest.class, SquidFixture.REQUIRED,
                SquidFixture.REQUIRED_AUTH_HELPER, SquidFixture.REQUIRED_HTPASSWD, NginxFixture.REQUIRED);
        if (!servers.installed()) {
            return;
        }
        certificates = TestCertificates.create(dir);
        nginx = servers.start(() -> NginxFixture.start(dir, certificates));
        squid = servers.start(() -> SquidFixture.start(dir, USER, PASSWORD));
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

    private Transport throughSquid(String password, String marker) {
        return new Transport(Interop.boundedConfig()
                .proxyResolver(ProxyResolver.of(Proxy.parse(squid.proxyUrl(USER, password)), NoProxy.NONE))
                .proxyConnectHeaders(Headers.of(SquidFixture.MARKER_HEADER, marker))
                .sslContext(certificates.clientContext(), "interop-ca")
                .build());
    }

    @Test
    void proxyUrlCarriesTheCredentialsDecoded() {
        Proxy proxy = Proxy.parse(squid.proxyUrl(USER, PASSWORD));

        assertThat(proxy.username()).isEqualTo(USER);
        assertThat(proxy.password()).isEqualTo(PASSWORD);
        assertThat(proxy.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void forwardedRequestWithTheRightCredentialsIsServed() throws Exception {
        this.transport = throughSquid(PASSWORD, "auth-fwd-ok");

        Interop.Answer answer = Interop.get(this.transport, nginx.httpUrl("/auth-fwd-ok"), "auth-fwd-ok");

        assertThat(answer.status()).as(() -> answer + squid.logTails()).isEqualTo(200);
        assertThat(answer.body()).startsWith("nginx http /auth-fwd-ok ");
        assertThat(squid.awaitTransactions("auth-fwd-ok", 1)).singleElement()
                .satisfies(line -> assertThat(line.user()).isEqualTo(USER));
    }

    @Test
    void connectWithTheRightCredentialsOpensTheTunnel() throws Exception {
        this.transport = throughSquid(PASSWORD, "auth-connect-ok");

        Interop.Answer answer = Interop.get(this.transport, nginx.httpsUrl("127.0.0.1", "/auth-connect-ok"),
                "auth-connect-ok");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).startsWith("nginx https /auth-connect-ok ");
        this.transport.close(); // squid logs a tunnel when it closes
        assertThat(squid.awaitTransactions("auth-connect-ok", 1)).singleElement().satisfies(line -> {
            assertThat(line.method()).isEqualTo("CONNECT");
            assertThat(line.user()).isEqualTo(USER);
        });
    }

    @Test
    void forwardedRequestWithAWrongPasswordGets407() throws Exception {
        this.transport = throughSquid(WRONG_PASSWORD, "auth-fwd-wrong");

        Interop.Answer answer = Interop.get(this.transport, nginx.httpUrl("/auth-fwd-wrong"), "auth-fwd-wrong");

        assertThat(answer.status()).isEqualTo(407);
        assertThat(answer.headers().get("Proxy-Authenticate")).startsWith("Basic");
        assertThat(nginx.requests("/auth-fwd-wrong")).isEmpty();
    }

    @Test
    void connectWithAWrongPasswordFailsWithProxyConnectException407() {
        this.transport = throughSquid(WRONG_PASSWORD, "auth-connect-wrong");

        ProxyConnectException error = catchThrowableOfType(ProxyConnectException.class,
                () -> Interop.get(this.transport, nginx.httpsUrl("127.0.0.1", "/auth-connect-wrong"),
                        "auth-connect-wrong"));

        assertThat(error).as("ProxyConnectException").isNotNull();
        assertThat(error.status()).isEqualTo(407);
        assertThat(error.getMessage()).contains("HTTP/1.1 407 Proxy Authentication Required")
                .contains("CONNECT 127.0.0.1:" + nginx.tlsPort());
        assertThat(nginx.requests("/auth-connect-wrong")).isEmpty();
    }

    @Test
    void passwordAppearsInNoErrorAndNoStats() throws Exception {
        this.transport = throughSquid(WRONG_PASSWORD, "auth-secret");
        ProxyConnectException refused = catchThrowableOfType(ProxyConnectException.class,
                () -> Interop.get(this.transport, nginx.httpsUrl("127.0.0.1", "/auth-secret"), "auth-secret"));
        Interop.Answer forwarded = Interop.get(this.transport, nginx.httpUrl("/auth-secret"), "auth-secret");

        assertThat(refused).isNotNull();
        String printed = Interop.everythingPrinted(refused) + "\n" + this.transport.stats() + "\n"
                + this.transport.config().proxyResolver() + "\n" + forwarded;
        assertThat(printed).contains(USER)
                .doesNotContain(WRONG_PASSWORD)
                .doesNotContain(squid.proxyUrl(USER, WRONG_PASSWORD).replaceAll(".*:(.*)@.*", "$1"))
                .doesNotContain(Interop.basicCredentials(USER, WRONG_PASSWORD));
    }
}
