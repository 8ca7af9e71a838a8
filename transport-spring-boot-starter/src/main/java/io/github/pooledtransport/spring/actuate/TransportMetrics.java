package io.github.pooledtransport.spring.actuate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.ConnectionInfo;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.HostStats;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportListener;

/**
 * Micrometer meters of the pool, named by Micrometer's conventions (dot-separated, the unit only in the base
 * unit: connections are counted in {@code connections}, requests in {@code requests}), registered per host the
 * first time a request goes to it. Gauges and counters read that host's counters ({@link Transport#hostStats},
 * O(1)), never walk connections. Hosts beyond the tag limit share the host tag {@code other}. The timers record
 * durations the transport measured and passes with its events; nothing is kept between events, which may come
 * from other threads. Every meter is listed in {@code docs/actuator.md}.
 */
public class TransportMetrics implements MeterBinder, TransportListener {

    static final String OTHER = "other";

    static final String CONNECTIONS = "connections";

    /** The host tag of transport-wide meters. */
    static final String ALL_HOSTS = "all";

    static final String REQUESTS = "requests";

    private final Supplier<Transport> transport;

    /** The {@code name} tag: the transport's bean name. */
    private final String name;

    private final int maxHostTags;

    private final Map<HostKey, String> hostTags = new ConcurrentHashMap<>();

    /** Hosts with a tag of their own (not {@code other}); guarded by {@code hostTags}' monitor. */
    private int ownTags;

    /** The final counts of hosts tagged {@code other} whose entries expired, so those counters never go down. */
    private volatile PoolStats retiredOther;

    private volatile MeterRegistry registry;

    private volatile boolean otherRegistered;

    private volatile boolean globalRegistered;

    /** Observations tag hosts as these meters do: an expired host's observation timers go with its meters. */
    private volatile boolean observationsShareHostTags;

    /**
     * @param transport the shared transport, resolved when meters are read
     * @param maxHostTags the most distinct host tag values
     */
    public TransportMetrics(ObjectProvider<Transport> transport, int maxHostTags) {
        this(transport::getIfAvailable, TransportEndpoint.DEFAULT_NAME, maxHostTags);
        this.observationsShareHostTags = true; // the one transport, whose calls the observations see
    }

    /**
     * Meters of one of several transports, told apart by the {@code name} tag.
     *
     * @param transport the transport
     * @param name its bean name, the {@code name} tag of its meters
     * @param maxHostTags the most distinct host tag values of this transport
     */
    public TransportMetrics(Transport transport, String name, int maxHostTags) {
        this(() -> transport, name, maxHostTags);
    }

    private TransportMetrics(Supplier<Transport> transport, String name, int maxHostTags) {
        this.transport = transport;
        this.name = name;
        this.maxHostTags = maxHostTags;
    }

    /** Observations of this transport's calls take their host tags from here (see {@link #hostTag}). */
    void shareHostTagsWithObservations() {
        this.observationsShareHostTags = true;
    }

    /** @return the transport measured, or {@code null} while it is not created */
    Transport transport() {
        return this.transport.get();
    }

    /** @return the {@code name} tag of this transport's meters */
    public String name() {
        return this.name;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Transport t;
        try {
            t = this.transport.get();
        }
        catch (org.springframework.beans.BeansException ex) {
            return; // not created yet: its hosts register on their first request
        }
        if (t != null) {
            t.stats().hosts().forEach(h -> hostTag(h.key()));
        }
    }

    @Override
    public void getConn(HostKey key) {
        hostTag(key);
    }

    /** The wait comes measured with the event: events may arrive on other threads, so nothing is kept between. */
    @Override
    public void gotConn(HostKey key, ConnectionInfo info) {
        MeterRegistry r = this.registry;
        if (r != null) {
            Timer.builder("transport.pool.acquire").description("Time a request waited for a connection, dialing "
                    + "included").tag("host", hostTag(key)).tag("name", this.name).register(r).record(info.waited());
        }
    }

    @Override
    public void dnsDone(HostKey key, String host, java.util.List<java.net.InetAddress> addresses,
            java.io.IOException error, java.time.Duration elapsed) {
        step("transport.dns", "Time to resolve a host name for a connection", key, error, elapsed);
    }

    @Override
    public void connectDone(HostKey key, java.net.InetSocketAddress address, java.io.IOException error,
            java.time.Duration elapsed) {
        step("transport.connect", "Time to open a TCP connection, per address tried", key, error, elapsed);
    }

    @Override
    public void tlsHandshakeDone(HostKey key, String protocol, String cipherSuite, java.io.IOException error,
            java.time.Duration elapsed) {
        step("transport.tls.handshake", "Time of a TLS handshake", key, error, elapsed);
    }

    private void step(String name, String description, HostKey key, java.io.IOException error,
            java.time.Duration elapsed) {
        MeterRegistry r = this.registry;
        if (r != null) {
            Timer.builder(name).description(description).tag("host", hostTag(key)).tag("name", this.name)
                    .tag("outcome", (error == null) ? "success" : "error").register(r).record(elapsed);
        }
    }

