package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import io.github.pooledtransport.core.ScriptedHttpServer.Action;
import io.github.pooledtransport.core.internal.SafeListener;

/**
 * The {@link TransportListener} events of a request arrive in Go's {@code httptrace} order, carry the
 * connection's identity and close reason, and a listener that throws never breaks a request.
 */
@Timeout(20)
class TransportListenerEventsTest {

    private final RecordingListener listener = new RecordingListener();

    private final Logger safeListenerLogger = (Logger) LoggerFactory.getLogger(SafeListener.class);

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private ScriptedHttpServer server;

    private Transport transport;

    @BeforeEach
    void start() throws IOException {
        this.server = ScriptedHttpServer.start();
        this.logs.start();
        this.safeListenerLogger.addAppender(this.logs);
    }

    @AfterEach
    void stop() {
        this.safeListenerLogger.detachAppender(this.logs);
        if (this.transport != null) {
            this.transport.close();
        }
        this.server.close();
    }

    @Test
    void freshConnectionReportsDialEventsBeforeGotConnAndPutIdleConnAfterTheBodyIsClosed() throws Exception {
        this.transport = transportWith(this.listener);

        Response response = this.transport.roundTrip(Request.get(this.server.url("/a")));
        List<String> beforeBody = this.listener.names();
        body(response);

        assertThat(beforeBody).containsExactly("getConn", "dnsStart", "dnsDone", "connectStart", "connectDone",
                "gotConn", "wroteHeaders", "wroteRequest", "gotFirstResponseByte");
        assertThat(this.listener.names()).containsExactly("getConn", "dnsStart", "dnsDone", "connectStart",
                "connectDone", "gotConn", "wroteHeaders", "wroteRequest", "gotFirstResponseByte", "putIdleConn");
        ConnectionInfo info = this.listener.gotConns.get(0);
        assertThat(info.reused()).isFalse();
        assertThat(info.wasIdle()).isFalse();
        assertThat(info.idleTime()).isEqualTo(Duration.ZERO);
        assertThat(this.listener.putIdle).containsExactly(info.connectionId());
        assertThat(this.listener.connectDones).singleElement().satisfies(c -> {
            assertThat(c.error()).isNull();
            assertThat(c.address().getPort()).isEqualTo(this.server.port());
        });
        assertThat(this.listener.wroteRequestErrors).isEmpty();
    }

