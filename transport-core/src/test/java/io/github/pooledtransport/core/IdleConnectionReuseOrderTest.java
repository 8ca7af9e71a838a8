package io.github.pooledtransport.core;

import static io.github.pooledtransport.core.PoolTestSupport.fetch;
import static io.github.pooledtransport.core.PoolTestSupport.get;
import static io.github.pooledtransport.core.PoolTestSupport.okServer;
import static io.github.pooledtransport.core.PoolTestSupport.takeRequests;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Idle connections of a host are handed out most recently released first (LIFO), as Go does. */
class IdleConnectionReuseOrderTest {

    private MockWebServer server;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server = okServer();
        this.transport = new Transport(TransportConfig.defaults());
    }

    @AfterEach
    void stop() {
        try {
            this.transport.engine().pool().checkInvariants();
        }
        finally {
            this.transport.close();
            this.server.close();
        }
    }

    @Test
    void idleConnectionsAreReusedMostRecentlyUsedFirst() throws Exception {
        Response r0 = this.transport.roundTrip(get(this.server, "/0"));
        Response r1 = this.transport.roundTrip(get(this.server, "/1"));
        Response r2 = this.transport.roundTrip(get(this.server, "/2"));
        Map<String, RecordedRequest> held = takeRequests(this.server, 3);
        assertThat(held.values()).extracting(RecordedRequest::getConnectionIndex).doesNotHaveDuplicates();

        r0.close();
        r2.close();
        r1.close(); // released last: the most recently used idle connection
        assertThat(this.transport.stats().totals().idle()).isEqualTo(3);

        fetch(this.transport, this.server, "/next");

        RecordedRequest next = takeRequests(this.server, 1).get("/next");
        assertThat(next.getConnectionIndex()).isEqualTo(held.get("/1").getConnectionIndex());
        assertThat(next.getExchangeIndex()).isEqualTo(1);
        assertThat(this.transport.stats().totals().opened()).isEqualTo(3);
    }

    @Test
    void idleConnectionsAreHandedOutInReverseOrderOfRelease() throws Exception {
        Response r0 = this.transport.roundTrip(get(this.server, "/0"));
        Response r1 = this.transport.roundTrip(get(this.server, "/1"));
        Response r2 = this.transport.roundTrip(get(this.server, "/2"));
        Map<String, RecordedRequest> held = takeRequests(this.server, 3);
        r1.close();
        r0.close();
        r2.close();

        // Hold each reused connection so that the next request must take the next idle one.
        Response a = this.transport.roundTrip(get(this.server, "/a"));
        Response b = this.transport.roundTrip(get(this.server, "/b"));
        Response c = this.transport.roundTrip(get(this.server, "/c"));
        Map<String, RecordedRequest> reused = takeRequests(this.server, 3);
        a.close();
        b.close();
        c.close();

        assertThat(reused.get("/a").getConnectionIndex()).isEqualTo(held.get("/2").getConnectionIndex());
        assertThat(reused.get("/b").getConnectionIndex()).isEqualTo(held.get("/0").getConnectionIndex());
        assertThat(reused.get("/c").getConnectionIndex()).isEqualTo(held.get("/1").getConnectionIndex());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(3);
        assertThat(totals.reused()).isEqualTo(3);
    }
}
