package io.github.pooledtransport.core.h2;

import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A Jetty 12.1 server speaking HTTP/2 over cleartext with prior knowledge (h2c) on a loopback port, serving a
 * handler of the test's; it counts the TCP connections it accepted.
 */
final class JettyH2Server implements AutoCloseable {

    private final Server server = new Server();

    private final ServerConnector connector;

    private final AtomicInteger connections = new AtomicInteger();

    JettyH2Server(Handler handler) throws Exception {
        this(handler, 128);
    }

    JettyH2Server(Handler handler, int maxConcurrentStreams) throws Exception {
        HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(new HttpConfiguration());
        h2c.setMaxConcurrentStreams(maxConcurrentStreams);
        this.connector = new ServerConnector(this.server, h2c);
        this.connector.setHost("127.0.0.1");
        this.connector.setPort(0);
        this.connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                JettyH2Server.this.connections.incrementAndGet();
            }
        });
        this.server.addConnector(this.connector);
        this.server.setHandler(handler);
        this.server.start();
    }

    /** @return {@code http://127.0.0.1:port} plus the path */
    String url(String path) {
        return "http://127.0.0.1:" + this.connector.getLocalPort() + path;
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
