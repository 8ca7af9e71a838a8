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

/**
 * {@code maxIdleConns}: when a connection going idle would exceed the global cap, the idle connection unused
 * for the longest time is closed, whichever host it belongs to.
 */
class MaxIdleConnsGlobalCapTest {

    private MockWebServer serverA;

    private MockWebServer serverB;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.serverA = okServer();
        this.serverB = okServer();
        this.transport = new Transport(TransportConfig.builder().maxIdleConns(2).maxIdleConnsPerHost(2).build());
    }

    @AfterEach
    void stop() {
        try {
            this.transport.engine().pool().checkInvariants();
        }
        finally {
            this.transport.close();
            this.serverA.close();
            this.serverB.close();
        }
    }

    @Test
    void exceedingTheGlobalCapClosesTheLeastRecentlyUsedIdleConnectionOfAnotherHost() throws Exception {
        fetch(this.transport, this.serverA, "/a"); // idle first: least recently used
        Response b1 = this.transport.roundTrip(get(this.serverB, "/b1"));
        Response b2 = this.transport.roundTrip(get(this.serverB, "/b2"));
        b1.close();
        assertThat(this.transport.stats().totals().closed(CloseReason.IDLE_GLOBAL_CAP)).isZero();

        b2.close(); // third idle connection: one over the global cap

        HostStats a = hostStats(this.transport, this.serverA);
        HostStats b = hostStats(this.transport, this.serverB);
        assertThat(a.stats().idle()).isZero();
        assertThat(a.stats().closed(CloseReason.IDLE_GLOBAL_CAP)).isEqualTo(1);
        assertThat(b.stats().idle()).isEqualTo(2);
        assertThat(b.stats().closedTotal()).isZero();
        assertThat(this.transport.stats().totals().idle()).isEqualTo(2);
    }

    @Test
    void theGloballyLeastRecentlyUsedConnectionIsClosedEvenWhenItBelongsToTheReleasingHost() throws Exception {
        Response b1 = this.transport.roundTrip(get(this.serverB, "/b1"));
        Response b2 = this.transport.roundTrip(get(this.serverB, "/b2"));
        Map<String, RecordedRequest> heldAtB = takeRequests(this.serverB, 2);
        b1.close(); // idle first: least recently used
        fetch(this.transport, this.serverA, "/a");

        b2.close(); // third idle connection: b1's connection goes, A's stays

        HostStats a = hostStats(this.transport, this.serverA);
        HostStats b = hostStats(this.transport, this.serverB);
        assertThat(a.stats().idle()).isEqualTo(1);
        assertThat(a.stats().closedTotal()).isZero();
        assertThat(b.stats().idle()).isEqualTo(1);
        assertThat(b.stats().closed(CloseReason.IDLE_GLOBAL_CAP)).isEqualTo(1);

        fetch(this.transport, this.serverB, "/next");
        RecordedRequest next = takeRequests(this.serverB, 1).get("/next");
        assertThat(next.getConnectionIndex()).isEqualTo(heldAtB.get("/b2").getConnectionIndex());
    }

    @Test
    void theHostThatLostItsIdleConnectionOpensANewOneOnItsNextRequest() throws Exception {
        fetch(this.transport, this.serverA, "/a1");
        Response b1 = this.transport.roundTrip(get(this.serverB, "/b1"));
        Response b2 = this.transport.roundTrip(get(this.serverB, "/b2"));
        b1.close();
        b2.close(); // closes A's idle connection

        fetch(this.transport, this.serverA, "/a2");

        Map<String, RecordedRequest> atA = takeRequests(this.serverA, 2);
        assertThat(atA.get("/a2").getConnectionIndex()).isNotEqualTo(atA.get("/a1").getConnectionIndex());
        assertThat(hostStats(this.transport, this.serverA).stats().opened()).isEqualTo(2);
        // A's new idle connection pushed B's least recently used one (b1) out.
        assertThat(hostStats(this.transport, this.serverB).stats().closed(CloseReason.IDLE_GLOBAL_CAP)).isEqualTo(1);
    }
}
