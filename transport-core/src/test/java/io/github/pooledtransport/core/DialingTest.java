package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.internal.ConnectionPool;
import io.github.pooledtransport.core.internal.HostPool;
import io.github.pooledtransport.core.internal.Http1Connection;

/**
 * Opening connections: every resolved address is tried in order, failures name the host, and connected sockets
 * get the transport's TCP options.
 */
@Timeout(20)
class DialingTest {

    private static final InetAddress LOCALHOST_1 = address("127.0.0.1");

    private static final InetAddress LOCALHOST_3 = address("127.0.0.3");

    private final RecordingListener listener = new RecordingListener();

    private ScriptedHttpServer server;

    private Transport transport;

    @BeforeEach
    void start() throws IOException {
        this.server = ScriptedHttpServer.start(LOCALHOST_1); // 127.0.0.1 only: 127.0.0.3 refuses the same port
    }

    @AfterEach
    void stop() {
        if (this.transport != null) {
            this.transport.close();
        }
        this.server.close();
    }

    @Test
    void refusedFirstAddressFallsBackToTheNextOne() throws Exception {
        this.transport = transport(host -> List.of(LOCALHOST_3, LOCALHOST_1));

        String body = body(this.transport.roundTrip(Request.get("http://two-addresses.test:" + this.server.port() + "/a")));

        assertThat(body).isEqualTo("/a");
        assertThat(this.server.acceptedConnections()).isEqualTo(1);
        assertThat(this.server.requests()).singleElement()
                .satisfies(r -> assertThat(r.header("Host")).isEqualTo("two-addresses.test:" + this.server.port()));
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
    }

    @Test
    void connectStartAndConnectDoneFireForEveryAddressTriedTheFailedOneWithItsError() throws Exception {
        this.transport = transport(host -> List.of(LOCALHOST_3, LOCALHOST_1));

        body(this.transport.roundTrip(Request.get("http://two-addresses.test:" + this.server.port() + "/a")));

        InetSocketAddress refused = new InetSocketAddress(LOCALHOST_3, this.server.port());
        InetSocketAddress listening = new InetSocketAddress(LOCALHOST_1, this.server.port());
        assertThat(this.listener.connectStarts).containsExactly(refused, listening);
        assertThat(this.listener.connectDones).hasSize(2);
        assertThat(this.listener.connectDones.get(0).address()).isEqualTo(refused);
        assertThat(this.listener.connectDones.get(0).error()).isInstanceOf(ConnectException.class);
        assertThat(this.listener.connectDones.get(1).address()).isEqualTo(listening);
        assertThat(this.listener.connectDones.get(1).error()).isNull();
        assertThat(this.listener.names()).containsSubsequence("connectStart", "connectDone", "connectStart",
                "connectDone", "gotConn");
    }

    @Test
    void unresolvableHostFailsWithATransportExceptionNamingTheHost() {
        this.transport = transport(host -> {
            throw new UnknownHostException(host);
        });
        Request request = Request.get("http://no-such-host.invalid:8080/a");

        assertThatExceptionOfType(TransportException.class).isThrownBy(() -> this.transport.roundTrip(request))
                .withMessageContaining("no-such-host.invalid")
                .withCauseInstanceOf(UnknownHostException.class)
                .satisfies(ex -> assertThat(ex.hostKey()).isEqualTo(HostKey.of(request.uri())));

        assertThat(this.listener.dnsErrors).hasSize(1);
        assertThat(this.listener.connectStarts).isEmpty();
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isZero();
        assertThat(totals.dialing()).isZero();
        assertThat(totals.active()).isZero();
    }

    @Test
    void resolverReturningNoAddressFailsWithATransportExceptionNamingTheHost() {
        this.transport = transport(host -> List.of());

        assertThatExceptionOfType(TransportException.class)
                .isThrownBy(() -> this.transport.roundTrip(Request.get("http://empty-answer.test:8080/a")))
                .withMessageContaining("empty-answer.test");

        assertThat(this.transport.stats().totals().dialing()).isZero();
    }

    @Test
    void connectToAClosedPortFailsWithATransportExceptionNamingTheHostKey() throws Exception {
        this.transport = transport(DnsResolver.SYSTEM);
        int closedPort = closedPort();
        URI uri = URI.create("http://127.0.0.1:" + closedPort + "/a");
        HostKey key = HostKey.of(uri);

        assertThatExceptionOfType(TransportException.class).isThrownBy(() -> this.transport.roundTrip(Request.get(uri)))
                .withMessageContaining(key.toString())
                .withCauseInstanceOf(ConnectException.class)
                .satisfies(ex -> assertThat(ex.hostKey()).isEqualTo(key));

        assertThat(this.listener.connectDones).singleElement().satisfies(c -> assertThat(c.error()).isNotNull());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isZero();
        assertThat(totals.dialing()).isZero();
        assertThat(totals.requests()).isEqualTo(1);
    }

    @Test
    void connectedSocketsHaveTcpNoDelay() throws Exception {
        this.transport = transport(DnsResolver.SYSTEM);

        body(this.transport.roundTrip(Request.get(this.server.url("/a"))));

        assertThat(idleSocket().getTcpNoDelay()).isTrue();
    }

    @Test
    void connectedSocketsHaveTcpKeepAliveWhenKeepAliveIsSet() throws Exception {
        this.transport = transport(DnsResolver.SYSTEM);

        body(this.transport.roundTrip(Request.get(this.server.url("/a"))));

        assertThat(idleSocket().getKeepAlive()).isTrue();
    }

    /** The socket of the single idle connection; the pool offers no public way to reach it. */
    private Socket idleSocket() throws ReflectiveOperationException {
        ConnectionPool pool = this.transport.engine().pool();
        Field hosts = ConnectionPool.class.getDeclaredField("hosts");
        hosts.setAccessible(true);
        HostPool host = (HostPool) ((Map<?, ?>) hosts.get(pool)).values().iterator().next();
        Field idleHead = HostPool.class.getDeclaredField("idleHead");
        idleHead.setAccessible(true);
        Http1Connection connection = (Http1Connection) idleHead.get(host);
        assertThat(connection).as("idle connection").isNotNull();
        Field socket = Http1Connection.class.getDeclaredField("socket");
        socket.setAccessible(true);
        return (Socket) socket.get(connection);
    }

    private Transport transport(DnsResolver resolver) {
        return new Transport(TransportConfig.builder().dnsResolver(resolver).dialTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(5)).listener(this.listener).build());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, LOCALHOST_1)) {
            return socket.getLocalPort();
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        }
        catch (UnknownHostException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String body(Response response) throws IOException {
        try (response) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
