package io.github.pooledtransport.core.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.Supplier;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * Whatever goes wrong while dialing, checked exceptions or not, the socket opened so far is closed (the
 * server sees the client hang up) and every {@code ...Start} event still gets its {@code ...Done}.
 */
@Timeout(30)
class DialFailureLeakTest {

    private final DialingFixtures.DialEvents events = new DialingFixtures.DialEvents();

    private DialingFixtures.AcceptingServer server;

    private Transport transport;

    @BeforeEach
    void start() throws IOException {
        this.server = new DialingFixtures.AcceptingServer();
    }

    @AfterEach
    void stop() throws IOException {
        if (this.transport != null) {
            this.transport.close();
        }
        this.server.close();
    }

    @Test
    void runtimeExceptionFromTheTlsSocketFactoryClosesTheSocketAndEndsTheHandshake() throws Exception {
        this.transport = tlsTransport(() -> new IllegalStateException("injected"));

        assertThatThrownBy(() -> this.transport.roundTrip(Request.get(target())))
                .isInstanceOf(IllegalStateException.class).hasMessage("injected");

        assertThat(DialingFixtures.AcceptingServer.closedByClient(this.server.nextAccepted())).isTrue();
        assertThat(this.events.names).containsExactly("dnsStart", "dnsDone", "connectStart", "connectDone",
                "tlsHandshakeStart", "tlsHandshakeDone");
        assertThat(this.events.errors).singleElement().satisfies(e -> assertThat(e).hasRootCauseMessage("injected"));
    }

    @Test
    void errorFromTheTlsSocketFactoryClosesTheSocketAndEndsTheHandshake() throws Exception {
        this.transport = tlsTransport(() -> new InjectedError());

        assertThatThrownBy(() -> this.transport.roundTrip(Request.get(target()))).isInstanceOf(InjectedError.class);

        assertThat(DialingFixtures.AcceptingServer.closedByClient(this.server.nextAccepted())).isTrue();
        assertThat(this.events.count("tlsHandshakeStart")).isEqualTo(1);
        assertThat(this.events.count("tlsHandshakeDone")).isEqualTo(1);
    }

    @Test
    void runtimeExceptionResolvingTheTargetForSocks5ClosesTheProxySocket() throws Exception {
        Proxy proxy = new Proxy(Proxy.Type.SOCKS5, "127.0.0.1", this.server.port(), null, null);
        this.transport = new Transport(TransportConfig.builder()
                .proxyResolver(uri -> proxy)
                .dnsResolver(host -> {
                    if (host.equals("127.0.0.1")) {
                        return List.of(DialingFixtures.LOOPBACK);
                    }
                    throw new IllegalStateException("injected");
                })
                .listener(this.events)
                .build());

        assertThatThrownBy(() -> this.transport.roundTrip(Request.get("http://target.test/")))
                .isInstanceOf(IllegalStateException.class).hasMessage("injected");

        assertThat(DialingFixtures.AcceptingServer.closedByClient(this.server.nextAccepted())).isTrue();
        assertThat(this.events.names).containsExactly("dnsStart", "dnsDone", "connectStart", "connectDone",
                "dnsStart", "dnsDone");
    }

    @Test
    void runtimeExceptionFromTheResolverStillEndsTheDnsEvent() {
        this.transport = new Transport(TransportConfig.builder()
                .dnsResolver(host -> {
                    throw new IllegalStateException("injected");
                })
                .listener(this.events)
                .build());

        assertThatThrownBy(() -> this.transport.roundTrip(Request.get("http://target.test/")))
                .isInstanceOf(IllegalStateException.class);

        assertThat(this.events.names).containsExactly("dnsStart", "dnsDone");
        assertThat(this.events.errors).singleElement().satisfies(e -> assertThat(e).hasRootCauseMessage("injected"));
    }

    @Test
    void runtimeExceptionFromTheAddressFilterForSocks5ClosesTheProxySocket() throws Exception {
        Proxy proxy = new Proxy(Proxy.Type.SOCKS5, "127.0.0.1", this.server.port(), null, null);
        this.transport = new Transport(TransportConfig.builder()
                .proxyResolver(uri -> proxy)
                .dnsResolver(host -> List.of(host.equals("127.0.0.1") ? DialingFixtures.LOOPBACK
                        : InetAddress.getByAddress(host, new byte[] { 10, 0, 0, 1 })))
                .addressFilter(address -> {
                    if (address.isLoopbackAddress()) {
                        return true;
                    }
                    throw new IllegalStateException("injected");
                })
                .listener(this.events)
                .build());

        assertThatThrownBy(() -> this.transport.roundTrip(Request.get("http://target.test/")))
                .isInstanceOf(IllegalStateException.class).hasMessage("injected");

        assertThat(DialingFixtures.AcceptingServer.closedByClient(this.server.nextAccepted())).isTrue();
    }

    private String target() {
        return "https://localhost:" + this.server.port() + "/";
    }

    private Transport tlsTransport(Supplier<? extends Throwable> failure) {
        return new Transport(TransportConfig.builder()
                .sslContext(failingSocketFactory(FaultCertificates.CLIENT.sslContext(), failure), "failing")
                .dnsResolver(host -> List.of(DialingFixtures.LOOPBACK))
                .listener(this.events)
                .build());
    }

    /** An Error that is not a JVM condition, so the test can tell it apart. */
    static final class InjectedError extends Error {

        private static final long serialVersionUID = 1L;

        InjectedError() {
            super("injected");
        }
    }

    /**
     * A TLS context like {@code real}, except that layering TLS over a connected socket throws: a stand-in for
     * a broken provider or a custom socket factory with a bug.
     */
    private static SSLContext failingSocketFactory(SSLContext real, Supplier<? extends Throwable> failure) {
        SSLSocketFactory factory = new SSLSocketFactory() {
            @Override
            public Socket createSocket(Socket socket, String host, int port, boolean autoClose) {
                Throwable thrown = failure.get();
                if (thrown instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw (Error) thrown;
            }

            @Override
            public String[] getDefaultCipherSuites() {
                return real.getSocketFactory().getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return real.getSocketFactory().getSupportedCipherSuites();
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return real.getSocketFactory().createSocket(host, port);
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return real.getSocketFactory().createSocket(host, port, localHost, localPort);
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return real.getSocketFactory().createSocket(host, port);
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return real.getSocketFactory().createSocket(address, port, localAddress, localPort);
            }

            @Override
            public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
                return real.getSocketFactory().createSocket(socket, consumed, autoClose);
            }
        };
        SSLContextSpi spi = new SSLContextSpi() {
            @Override
            protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
                    throws KeyManagementException {
                throw new KeyManagementException("already initialised");
            }

            @Override
            protected SSLSocketFactory engineGetSocketFactory() {
                return factory;
            }

            @Override
            protected SSLServerSocketFactory engineGetServerSocketFactory() {
                return real.getServerSocketFactory();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine() {
                return real.createSSLEngine();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine(String host, int port) {
                return real.createSSLEngine(host, port);
            }

            @Override
            protected SSLSessionContext engineGetServerSessionContext() {
                return real.getServerSessionContext();
            }

            @Override
            protected SSLSessionContext engineGetClientSessionContext() {
                return real.getClientSessionContext();
            }
        };
        return new SSLContext(spi, real.getProvider(), real.getProtocol()) {
        };
    }
}
