package io.github.pooledtransport.core;

import static io.github.pooledtransport.core.PoolTestSupport.fetch;
import static io.github.pooledtransport.core.PoolTestSupport.get;
import static io.github.pooledtransport.core.PoolTestSupport.hostStats;
import static io.github.pooledtransport.core.PoolTestSupport.okServer;
import static io.github.pooledtransport.core.PoolTestSupport.takeRequests;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code maxIdleConnsPerHost}: a connection released while its host is at the idle cap is closed. */
class MaxIdleConnsPerHostTest {

    private MockWebServer server;

    private Transport transport;

    @BeforeEach
    void startServer() throws Exception {
        this.server = okServer();
    }

    @AfterEach
    void stop() {
        try {
            if (this.transport != null) {
                this.transport.engine().pool().checkInvariants();
            }
        }
        finally {
            if (this.transport != null) {
                this.transport.close();
            }
            this.server.close();
        }
    }

    @Test
    void releasingBeyondTheIdleCapClosesTheReleasedConnectionWithIdlePerHostCap() throws Exception {
        this.transport = new Transport(TransportConfig.builder().maxIdleConnsPerHost(2).build());
        Response r0 = this.transport.roundTrip(get(this.server, "/0"));
        Response r1 = this.transport.roundTrip(get(this.server, "/1"));
        Response r2 = this.transport.roundTrip(get(this.server, "/2"));

        r0.close();
        r1.close();
        assertThat(this.transport.stats().totals().closed(CloseReason.IDLE_PER_HOST_CAP)).isZero();
        r2.close();

        HostStats host = hostStats(this.transport, this.server);
        assertThat(host.maxIdleConnsPerHost()).isEqualTo(2);
        assertThat(host.stats().idle()).isEqualTo(2);
        assertThat(host.stats().active()).isZero();
        assertThat(host.stats().closed(CloseReason.IDLE_PER_HOST_CAP)).isEqualTo(1);
        assertThat(host.stats().closedTotal()).isEqualTo(1);
        assertThat(this.transport.stats().totals().closed(CloseReason.IDLE_PER_HOST_CAP)).isEqualTo(1);
    }

    @Test
    void theConnectionsKeptIdleAreTheOnesReleasedBeforeTheCapWasReached() throws Exception {
        this.transport = new Transport(TransportConfig.builder().maxIdleConnsPerHost(2).build());
        Response r0 = this.transport.roundTrip(get(this.server, "/0"));
        Response r1 = this.transport.roundTrip(get(this.server, "/1"));
        Response r2 = this.transport.roundTrip(get(this.server, "/2"));
        Map<String, RecordedRequest> held = takeRequests(this.server, 3);
        r0.close();
        r1.close();
        r2.close(); // closed: the host already has 2 idle

        Response a = this.transport.roundTrip(get(this.server, "/a"));
        Response b = this.transport.roundTrip(get(this.server, "/b"));
        Response c = this.transport.roundTrip(get(this.server, "/c"));
        Map<String, RecordedRequest> later = takeRequests(this.server, 3);
        a.close();
        b.close();
        c.close();

        assertThat(later.get("/a").getConnectionIndex()).isEqualTo(held.get("/1").getConnectionIndex());
        assertThat(later.get("/b").getConnectionIndex()).isEqualTo(held.get("/0").getConnectionIndex());
        assertThat(later.get("/c").getConnectionIndex()).isNotIn(
                held.get("/0").getConnectionIndex(), held.get("/1").getConnectionIndex(),
                held.get("/2").getConnectionIndex());
        assertThat(this.transport.stats().totals().opened()).isEqualTo(4);
        assertThat(this.transport.stats().totals().closed(CloseReason.IDLE_PER_HOST_CAP)).isEqualTo(2);
    }

    @Test
    void anIdleCapOfZeroKeepsNoConnection() throws Exception {
        this.transport = new Transport(TransportConfig.builder().maxIdleConnsPerHost(0).build());

        fetch(this.transport, this.server, "/a");
        fetch(this.transport, this.server, "/b");

        Map<String, RecordedRequest> requests = takeRequests(this.server, 2);
        assertThat(requests.get("/b").getConnectionIndex()).isNotEqualTo(requests.get("/a").getConnectionIndex());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.idle()).isZero();
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(totals.closed(CloseReason.IDLE_PER_HOST_CAP)).isEqualTo(2);
    }
}
