package io.github.pooledtransport.core.h2;

import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A Jetty 12.1 server on a loopback port, serving a handler of the test's: HTTP/2 over cleartext with prior
 * knowledge (h2c), or TLS with ALPN offering h2 and http/1.1 (or http/1.1 only). It counts the TCP connections
 * it accepted.
 */
final class JettyH2Server implements AutoCloseable {

    private final Server server = new Server();

    private final ServerConnector connector;

    private final AtomicInteger connections = new AtomicInteger();

    JettyH2Server(Handler handler) throws Exception {
        this(handler, 128);
    }

    JettyH2Server(Handler handler, int maxConcurrentStreams) throws Exception {
        this(handler, maxConcurrentStreams, null);
    }

    /**
     * @param tlsProtocols {@code null} for h2c; else TLS, with ALPN choosing among these ({@code "h2"},
     *     {@code "http/1.1"}) in the server's order of preference
     */
    JettyH2Server(Handler handler, int maxConcurrentStreams, String... tlsProtocols) throws Exception {
        if (tlsProtocols == null) {
            HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(new HttpConfiguration());
            h2c.setMaxConcurrentStreams(maxConcurrentStreams);
            this.connector = new ServerConnector(this.server, h2c);
        }
        else {
            this.connector = new ServerConnector(this.server, tls(maxConcurrentStreams, tlsProtocols));
        }
        this.connector.setHost("127.0.0.1");
        this.connector.setPort(0);
        this.connector.addEventListener(new SelectorManager.AcceptListener() {
            @Override
            public void onAccepted(java.nio.channels.SelectableChannel channel) {
                JettyH2Server.this.connections.incrementAndGet(); // TCP connections: TLS and ALPN add no count
            }
        });
        this.server.addConnector(this.connector);
        this.server.setHandler(handler);
        this.server.start();
    }

    private ConnectionFactory[] tls(int maxConcurrentStreams, String... protocols) {
        HttpConfiguration config = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // requests go to 127.0.0.1, which SNI cannot carry
        config.addCustomizer(secure);
        java.util.List<ConnectionFactory> next = new java.util.ArrayList<>();
        for (String protocol : protocols) {
            if (protocol.equals("h2")) {
                HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
                h2.setMaxConcurrentStreams(maxConcurrentStreams);
                next.add(h2);
            }
            else {
                next.add(new HttpConnectionFactory(config));
            }
        }
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(protocols);
        alpn.setDefaultProtocol("http/1.1");
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(H2Certificates.SERVER.sslContext());
        java.util.List<ConnectionFactory> all = new java.util.ArrayList<>();
        all.add(new SslConnectionFactory(ssl, alpn.getProtocol()));
        all.add(alpn);
        all.addAll(next);
        return all.toArray(new ConnectionFactory[0]);
    }

    /** @return {@code http://127.0.0.1:port} plus the path ({@code https} when the server speaks TLS) */
    String url(String path) {
        String scheme = (this.connector.getDefaultProtocol().startsWith("SSL")) ? "https" : "http";
        return scheme + "://127.0.0.1:" + this.connector.getLocalPort() + path;
    }

    /** @return the connections accepted so far */
    int connections() {
        return this.connections.get();
    }

    @Override
    public void close() throws Exception {
        this.server.stop();
    }
}
