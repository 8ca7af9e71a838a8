package io.github.pooledtransport.spring.actuate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.HostOverrides;
import io.github.pooledtransport.core.HostStats;
import io.github.pooledtransport.core.JvmTransportStats;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportStats;

/**
 * Reads a {@link TransportStats} snapshot for the known ways a connection pool fails (each of them turns requests
 * into new TCP connections, and most leave a TIME_WAIT socket per closed connection) and says what to change.
 * Given the transport's {@link TransportConfig}, a recommendation names the property that set a cap for a host:
 * its {@code transport.hosts[...]} override, or the transport-wide setting.
 */
public final class TransportDiagnosis {

    /** A server closing at least this share of connections after a response is "refusing keep-alive". */
    private static final double REFUSED_SHARE = 0.5;

    /** ...and at least this many times, so that one Connection: close does not raise a finding. */
    private static final long REFUSED_MIN = 10;

    private TransportDiagnosis() {
    }

    /**
     * Analyzes a snapshot without the settings it came from: a recommendation to raise a host's cap then names
     * both the transport-wide property and the per-host override, since it cannot tell which one set the cap.
     *
     * @param stats a snapshot
     * @return the findings, most specific first; empty when the pool looks healthy
     */
    public static List<Finding> analyze(TransportStats stats) {
        return analyze(stats, null);
    }

    /**
     * Analyzes a snapshot with the settings of the transport it came from, so that a recommendation to raise a
     * host's cap names the one property that set it.
     *
     * @param stats a snapshot
     * @param config the settings of the transport the snapshot was taken from ({@link
     *     io.github.pooledtransport.core.Transport#config()}), or {@code null} when unknown
     * @return the findings, most specific first; empty when the pool looks healthy
     */
    public static List<Finding> analyze(TransportStats stats, TransportConfig config) {
        List<Finding> findings = new ArrayList<>();
        for (HostStats host : stats.hosts()) {
            analyzeHost(host, config, findings);
        }
        PoolStats totals = stats.totals();
        long globalCap = totals.closed(CloseReason.IDLE_GLOBAL_CAP);
        if (globalCap > 0) {
            findings.add(new Finding("global-idle-cap-too-small", null, String.format(
                    "%d idle connections were closed because the pool held transport.max-idle-conns idle "
                            + "connections across all hosts; the hosts together peaked at %d concurrent requests.",
                    globalCap, totals.peakActive()),
                    "Raise transport.max-idle-conns to at least " + totals.peakActive() + "."));
        }
        long disabled = totals.closed(CloseReason.KEEP_ALIVE_DISABLED);
        if (disabled > 0) {
            findings.add(new Finding("keep-alive-disabled", null, String.format(
                    "Keep-alives are disabled: %d connections were used for one request each and closed, so every "
                            + "request opened its own connection (and each close leaves a TIME_WAIT socket on the side "
                            + "that closed first).", disabled),
                    "Set transport.disable-keep-alives=false unless a server really mishandles persistent "
                            + "connections."));
        }
        JvmTransportStats jvm = stats.jvm();
        if (jvm.created() > 1) {
            findings.add(new Finding("multiple-transports", null, String.format(
                    "%d transports were created in this JVM (%d open, %d closed or discarded within a minute of "
                            + "their creation). Each one starts with an empty pool.", jvm.created(), jvm.open(),
                    jvm.shortLived()),
                    "Inject the application's single Transport bean (or a RestClient.Builder) instead of creating "
                            + "transports or request factories per call."));
        }
        return findings;
    }

