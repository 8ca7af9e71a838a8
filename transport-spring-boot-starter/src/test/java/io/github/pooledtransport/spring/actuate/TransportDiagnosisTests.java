package io.github.pooledtransport.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.HostOverrides;
import io.github.pooledtransport.core.HostStats;
import io.github.pooledtransport.core.JvmTransportStats;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportStats;

/**
 * What the diagnosis recommends for a given snapshot and, when it has them, the transport's settings: a cap set by
 * a {@code transport.hosts[...]} override is named by that override, not by the transport-wide property.
 */
class TransportDiagnosisTests {

    private static final HostKey HOST = new HostKey("http", "127.0.0.1", 8081, null, null);

    /** A burst of 50 callers on a host capped at 2 idle connections: 72 opened, 70 closed by the cap. */
    private static final TransportStats IDLE_CAP_OF_TWO = snapshot(
            pool(50, 72, 400, Map.of(CloseReason.IDLE_PER_HOST_CAP, 70L), 0), 2, 0);

    /** Ten requests gave up at a cap of 4 connections. */
    private static final TransportStats MAX_CONNS_OF_FOUR = snapshot(pool(4, 4, 100, Map.of(), 10), 256, 4);

    @Test
    void idleCapSetByHostPortOverrideIsNamedByThatOverride() {
        TransportConfig config = TransportConfig.builder().maxIdleConnsPerHost(256)
                .hostOverrides("127.0.0.1:8081", new HostOverrides(2, null, null, null)).build();

        String recommendation = finding(TransportDiagnosis.analyze(IDLE_CAP_OF_TWO, config), "idle-cap-too-small");

        assertThat(recommendation).isEqualTo("Raise transport.hosts[127.0.0.1:8081].max-idle-conns-per-host (the "
                + "override set for this host) from 2 to at least 50.");
    }

    @Test
    void idleCapSetByHostOverrideForEveryPortIsNamedByThatOverride() {
        TransportConfig config = TransportConfig.builder()
                .hostOverrides("127.0.0.1", new HostOverrides(2, null, null, null)).build();

        String recommendation = finding(TransportDiagnosis.analyze(IDLE_CAP_OF_TWO, config), "idle-cap-too-small");

        assertThat(recommendation).startsWith("Raise transport.hosts[127.0.0.1].max-idle-conns-per-host")
                .doesNotContain("transport.max-idle-conns-per-host");
    }

    @Test
    void idleCapSetForAnIpv6HostIsNamedWithTheAddressInBrackets() {
        HostKey ipv6 = new HostKey("http", "::1", 8081, null, null);
        PoolStats pool = pool(50, 72, 400, Map.of(CloseReason.IDLE_PER_HOST_CAP, 70L), 0);
        TransportStats stats = new TransportStats(pool, List.of(new HostStats(ipv6, pool, 2, 0)), false,
                new JvmTransportStats(1, 1, 0, 0));
        // The core matches host + ":" + port, IPv6 literals without brackets.
        TransportConfig config = TransportConfig.builder()
                .hostOverrides("::1:8081", new HostOverrides(2, null, null, null)).build();

        String recommendation = finding(TransportDiagnosis.analyze(stats, config), "idle-cap-too-small");

        assertThat(recommendation).startsWith("Raise transport.hosts[[::1]:8081].max-idle-conns-per-host (the");
    }

    @Test
    void idleCapNotSetByAnOverrideIsNamedByTheTransportWideProperty() {
        TransportConfig config = TransportConfig.builder().maxIdleConnsPerHost(2).build();

        String recommendation = finding(TransportDiagnosis.analyze(IDLE_CAP_OF_TWO, config), "idle-cap-too-small");

        assertThat(recommendation).startsWith("Raise transport.max-idle-conns-per-host (or, for this host only, "
                + "transport.hosts[127.0.0.1:8081].max-idle-conns-per-host) from 2 to at least 50.");
    }

    @Test
    void overrideOfAnotherSettingDoesNotClaimTheIdleCap() {
        // host:port wins over host in the lookup, and this one leaves the idle cap to the transport-wide setting.
        TransportConfig config = TransportConfig.builder().maxIdleConnsPerHost(2)
                .hostOverrides("127.0.0.1:8081", new HostOverrides(null, 10, null, null))
                .hostOverrides("127.0.0.1", new HostOverrides(5, null, null, null)).build();

        String recommendation = finding(TransportDiagnosis.analyze(IDLE_CAP_OF_TWO, config), "idle-cap-too-small");

        assertThat(recommendation).startsWith("Raise transport.max-idle-conns-per-host ");
    }

