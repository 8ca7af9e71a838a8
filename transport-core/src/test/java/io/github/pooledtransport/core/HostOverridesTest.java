package io.github.pooledtransport.core;

import static io.github.pooledtransport.core.PoolTestSupport.fetch;
import static io.github.pooledtransport.core.PoolTestSupport.get;
import static io.github.pooledtransport.core.PoolTestSupport.hostStats;
import static io.github.pooledtransport.core.PoolTestSupport.okServer;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-host overrides replace the transport-wide caps and timeouts for the matching host only. */
class HostOverridesTest {

    private final FakeTimeSource clock = new FakeTimeSource();

    private MockWebServer overridden;

    private MockWebServer other;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.overridden = okServer();
        this.other = okServer();
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
            this.overridden.close();
            this.other.close();
        }
    }

    @Test
    void hostPortOverridesChangeTheCapsShownForThatHostOnly() throws Exception {
        this.transport = new Transport(TransportConfig.builder().maxIdleConnsPerHost(10).maxConnsPerHost(20)
                .hostOverrides("127.0.0.1:" + this.overridden.getPort(), new HostOverrides(3, 5, null, null))
                .build());

        fetch(this.transport, this.overridden, "/");
        fetch(this.transport, this.other, "/");

        HostStats overriddenStats = hostStats(this.transport, this.overridden);
        HostStats otherStats = hostStats(this.transport, this.other);
        assertThat(overriddenStats.maxIdleConnsPerHost()).isEqualTo(3);
        assertThat(overriddenStats.maxConnsPerHost()).isEqualTo(5);
        assertThat(otherStats.maxIdleConnsPerHost()).isEqualTo(10);
        assertThat(otherStats.maxConnsPerHost()).isEqualTo(20);
    }

    @Test
    void aNullOverrideComponentKeepsTheTransportWideValue() throws Exception {
        this.transport = new Transport(TransportConfig.builder().maxIdleConnsPerHost(10).maxConnsPerHost(20)
                .hostOverrides("127.0.0.1:" + this.overridden.getPort(), new HostOverrides(null, 5, null, null))
                .build());

        fetch(this.transport, this.overridden, "/");

        HostStats stats = hostStats(this.transport, this.overridden);
        assertThat(stats.maxIdleConnsPerHost()).isEqualTo(10);
        assertThat(stats.maxConnsPerHost()).isEqualTo(5);
    }

    @Test
    void anOverriddenIdleCapIsEnforcedForThatHostOnly() throws Exception {
        this.transport = new Transport(TransportConfig.builder()
                .hostOverrides("127.0.0.1:" + this.overridden.getPort(), new HostOverrides(1, null, null, null))
                .build());

        releaseTwoConcurrentConnections(this.overridden);
        releaseTwoConcurrentConnections(this.other);

        HostStats overriddenStats = hostStats(this.transport, this.overridden);
        HostStats otherStats = hostStats(this.transport, this.other);
        assertThat(overriddenStats.stats().idle()).isEqualTo(1);
        assertThat(overriddenStats.stats().closed(CloseReason.IDLE_PER_HOST_CAP)).isEqualTo(1);
        assertThat(otherStats.stats().idle()).isEqualTo(2);
        assertThat(otherStats.stats().closedTotal()).isZero();
    }

    @Test
    void anOverriddenIdleTimeoutAppliesToThatHostOnly() throws Exception {
        this.transport = new Transport(TransportConfig.builder().idleConnTimeout(Duration.ofSeconds(90))
                .timeSource(this.clock)
                .hostOverrides("127.0.0.1:" + this.overridden.getPort(),
                        new HostOverrides(null, null, Duration.ofSeconds(10), null))
                .build());
        fetch(this.transport, this.overridden, "/");
        fetch(this.transport, this.other, "/");

        this.clock.advance(Duration.ofSeconds(10));

        assertThat(this.transport.evictExpiredIdleConnections()).isEqualTo(1);
        assertThat(hostStats(this.transport, this.overridden).stats().closed(CloseReason.IDLE_TIMEOUT)).isEqualTo(1);
        assertThat(hostStats(this.transport, this.other).stats().idle()).isEqualTo(1);
    }

    @Test
    void aHostOnlyOverrideAppliesToEveryPortOfThatHost() throws Exception {
        this.transport = new Transport(TransportConfig.builder()
                .hostOverrides("127.0.0.1", new HostOverrides(3, 5, null, null)).build());

        fetch(this.transport, this.overridden, "/");
        fetch(this.transport, this.other, "/");

        assertThat(this.transport.stats().hosts()).hasSize(2).allSatisfy(host -> {
            assertThat(host.maxIdleConnsPerHost()).isEqualTo(3);
            assertThat(host.maxConnsPerHost()).isEqualTo(5);
        });
    }

    @Test
    void aHostPortOverrideTakesPrecedenceOverAHostOnlyOverride() throws Exception {
        this.transport = new Transport(TransportConfig.builder()
                .hostOverrides("127.0.0.1", new HostOverrides(3, 5, null, null))
                .hostOverrides("127.0.0.1:" + this.overridden.getPort(), new HostOverrides(7, 9, null, null))
                .build());

        fetch(this.transport, this.overridden, "/");
        fetch(this.transport, this.other, "/");

        assertThat(hostStats(this.transport, this.overridden).maxIdleConnsPerHost()).isEqualTo(7);
        assertThat(hostStats(this.transport, this.overridden).maxConnsPerHost()).isEqualTo(9);
        assertThat(hostStats(this.transport, this.other).maxIdleConnsPerHost()).isEqualTo(3);
        assertThat(hostStats(this.transport, this.other).maxConnsPerHost()).isEqualTo(5);
    }

    private void releaseTwoConcurrentConnections(MockWebServer server) throws Exception {
        Response a = this.transport.roundTrip(get(server, "/a"));
        Response b = this.transport.roundTrip(get(server, "/b"));
        a.close();
        b.close();
    }
}