    /**
     * A host key's entry expired in the pool: its meters go (every {@code transport.*} meter with its host tag:
     * the pool's, the dial steps' timers and the connection observations') and its tag slot frees up. A host
     * tagged {@code other} leaves its final counts to the {@code other} counters, so they never go down. If the
     * key is called again, its meters come back from 0.
     */
    @Override
    public void hostRemoved(HostStats last) {
        HostKey key = last.key();
        MeterRegistry r = this.registry;
        synchronized (this.hostTags) {
            Transport t = this.transport.get();
            if (t != null && t.hostStats(key) != null) {
                return; // a request made a new entry for the key since: its meters are live again
            }
            String tag = this.hostTags.remove(key);
            if (tag == null) {
                return;
            }
            if (tag.equals(OTHER)) {
                this.retiredOther = add(this.retiredOther, last.stats());
                return;
            }
            this.ownTags--;
            if (r != null) {
                for (io.micrometer.core.instrument.Meter meter : r.getMeters()) {
                    if (meter.getId().getName().startsWith("transport.") && tag.equals(meter.getId().getTag("host"))
                            && isOwn(meter.getId().getTag("name"))) {
                        r.remove(meter);
                    }
                }
            }
        }
    }

    /** A meter is this transport's by its name tag; the observation timers have none and share the tags. */
    private boolean isOwn(String nameTag) {
        return (nameTag != null) ? nameTag.equals(this.name) : this.observationsShareHostTags;
    }

    /**
     * The {@code host} tag of a host key, registering its meters the first time: the key itself, or
     * {@code other} beyond the tag limit.
     *
     * @param key the host key
     * @return its tag
     */
    public String hostTag(HostKey key) {
        String tag = this.hostTags.get(key);
        if (tag != null) {
            return tag;
        }
        MeterRegistry r = this.registry;
        if (r == null) {
            return key.toString();
        }
        synchronized (this.hostTags) { // registration only, once per host: no I/O
            tag = this.hostTags.get(key);
            if (tag == null) {
                tag = (this.ownTags < this.maxHostTags) ? key.toString() : OTHER;
                if (!tag.equals(OTHER)) {
                    this.ownTags++;
                }
                this.hostTags.put(key, tag);
                if (!tag.equals(OTHER)) {
                    register(r, Tags.of("host", tag, "name", this.name), transport -> transport.hostStats(key), true);
                }
                else if (!this.otherRegistered) {
                    this.otherRegistered = true;
                    register(r, Tags.of("host", OTHER, "name", this.name), this::otherStats, false);
                }
            }
            return tag;
        }
    }

    private void register(MeterRegistry r, Tags tags, java.util.function.Function<Transport, Object> source,
            boolean oneHost) {
        if (!this.globalRegistered) {
            this.globalRegistered = true;
            // The transport-wide idle cap, beside the per-host limits; "all" is never a host key.
            Gauge.builder("transport.pool.limit", this, m -> {
                Transport t = m.transport.get();
                return (t != null) ? t.config().maxIdleConns() : Double.NaN;
            }).description("A limit of the host's pool").baseUnit(CONNECTIONS)
                    .tags(Tags.of("host", ALL_HOSTS, "limit", "max-idle-conns", "name", this.name)).register(r);
        }
        gauge(r, "transport.pool.connections", "Connections by state", CONNECTIONS, tags.and("state", "idle"),
                source, s -> s.idle());
        gauge(r, "transport.pool.connections", "Connections by state", CONNECTIONS, tags.and("state", "active"),
                source, s -> s.active());
        gauge(r, "transport.pool.connections", "Connections by state", CONNECTIONS, tags.and("state", "dialing"),
                source, s -> s.dialing());
        gauge(r, "transport.pool.streams", "Requests in flight on HTTP/2 connections", REQUESTS, tags, source,
                s -> s.streams());
        gauge(r, "transport.pool.waiting", "Requests waiting for a connection", REQUESTS, tags, source,
                s -> s.waiting());
        counter(r, "transport.pool.opened", "Connections opened", CONNECTIONS, tags, source, s -> s.opened());
        counter(r, "transport.pool.reused", "Requests served on a connection that served one before", REQUESTS,
                tags, source, s -> s.reused());
        for (CloseReason reason : CloseReason.values()) {
            counter(r, "transport.pool.closed", "Connections closed, by reason", CONNECTIONS,
                    tags.and("reason", reason.code()), source, s -> s.closed(reason));
        }
        counter(r, "transport.pool.stream.waits", "Requests that waited for a stream of a full HTTP/2 connection "
                + "(strict-max-concurrent-streams)", REQUESTS, tags, source, s -> s.streamWaits());
        counter(r, "transport.pool.stream.wait.timeouts", "Requests that gave up waiting for a stream of a full HTTP/2 "
                + "connection after acquire-timeout", REQUESTS, tags, source, s -> s.streamWaitTimeouts());
        counter(r, "transport.pool.stream.leaks", "HTTP/2 responses never closed, found by the garbage collector "
                + "(their streams were reset)", REQUESTS, tags, source, s -> s.leakedStreams());
        counter(r, "transport.pool.acquire.timeouts", "Requests that gave up waiting for a connection", REQUESTS,
                tags, source, s -> s.acquireTimeouts());
        counter(r, "transport.replays", "Requests sent again after a reused connection failed", REQUESTS, tags,
                source, s -> s.replays());
        counter(r, "transport.cancellations", "Calls cancelled or interrupted before they completed", REQUESTS,
                tags, source, s -> s.cancellations());
        counter(r, "transport.call.timeouts", "Calls stopped by their call timeout", REQUESTS, tags, source,
                s -> s.callTimeouts());
        counter(r, "transport.pool.dials.lost", "Dials whose request was served by another connection first",
                CONNECTIONS, tags, source, s -> s.dialsLost());
        counter(r, "transport.dial.fallbacks", "Dials that started the second address family (happy eyeballs)",
                CONNECTIONS, tags, source, s -> s.fallbacks());
        if (oneHost) {
            limit(r, tags.and("limit", "max-conns-per-host"), source, h -> h.maxConnsPerHost());
            limit(r, tags.and("limit", "max-idle-conns-per-host"), source, h -> h.maxIdleConnsPerHost());
        }
    }

