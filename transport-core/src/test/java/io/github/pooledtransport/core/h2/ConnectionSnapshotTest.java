package io.github.pooledtransport.core.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.ConnectionStats;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * {@link Transport#connections(HostKey)}: each open connection of a host with its protocol, the requests it carries
 * now and its limit, as the Actuator endpoint shows them.
 */
@Timeout(60)
class ConnectionSnapshotTest {

    private final TestHandler handler = new TestHandler();

    private JettyH2Server server;

    private Transport transport;

    @AfterEach
    void stop() throws Exception {
        this.handler.release.countDown();
        if (this.transport != null) {
            this.transport.close();
        }
        if (this.server != null) {
            this.server.close();
        }
    }

    @Test
    void anHttp2ConnectionShowsItsProtocolItsOpenStreamsAndTheServersLimit() throws Exception {
        this.server = new JettyH2Server(this.handler, 7);
        this.transport = new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C)).build());
        List<Response> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Response response = this.transport.roundTrip(Request.get(this.server.url("/stall")));
                stalled.add(response);
            }
            HostKey key = HostKey.of(URI.create(this.server.url("/")));

            List<ConnectionStats> connections = this.transport.connections(key);

            assertThat(connections).singleElement().satisfies(c -> {
                assertThat(c.protocol()).isEqualTo("HTTP/2");
                assertThat(c.idle()).isFalse();
                assertThat(c.streams()).isEqualTo(3);
                assertThat(c.streamLimit()).isEqualTo(7);
                assertThat(c.requests()).isEqualTo(3);
                assertThat(c.retiring()).isNull();
                assertThat(c.idleFor()).isEqualTo(Duration.ZERO);
            });
        }
        finally {
            for (Response response : stalled) {
                response.close();
            }
        }
    }

    @Test
    void anHttp2ConnectionWhoseStreamsEndedIsIdleWithNoStream() throws Exception {
        this.server = new JettyH2Server(this.handler);
        this.transport = new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C)).build());
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=10&seed=1")))) {
            response.body().readAllBytes();
        }

        List<ConnectionStats> connections = this.transport.connections(HostKey.of(URI.create(this.server.url("/"))));

        assertThat(connections).singleElement().satisfies(c -> {
            assertThat(c.idle()).isTrue();
            assertThat(c.streams()).isZero();
            assertThat(c.requests()).isEqualTo(1);
        });
    }

    @Test
    void http11ConnectionsEachCarryOneRequest() throws Exception {
        try (MockWebServer http1 = new MockWebServer()) {
            http1.start(InetAddress.getLoopbackAddress(), 0);
            http1.enqueue(new MockResponse.Builder().body("first, held unread").build());
            http1.enqueue(new MockResponse.Builder().body("second, held unread").build());
            this.transport = new Transport(TransportConfig.builder().build());
            String url = "http://127.0.0.1:" + http1.getPort() + "/";
            try (Response first = this.transport.roundTrip(Request.get(url));
                    Response second = this.transport.roundTrip(Request.get(url))) {
                List<ConnectionStats> connections = this.transport.connections(HostKey.of(URI.create(url)));

                assertThat(connections).hasSize(2).allSatisfy(c -> {
                    assertThat(c.protocol()).isEqualTo("HTTP/1.1");
                    assertThat(c.idle()).isFalse();
                    assertThat(c.streams()).isEqualTo(1);
                    assertThat(c.streamLimit()).isEqualTo(1);
                });
                assertThat(connections).extracting(ConnectionStats::id).doesNotHaveDuplicates();
                assertThat(first.status()).isEqualTo(200);
                assertThat(second.status()).isEqualTo(200);
            }
        }
    }

    @Test
    void aClosedConnectionLeavesTheSnapshot() throws Exception {
        this.server = new JettyH2Server(this.handler);
        this.transport = new Transport(TransportConfig.builder().protocols(EnumSet.of(Protocol.H2C)).build());
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=10&seed=1")))) {
            response.body().readAllBytes();
        }
        HostKey key = HostKey.of(URI.create(this.server.url("/")));

        this.transport.closeIdleConnections();

        assertThat(this.transport.connections(key)).isEmpty();
    }
}
