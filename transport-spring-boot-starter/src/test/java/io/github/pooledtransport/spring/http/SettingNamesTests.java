package io.github.pooledtransport.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.AcquireTimeoutException;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;

/**
 * The HTTP/2 settings a failure names become the properties that set them.
 */
class SettingNamesTests {

    private static final HostKey HOST = new HostKey("https", "api.internal", 443, null, null);

    private final SettingNames names = new SettingNames(TransportConfig.builder().build(), null, false, null);

    @Test
    void aStrictHostsStreamWaitNamesTheStrictPropertyAndTheAcquireTimeout() {
        TransportException explained = this.names.explain(
                AcquireTimeoutException.waitingForStream(HOST, Duration.ofMillis(300), 0, 1, 100, 3));

        assertThat(explained.getMessage()).contains("acquire-timeout=300 ms")
                .contains("transport.http2.strict-max-concurrent-streams=true")
                .contains("Set transport.http2.strict-max-concurrent-streams=false")
                .doesNotContain("maxConnsPerHost").doesNotContain("max-conns-per-host");
        assertThat(explained.setting()).isEqualTo("transport.http2.strict-max-concurrent-streams");
    }

    @Test
    void anUnansweredPingNamesThePingTimeoutAndTheReadIdleTimeout() {
        TransportException explained = this.names.explain(new TransportException(HOST, "The HTTP/2 connection to "
                + HOST + " did not answer a PING within http2PingTimeout=15000 ms, sent after "
                + "http2ReadIdleTimeout=30000 ms without a frame", null, "http2PingTimeout"));

        assertThat(explained.getMessage()).contains("transport.http2.ping-timeout=15000 ms")
                .contains("transport.http2.read-idle-timeout=30000 ms");
        assertThat(explained.setting()).isEqualTo("transport.http2.ping-timeout");
    }
}
