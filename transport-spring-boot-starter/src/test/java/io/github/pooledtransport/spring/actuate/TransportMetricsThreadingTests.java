package io.github.pooledtransport.spring.actuate;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

import io.github.pooledtransport.core.ConnectionInfo;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Transport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events may arrive on threads other than the caller's: the timers record the durations the transport measured,
 * whatever thread delivers the event, and keep no state between two events.
 */
class TransportMetricsThreadingTests {

    private final MeterRegistry registry = new SimpleMeterRegistry();

    private final TransportMetrics metrics = new TransportMetrics(
            new StaticListableBeanFactory().getBeanProvider(Transport.class), 10);

    TransportMetricsThreadingTests() {
        this.metrics.bindTo(this.registry);
    }

    @Test
    void acquireTimeIsTheWaitTheTransportMeasuredEvenWhenGotConnArrivesOnAnotherThread() throws Exception {
        HostKey key = HostKey.of(java.net.URI.create("http://127.0.0.1:8080/"));
        this.metrics.getConn(key);
        Thread other = new Thread(() -> this.metrics.gotConn(key,
                new ConnectionInfo(1, false, false, Duration.ZERO, Duration.ofMillis(250))));
        other.start();
        other.join();
        Timer acquire = this.registry.get("transport.pool.acquire").tag("host", key.toString()).timer();
        assertThat(acquire.count()).isEqualTo(1);
        assertThat(acquire.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250.0);
    }

    @Test
    void dialTimeIsTheElapsedTimeOfTheConnectWhateverThreadReportsIt() throws Exception {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", 8080);
        this.metrics.connectStart(address);
        HostKey key = HostKey.of(java.net.URI.create("http://127.0.0.1:8080/"));
        Thread other = new Thread(() -> this.metrics.connectDone(key, address, null, Duration.ofMillis(40)));
        other.start();
        other.join();
        Timer dial = this.registry.get("transport.connect").tag("host", key.toString()).tag("outcome", "success")
                .timer();
        assertThat(dial.count()).isEqualTo(1);
        assertThat(dial.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40.0);
    }
}