    private static void analyzeHost(HostStats host, TransportConfig config, List<Finding> findings) {
        PoolStats s = host.stats();
        String key = host.key().toString();
        long capClosed = s.closed(CloseReason.IDLE_PER_HOST_CAP);
        if (capClosed > 0 && s.opened() > host.maxIdleConnsPerHost()) {
            int target = Math.max(s.peakActive(), host.maxIdleConnsPerHost() + 1);
            findings.add(new Finding("idle-cap-too-small", key, String.format(
                    "%d connections to %s were closed because %d were already idle (max-idle-conns-per-host), "
                            + "while requests kept opening new ones: %d opened for %d requests, peak concurrency %d.",
                    capClosed, key, host.maxIdleConnsPerHost(), s.opened(), s.requests(), s.peakActive()),
                    String.format("Raise %s from %d to at least %d.", capProperty(config, host.key(),
                            "max-idle-conns-per-host", HostOverrides::maxIdleConnsPerHost), host.maxIdleConnsPerHost(),
                            target)));
        }
        long notConsumed = s.closed(CloseReason.BODY_NOT_CONSUMED);
        if (notConsumed > 0) {
            findings.add(new Finding("bodies-not-consumed", key, String.format(
                    "%d connections to %s were closed because responses were closed with more than "
                            + "transport.drain-on-close bytes unread.", notConsumed, key),
                    "Read response bodies to the end (or do not request what you do not read); raise "
                            + "transport.drain-on-close if the unread remainders are only slightly larger."));
        }
        if (s.leaked() > 0) {
            findings.add(new Finding("responses-leaked", key, String.format(
                    "%d responses from %s were never closed; the garbage collector found them, closed their "
                            + "HTTP/1.1 connections and reset their HTTP/2 streams.", s.leaked(), key),
                    "Close every response (try-with-resources, or let RestClient read the body); set "
                            + "transport.leak-detection=with-stack-traces to log where they were obtained."));
        }
        if (s.streamWaits() > 0) {
            findings.add(new Finding("streams-waited", key, String.format(
                    "%d of %d requests to %s waited for a stream of a full HTTP/2 connection instead of opening "
                            + "another (transport.http2.strict-max-concurrent-streams=true); %d requests to it gave "
                            + "up after acquire-timeout.", s.streamWaits(), s.requests(), key, s.streamWaitTimeouts()),
                    "Set transport.http2.strict-max-concurrent-streams=false to open another connection when the "
                            + "server's stream limit is reached, or raise the server's SETTINGS_MAX_CONCURRENT_STREAMS."));
        }
        long serverClose = s.closed(CloseReason.CONNECTION_CLOSE);
        if (serverClose >= REFUSED_MIN && serverClose >= REFUSED_SHARE * s.requests()) {
            findings.add(new Finding("keep-alive-refused", key, String.format(
                    "%d of %d connections to %s were closed after one response (Connection: close on the request "
                            + "or the response, HTTP/1.0 or a close-delimited body), so most requests open a new "
                            + "connection.", serverClose, s.requests(), key),
                    "Enable keep-alive on the server (or the load balancer in front of it), or check for a "
                            + "Connection: close header set by the application."));
        }
        if (s.acquireTimeouts() > 0) {
            findings.add(new Finding("acquire-timeouts", key, String.format(
                    "%d requests to %s gave up waiting for a connection: max-conns-per-host %d was reached "
                            + "(peak active %d).", s.acquireTimeouts(), key, host.maxConnsPerHost(), s.peakActive()),
                    "Raise " + capProperty(config, host.key(), "max-conns-per-host", HostOverrides::maxConnsPerHost)
                            + ", or transport.acquire-timeout; check that every response is closed."));
        }
    }

    /**
     * Names the property that set a per-host cap: the host's {@code transport.hosts[...]} override when one sets
     * it, else the transport-wide property. Looks the override up as {@link TransportConfig#overridesFor} does
     * ({@code host:port}, then {@code host}) because the property name needs the key that matched.
     */
    private static String capProperty(TransportConfig config, HostKey key, String property,
            Function<HostOverrides, Integer> setting) {
        String global = "transport." + property;
        String perHost = "transport.hosts[" + key.authority() + "]." + property;
        if (config == null) {
            return global + " (or " + perHost + ")";
        }
        Map<String, HostOverrides> overrides = config.hostOverrides();
        String exact = key.host() + ":" + key.port();
        // Named as a user writes the key: an IPv6 literal in brackets.
        String matched = overrides.containsKey(exact) ? key.authority()
                : overrides.containsKey(key.host()) ? bracketed(key.host()) : null;
        HostOverrides override = overrides.containsKey(exact) ? overrides.get(exact) : overrides.get(key.host());
        if (matched != null && setting.apply(override) != null) {
            return "transport.hosts[" + matched + "]." + property + " (the override set for this host)";
        }
        return global + " (or, for this host only, " + perHost + ")";
    }

    private static String bracketed(String host) {
        return (host.indexOf(':') >= 0) ? "[" + host + "]" : host;
    }
}
