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
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * {@code maxConnLifetime}: a connection older than its lifetime (shortened by up to 10% jitter) is not
 * reused; a younger one is.
 */
class MaxConnLifetimeTest {

    private static final Duration LIFETIME = Duration.ofSeconds(100);

    /** Younger than the earliest possible jittered expiry (90% of the lifetime). */
    private static final Duration SAFELY_YOUNG = Duration.ofSeconds(89);

    private final FakeTimeSource clock = new FakeTimeSource();

    private MockWebServer server;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server = okServer();
        // No idle timeout, so that only the lifetime can retire a connection.
        this.transport = new Transport(TransportConfig.builder().maxConnLifetime(LIFETIME)
                .idleConnTimeout(Duration.ZERO).timeSource(this.clock).build());
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

    @RepeatedTest(5) // the jitter is random: the full lifetime must always be past it
    void aConnectionOlderThanItsLifetimeIsClosedWhenReleased() throws Exception {
        Response response = this.transport.roundTrip(get(this.server, "/old"));
        this.clock.advance(LIFETIME);

        response.close();

        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.closed(CloseReason.LIFETIME_EXPIRED)).isEqualTo(1);
        assertThat(totals.idle()).isZero();
        assertThat(totals.active()).isZero();
    }

    @Test
    void theRequestAfterAnExpiredConnectionWasReleasedOpensANewConnection() throws Exception {
        Response response = this.transport.roundTrip(get(this.server, "/old"));
        this.clock.advance(LIFETIME);
        response.close();

        fetch(this.transport, this.server, "/new");

        Map<String, RecordedRequest> requests = takeRequests(this.server, 2);
        assertThat(requests.get("/new").getConnectionIndex()).isNotEqualTo(requests.get("/old").getConnectionIndex());
        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
        assertThat(this.transport.stats().totals().reused()).isZero();
    }

    @RepeatedTest(5)
    void aConnectionYoungerThanItsLifetimeIsReused() throws Exception {
        fetch(this.transport, this.server, "/first");
        this.clock.advance(SAFELY_YOUNG);

        fetch(this.transport, this.server, "/second");

        Map<String, RecordedRequest> requests = takeRequests(this.server, 2);
        assertThat(requests.get("/second").getConnectionIndex())
                .isEqualTo(requests.get("/first").getConnectionIndex());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.reused()).isEqualTo(1);
        assertThat(totals.closedTotal()).isZero();
        assertThat(totals.idle()).isEqualTo(1);
    }

    @RepeatedTest(5)
    void anIdleConnectionThatOutlivedItsLifetimeIsNotHandedOut() throws Exception {
        fetch(this.transport, this.server, "/first");
        this.clock.advance(LIFETIME);

        fetch(this.transport, this.server, "/second");

        Map<String, RecordedRequest> requests = takeRequests(this.server, 2);
        assertThat(requests.get("/second").getConnectionIndex())
                .isNotEqualTo(requests.get("/first").getConnectionIndex());
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.closed(CloseReason.LIFETIME_EXPIRED)).isEqualTo(1);
        assertThat(totals.reused()).isZero();
    }

    @Test
    void theEvictorClosesIdleConnectionsThatOutlivedTheirLifetime() throws Exception {
        fetch(this.transport, this.server, "/first");
        this.clock.advance(SAFELY_YOUNG);
        assertThat(this.transport.evictExpiredIdleConnections()).isZero();

        this.clock.advance(LIFETIME.minus(SAFELY_YOUNG));

        assertThat(this.transport.evictExpiredIdleConnections()).isEqualTo(1);
        assertThat(this.transport.stats().totals().closed(CloseReason.LIFETIME_EXPIRED)).isEqualTo(1);
    }
}
