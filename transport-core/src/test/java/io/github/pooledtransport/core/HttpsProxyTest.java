package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@code https://} proxy: the connection to the proxy itself is TLS (verified against the transport's trust
 * material), and requests for plain-http targets are forwarded over it in absolute-form.
 */
@Timeout(20)
class HttpsProxyTest {

    private final MockWebServer proxyServer = new MockWebServer();

    private Transport transport;

    @AfterEach
    void stop() {
        PoolTestSupport.closeQuietly(this.transport);
        this.proxyServer.close();
    }

    @Test
    void plainHttpTargetIsForwardedOverTlsToAnHttpsProxy() throws Exception {
        this.proxyServer.useHttps(TestCertificates.SERVER.sslSocketFactory());
        this.proxyServer.enqueue(new MockResponse.Builder().body("one").build());
        this.proxyServer.enqueue(new MockResponse.Builder().body("two").build());
        this.proxyServer.start(InetAddress.getByName("127.0.0.1"), 0);
        Proxy proxy = Proxy.parse("https://localhost:" + this.proxyServer.getPort());
        this.transport = new Transport(TransportConfig.builder()
                .sslContext(TestCertificates.CLIENT.sslContext(), TestCertificates.IDENTITY)
                .dnsResolver(host -> java.util.List.of(InetAddress.getByName("127.0.0.1")))
                .proxyResolver(ProxyResolver.of(proxy, NoProxy.NONE)).build());

        for (String expected : new String[] { "one", "two" }) {
            try (Response response = this.transport.roundTrip(Request.get("http://origin.test:8080/p"))) {
                assertThat(new String(response.body().readAllBytes())).isEqualTo(expected);
            }
        }

        RecordedRequest first = this.proxyServer.takeRequest();
        RecordedRequest second = this.proxyServer.takeRequest();
        assertThat(first.getRequestLine()).isEqualTo("GET http://origin.test:8080/p HTTP/1.1");
        assertThat(first.getHandshake()).as("TLS to the proxy").isNotNull();
        assertThat(second.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
        HostKey key = this.transport.stats().hosts().get(0).key();
        assertThat(key.proxy()).isEqualTo("https://localhost:" + this.proxyServer.getPort());
        assertThat(key.tlsIdentity()).as("TLS material to the proxy is part of the key").isEqualTo(TestCertificates.IDENTITY);
    }
}