    @Test
    void reusedConnectionReportsGotConnReusedAndIdleWithoutDialEvents() throws Exception {
        this.transport = transportWith(this.listener);
        body(this.transport.roundTrip(Request.get(this.server.url("/a"))));
        long firstId = this.listener.gotConns.get(0).connectionId();
        this.listener.clear();

        Response response = this.transport.roundTrip(Request.get(this.server.url("/b")));
        List<String> beforeBody = this.listener.names();
        body(response);

        assertThat(beforeBody).containsExactly("getConn", "gotConn", "wroteHeaders", "wroteRequest",
                "gotFirstResponseByte");
        assertThat(this.listener.names()).containsExactly("getConn", "gotConn", "wroteHeaders", "wroteRequest",
                "gotFirstResponseByte", "putIdleConn");
        ConnectionInfo info = this.listener.gotConns.get(0);
        assertThat(info.connectionId()).isEqualTo(firstId);
        assertThat(info.reused()).isTrue();
        assertThat(info.wasIdle()).isTrue();
        assertThat(this.listener.putIdle).containsExactly(firstId);
        assertThat(this.server.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void connectionClosedAfterAConnectionCloseResponseCarriesThatReason() throws Exception {
        this.server.script(r -> Action.RESPOND_WITH_CONNECTION_CLOSE);
        this.transport = transportWith(this.listener);

        body(this.transport.roundTrip(Request.get(this.server.url("/a"))));

        long id = this.listener.gotConns.get(0).connectionId();
        assertThat(this.listener.closed).containsExactly(new RecordingListener.Closed(id, CloseReason.CONNECTION_CLOSE));
        assertThat(this.listener.putIdle).isEmpty();
        assertThat(this.listener.names()).last().isEqualTo("connectionClosed");
        assertThat(this.transport.stats().totals().closed(CloseReason.CONNECTION_CLOSE)).isEqualTo(1);
    }

    @Test
    void connectionClosedForAStaleIdleConnectionCarriesServerClosed() throws Exception {
        this.server.closeAfterResponses(1);
        this.transport = new Transport(TransportConfig.builder().staleCheckAfterIdle(Duration.ZERO)
                .readTimeout(Duration.ofSeconds(5)).listener(this.listener).build());
        body(this.transport.roundTrip(Request.get(this.server.url("/a"))));
        long staleId = this.listener.gotConns.get(0).connectionId();
        this.server.awaitConnectionEnded(1);
        this.listener.clear();

        body(this.transport.roundTrip(Request.get(this.server.url("/b"))));

        assertThat(this.listener.closed).containsExactly(new RecordingListener.Closed(staleId, CloseReason.SERVER_CLOSED));
        assertThat(this.listener.names()).startsWith("getConn", "connectionClosed", "dnsStart");
    }

    @Test
    void connectionClosedByCloseIdleConnectionsCarriesIdleClosed() throws Exception {
        this.transport = transportWith(this.listener);
        body(this.transport.roundTrip(Request.get(this.server.url("/a"))));
        long id = this.listener.gotConns.get(0).connectionId();

        assertThat(this.transport.closeIdleConnections()).isEqualTo(1);

        assertThat(this.listener.closed).containsExactly(new RecordingListener.Closed(id, CloseReason.IDLE_CLOSED));
    }

    @Test
    void listenerThatThrowsFromEveryEventDoesNotBreakRequests() throws Exception {
        this.transport = transportWith(new ThrowingListener());

        assertThat(body(this.transport.roundTrip(Request.get(this.server.url("/a"))))).isEqualTo("/a");
        assertThat(body(this.transport.roundTrip(Request.get(this.server.url("/b"))))).isEqualTo("/b");

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(1);
        assertThat(totals.idle()).isEqualTo(1);
        assertThat(totals.active()).isZero();
        assertThat(this.server.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void listenerThatThrowsIsLoggedOnceAsAWarning() throws Exception {
        this.transport = transportWith(new ThrowingListener());

        body(this.transport.roundTrip(Request.get(this.server.url("/a"))));
        body(this.transport.roundTrip(Request.get(this.server.url("/b"))));
        this.transport.closeIdleConnections(); // connectionClosed throws too

        assertThat(this.logs.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains(ThrowingListener.class.getName());
            assertThat(event.getThrowableProxy()).isNotNull();
        });
    }

    @Test
    void listenersAfterAThrowingOneStillReceiveEveryEvent() throws Exception {
        this.transport = new Transport(TransportConfig.builder().readTimeout(Duration.ofSeconds(5))
                .listener(new ThrowingListener()).listener(this.listener).build());

        body(this.transport.roundTrip(Request.get(this.server.url("/a"))));

        assertThat(this.listener.names()).containsExactly("getConn", "dnsStart", "dnsDone", "connectStart",
                "connectDone", "gotConn", "wroteHeaders", "wroteRequest", "gotFirstResponseByte", "putIdleConn");
    }

    @Test
    void listenerAddedAfterCreationHearsTheNextRequestAfterTheConfiguredOne() throws Exception {
        RecordingListener configured = new RecordingListener();
        this.transport = transportWith(configured);
        body(this.transport.roundTrip(Request.get(this.server.url("/before"))));

        this.transport.addListener(this.listener);
        body(this.transport.roundTrip(Request.get(this.server.url("/after"))));

        assertThat(this.listener.names()).containsExactly("getConn", "gotConn", "wroteHeaders", "wroteRequest",
                "gotFirstResponseByte", "putIdleConn");
        assertThat(configured.names()).hasSize(10 + 6);
    }

    private Transport transportWith(TransportListener l) {
        return new Transport(TransportConfig.builder().readTimeout(Duration.ofSeconds(5)).listener(l).build());
    }

    private static String body(Response response) throws IOException {
        try (response) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Throws from every event. */
    static final class ThrowingListener implements TransportListener {

        private static RuntimeException boom(String event) {
            return new IllegalStateException("listener failure in " + event);
        }

        @Override
        public void getConn(HostKey key) {
            throw boom("getConn");
        }

        @Override
        public void gotConn(HostKey key, ConnectionInfo info) {
            throw boom("gotConn");
        }

        @Override
        public void dnsStart(String host) {
            throw boom("dnsStart");
        }

        @Override
        public void dnsDone(String host, List<java.net.InetAddress> addresses, IOException error) {
            throw boom("dnsDone");
        }

        @Override
        public void connectStart(java.net.InetSocketAddress address) {
            throw boom("connectStart");
        }

        @Override
        public void connectDone(java.net.InetSocketAddress address, IOException error) {
            throw boom("connectDone");
        }

        @Override
        public void tlsHandshakeStart(HostKey key) {
            throw boom("tlsHandshakeStart");
        }

        @Override
        public void tlsHandshakeDone(HostKey key, String protocol, String cipherSuite, IOException error) {
            throw boom("tlsHandshakeDone");
        }

        @Override
        public void wroteHeaders(HostKey key) {
            throw boom("wroteHeaders");
        }

        @Override
        public void wroteRequest(HostKey key, IOException error) {
            throw boom("wroteRequest");
        }

        @Override
        public void gotFirstResponseByte(HostKey key) {
            throw boom("gotFirstResponseByte");
        }

        @Override
        public void putIdleConn(HostKey key, long connectionId) {
            throw boom("putIdleConn");
        }

        @Override
        public void connectionClosed(HostKey key, long connectionId, CloseReason reason) {
            throw boom("connectionClosed");
        }
    }
}
