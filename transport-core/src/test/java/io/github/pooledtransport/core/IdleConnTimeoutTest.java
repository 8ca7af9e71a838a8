package io.github.pooledtransport.core;

import static io.github.pooledtransport.core.PoolTestSupport.fetch;
import static io.github.pooledtransport.core.PoolTestSupport.get;
import static io.github.pooledtransport.core.PoolTestSupport.okServer;
import static io.github.pooledtransport.core.PoolTestSupport.takeRequests;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code idleConnTimeout}: idle connections are closed once they sat idle that long, and never reused after. */
class IdleConnTimeoutTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final FakeTimeSource clock = new FakeTimeSource();

    private MockWebServer server;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server = okServer();
        this.transport = new Transport(
                TransportConfig.builder().idleConnTimeout(IDLE_TIMEOUT).timeSource(this.clock).build());
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
    void nothingIsEvictedBeforeTheIdleTimeout() throws Exception {
        fetch(this.transport, this.server, "/a");

        this.clock.advance(IDLE_TIMEOUT.minusNanos(1));

        assertThat(this.transport.evictExpiredIdleConnections()).isZero();
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.idle()).isEqualTo(1);
        assertThat(totals.closedTotal()).isZero();
    }

    @Test
    void idleConnectionsAreEvictedWithIdleTimeoutOnceTheTimeoutPassed() throws Exception {
        Response r0 = this.transport.roundTrip(get(this.server, "/0"));
        Response r1 = this.transport.roundTrip(get(this.server, "/1"));
        r0.close();
        r1.close();

        this.clock.advance(IDLE_TIMEOUT);

        assertThat(this.transport.evictExpiredIdleConnections()).isEqualTo(2);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.idle()).isZero();
        assertThat(totals.closed(CloseReason.IDLE_TIMEOUT)).isEqualTo(2);
        assertThat(totals.closedTotal()).isEqualTo(2);
    }

    @Test
    void theIdleClockStartsAtReleaseSoOnlyConnectionsIdleLongEnoughAreEvicted() throws Exception {
        Response older = this.transport.roundTrip(get(this.server, "/older"));
        Response younger = this.transport.roundTrip(get(this.server, "/younger"));
        older.close();
        this.clock.advance(Duration.ofSeconds(10));
        younger.close();

        this.clock.advance(IDLE_TIMEOUT.minusSeconds(10));

        assertThat(this.transport.evictExpiredIdleConnections()).isEqualTo(1);
        Map<String, RecordedRequest> held = takeRequests(this.server, 2);
        fetch(this.transport, this.server, "/next");
        RecordedRequest next = takeRequests(this.server, 1).get("/next");
        assertThat(next.getConnectionIndex()).isEqualTo(held.get("/younger").getConnectionIndex());
        assertThat(this.transport.stats().totals().closed(CloseReason.IDLE_TIMEOUT)).isEqualTo(1);
    }

    @Test
    void anExpiredIdleConnectionIsNeverHandedOutEvenBeforeTheEvictorRan() throws Exception {
        fetch(this.transport, this.server, "/first");
        this.clock.advance(IDLE_TIMEOUT);

        fetch(this.transport, this.server, "/second");

        Map<String, RecordedRequest> requests = takeRequests(this.server, 2);
        assertThat(requests.get("/second").getConnectionIndex())
                .isNotEqualTo(requests.get("/first").getConnectionIndex());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(totals.reused()).isZero();
        assertThat(totals.closed(CloseReason.IDLE_TIMEOUT)).isEqualTo(1);
        assertThat(totals.idle()).isEqualTo(1);
    }

    @Test
    void anIdleConnectionReusedBeforeTheTimeoutRestartsItsIdleClockWhenReleasedAgain() throws Exception {
        fetch(this.transport, this.server, "/first");
        this.clock.advance(IDLE_TIMEOUT.minusSeconds(1));
        fetch(this.transport, this.server, "/second"); // reused, idle again from now

        this.clock.advance(Duration.ofSeconds(2));

        assertThat(this.transport.evictExpiredIdleConnections()).isZero();
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(1);
        assertThat(totals.idle()).isEqualTo(1);
    }

    @Test
    void aZeroIdleTimeoutKeepsIdleConnectionsIndefinitely() throws Exception {
        this.transport.close();
        this.transport = new Transport(
                TransportConfig.builder().idleConnTimeout(Duration.ZERO).timeSource(this.clock).build());
        fetch(this.transport, this.server, "/a");

        this.clock.advance(Duration.ofDays(365));

        assertThat(this.transport.evictExpiredIdleConnections()).isZero();
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
    }
}