    /** A host's limits, as configured or overridden for it; 0 means none (see docs/configuration.md). */
    private void limit(MeterRegistry r, Tags tags, java.util.function.Function<Transport, Object> source,
            ToDoubleFunction<HostStats> value) {
        Gauge.builder("transport.pool.limit", this, m -> {
            Transport t = m.transport.get();
            Object stats = (t != null) ? source.apply(t) : null;
            return (stats instanceof HostStats h) ? value.applyAsDouble(h) : Double.NaN;
        }).description("A limit of the host's pool").baseUnit(CONNECTIONS).tags(tags).register(r);
    }

    private void gauge(MeterRegistry r, String name, String description, String unit, Tags tags,
            java.util.function.Function<Transport, Object> source, ToDoubleFunction<PoolStats> value) {
        Gauge.builder(name, this, m -> m.read(source, value)).description(description).baseUnit(unit)
                .tags(tags).register(r);
    }

    private void counter(MeterRegistry r, String name, String description, String unit, Tags tags,
            java.util.function.Function<Transport, Object> source, ToDoubleFunction<PoolStats> value) {
        FunctionCounter.builder(name, this, m -> m.read(source, value)).description(description)
                .baseUnit(unit).tags(tags).register(r);
    }

    private double read(java.util.function.Function<Transport, Object> source, ToDoubleFunction<PoolStats> value) {
        Transport t = this.transport.get();
        if (t == null) {
            return Double.NaN;
        }
        Object stats = source.apply(t);
        if (stats instanceof HostStats h) {
            return value.applyAsDouble(h.stats());
        }
        return (stats instanceof PoolStats p) ? value.applyAsDouble(p) : 0;
    }

    /** Sums the hosts tagged {@code other}: the only meter that walks hosts, and only beyond the tag limit. */
    private PoolStats otherStats(Transport t) {
        PoolStats sum = this.retiredOther;
        for (HostStats h : t.stats().hosts()) {
            if (OTHER.equals(this.hostTags.get(h.key()))) {
                sum = add(sum, h.stats());
            }
        }
        return (sum != null) ? sum : add(null, new PoolStats(0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0));
    }

    /** @return the counts of both ({@code a} may be {@code null}); peaks and requests are not summed */
    private static PoolStats add(PoolStats a, PoolStats b) {
        if (a == null) {
            return new PoolStats(b.idle(), b.active(), b.dialing(), b.waiting(), 0, b.opened(), b.reused(), 0,
                    b.closed(), b.acquireTimeouts(), b.replays(), b.cancellations(), b.callTimeouts(), b.dialsLost(),
                    b.fallbacks(), b.multiplexed(), b.streams(), b.streamWaits(), b.streamWaitTimeouts(),
                    b.leakedStreams());
        }
        Map<CloseReason, Long> closed = new java.util.EnumMap<>(CloseReason.class);
        a.closed().forEach((reason, n) -> closed.merge(reason, n, Long::sum));
        b.closed().forEach((reason, n) -> closed.merge(reason, n, Long::sum));
        return new PoolStats(a.idle() + b.idle(), a.active() + b.active(), a.dialing() + b.dialing(),
                a.waiting() + b.waiting(), 0, a.opened() + b.opened(), a.reused() + b.reused(), 0, closed,
                a.acquireTimeouts() + b.acquireTimeouts(), a.replays() + b.replays(),
                a.cancellations() + b.cancellations(), a.callTimeouts() + b.callTimeouts(),
                a.dialsLost() + b.dialsLost(), a.fallbacks() + b.fallbacks(), a.multiplexed() + b.multiplexed(),
                a.streams() + b.streams(), a.streamWaits() + b.streamWaits(),
                a.streamWaitTimeouts() + b.streamWaitTimeouts(), a.leakedStreams() + b.leakedStreams());
    }
}