    @Test
    void idleCapWithoutTheSettingsNamesBothProperties() {
        String recommendation = finding(TransportDiagnosis.analyze(IDLE_CAP_OF_TWO), "idle-cap-too-small");

        assertThat(recommendation).isEqualTo("Raise transport.max-idle-conns-per-host (or "
                + "transport.hosts[127.0.0.1:8081].max-idle-conns-per-host) from 2 to at least 50.");
    }

    @Test
    void connectionCapSetByHostOverrideIsNamedByThatOverride() {
        TransportConfig config = TransportConfig.builder()
                .hostOverrides("127.0.0.1:8081", new HostOverrides(null, 4, null, null)).build();

        String recommendation = finding(TransportDiagnosis.analyze(MAX_CONNS_OF_FOUR, config), "acquire-timeouts");

        assertThat(recommendation).startsWith("Raise transport.hosts[127.0.0.1:8081].max-conns-per-host (the "
                + "override set for this host), or transport.acquire-timeout");
    }

    @Test
    void connectionCloseOnEveryExchangeIsNotBlamedOnTheServerAlone() {
        // The request may have asked for the close (through the Transport API), so the message names no side.
        TransportStats stats = snapshot(pool(50, 400, 400, Map.of(CloseReason.CONNECTION_CLOSE, 400L), 0), 256, 0);

        Finding finding = TransportDiagnosis.analyze(stats).stream()
                .filter(f -> f.code().equals("keep-alive-refused")).findFirst().orElseThrow();

        assertThat(finding.host()).isEqualTo("http://127.0.0.1:8081");
        assertThat(finding.message()).startsWith("400 of 400 connections to http://127.0.0.1:8081 were closed after "
                + "one response (Connection: close on the request or the response,");
        assertThat(finding.recommendation()).contains("Connection: close header set by the application");
    }

    @Test
    void requestsThatWaitedForAStreamOfAStrictHostAreAFindingNamingTheSetting() {
        PoolStats pool = new PoolStats(0, 1, 0, 0, 1, 1, 499, 500, Map.of(), 0, 0, 0, 0, 0, 0, 1, 0, 120, 3, 0);

        List<Finding> findings = TransportDiagnosis.analyze(snapshot(pool, 256, 0));

        assertThat(findings).filteredOn(f -> f.code().equals("streams-waited")).singleElement().satisfies(f -> {
            assertThat(f.host()).isEqualTo("http://127.0.0.1:8081");
            assertThat(f.message()).startsWith("120 of 500 requests to http://127.0.0.1:8081 waited for a stream of a "
                    + "full HTTP/2 connection").contains("strict-max-concurrent-streams=true").contains("3 requests");
            assertThat(f.recommendation()).contains("transport.http2.strict-max-concurrent-streams=false");
        });
    }

    @Test
    void aHostWhoseRequestsNeverWaitedForAStreamHasNoStreamFinding() {
        PoolStats pool = new PoolStats(0, 1, 0, 0, 1, 1, 499, 500, Map.of(), 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0);

        assertThat(TransportDiagnosis.analyze(snapshot(pool, 256, 0))).extracting(Finding::code)
                .doesNotContain("streams-waited");
    }

    @Test
    void leakedHttp2StreamsCountAsLeakedResponses() {
        PoolStats pool = new PoolStats(0, 1, 0, 0, 1, 1, 9, 10, Map.of(), 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2);

        List<Finding> findings = TransportDiagnosis.analyze(snapshot(pool, 256, 0));

        assertThat(findings).filteredOn(f -> f.code().equals("responses-leaked")).singleElement()
                .satisfies(f -> assertThat(f.message()).startsWith("2 responses from http://127.0.0.1:8081 were "
                        + "never closed").contains("reset their HTTP/2 streams"));
    }

    private static String finding(List<Finding> findings, String code) {
        assertThat(findings).extracting(Finding::code).contains(code);
        return findings.stream().filter(f -> f.code().equals(code)).findFirst().orElseThrow().recommendation();
    }

    private static PoolStats pool(int peakActive, long opened, long requests, Map<CloseReason, Long> closed,
            long acquireTimeouts) {
        Map<CloseReason, Long> all = new EnumMap<>(CloseReason.class);
        all.putAll(closed);
        return new PoolStats(0, 0, 0, 0, peakActive, opened, requests - opened, requests, all, acquireTimeouts);
    }

    private static TransportStats snapshot(PoolStats pool, int maxIdleConnsPerHost, int maxConnsPerHost) {
        return new TransportStats(pool, List.of(new HostStats(HOST, pool, maxIdleConnsPerHost, maxConnsPerHost)),
                false, new JvmTransportStats(1, 1, 0, 0));
    }
}
