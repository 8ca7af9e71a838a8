package io.github.pooledtransport.spring.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.ConnectionStats;
import io.github.pooledtransport.core.HostStats;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportStats;

/**
 * {@code /actuator/transport}: for every {@link Transport} bean, by bean name, the effective settings (credentials
 * masked), the pool's counts in total and per host, each host's open connections (protocol, requests carried),
 * and the diagnosis of known pool failures; {@code /actuator/transport/{name}} shows one. {@code DELETE} closes idle connections, as Go's
 * {@code CloseIdleConnections}: of every transport, or of the one named.
 * <p>
 * The answers are {@link OperationResponseBody}s, so Actuator writes them with its own JSON mapper: their keys
 * stay camelCase whatever naming strategy the application gives its own mapper. The keys of the {@code closed}
 * maps are the close-reason codes, the same values as the meters' {@code reason} tag.
 */
@Endpoint(id = "transport")
public class TransportEndpoint {

    /** The bean name of the transport the starter creates. */
    public static final String DEFAULT_NAME = "transport";

    private final Map<String, Transport> transports;

    private final Map<String, Map<String, Object>> configs;

    /**
     * One transport, shown as {@value #DEFAULT_NAME}.
     *
     * @param transport the shared transport
     * @param config the effective settings to show, already masked
     */
    public TransportEndpoint(Transport transport, Map<String, Object> config) {
        this(Map.of(DEFAULT_NAME, transport), Map.of(DEFAULT_NAME, config));
    }

    /**
     * @param transports the transports by bean name, in the order to show them
     * @param configs the effective settings of each, already masked, by the same names
     */
    public TransportEndpoint(Map<String, Transport> transports, Map<String, Map<String, Object>> configs) {
        this.transports = new LinkedHashMap<>(transports);
        this.configs = new LinkedHashMap<>(configs);
    }

    /** @return every transport's pool as JSON, by bean name */
    @ReadOperation
    public TransportsDescriptor transports() {
        Map<String, TransportDescriptor> described = new LinkedHashMap<>();
        this.transports.forEach((name, transport) -> described.put(name, describe(name, transport)));
        return new TransportsDescriptor(described);
    }

    /**
     * @param name a transport's bean name
     * @return its pool as JSON, or {@code null} (404) when there is no such transport
     */
    @ReadOperation
    public TransportDescriptor transport(@Selector String name) {
        Transport transport = this.transports.get(name);
        return (transport != null) ? describe(name, transport) : null;
    }

    private TransportDescriptor describe(String name, Transport transport) {
        TransportStats stats = transport.stats();
        List<HostDescriptor> hosts = stats.hosts().stream()
                .map(h -> HostDescriptor.of(h, transport.connections(h.key()))).toList();
        return new TransportDescriptor(stats.closed(), this.configs.getOrDefault(name, Map.of()),
                CountsDescriptor.of(stats.totals()), hosts, TransportDiagnosis.analyze(stats, transport.config()));
    }

    /** @return how many idle connections were closed, in all and per transport */
    @DeleteOperation
    public AllClosedDescriptor closeIdleConnections() {
        Map<String, Integer> closed = new LinkedHashMap<>();
        this.transports.forEach((name, transport) -> closed.put(name, transport.closeIdleConnections()));
        return new AllClosedDescriptor(closed.values().stream().mapToInt(Integer::intValue).sum(), closed);
    }

    /**
     * @param name a transport's bean name
     * @return how many of its idle connections were closed, or 404 when there is no such transport
     */
    @DeleteOperation
    public WebEndpointResponse<ClosedDescriptor> closeIdleConnectionsOf(@Selector String name) {
        Transport transport = this.transports.get(name);
        if (transport == null) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        return new WebEndpointResponse<>(new ClosedDescriptor(transport.closeIdleConnections()));
    }

    /**
     * The answer for all transports.
     *
     * @param transports each transport's pool, by bean name
     */
    public record TransportsDescriptor(Map<String, TransportDescriptor> transports) implements OperationResponseBody {
    }

    /**
     * The answer to DELETE for all transports.
     *
     * @param closedIdleConnections how many idle connections were closed in all
     * @param transports how many of each transport's, by bean name
     */
    public record AllClosedDescriptor(int closedIdleConnections, Map<String, Integer> transports)
            implements OperationResponseBody {
    }

    /**
     * One transport's pool.
     *
     * @param closed whether the transport was closed
     * @param config effective settings, credentials masked
     * @param totals counts summed over all hosts
     * @param hosts one entry per host key
     * @param diagnosis known pool failures the numbers show
     */
    public record TransportDescriptor(boolean closed, Map<String, Object> config, CountsDescriptor totals,
            List<HostDescriptor> hosts, List<Finding> diagnosis) implements OperationResponseBody {
    }

    /**
     * Connection counts.
     *
     * @param idle idle connections
     * @param active connections serving a request
     * @param dialing connections being opened
     * @param waiting requests waiting for a connection
     * @param peakActive highest active count seen
     * @param opened connections opened
     * @param reused requests served on a reused connection
     * @param requests requests
     * @param closed closed connections by reason
     * @param acquireTimeouts requests that timed out waiting for a connection
     * @param multiplexed of the idle and active connections, the HTTP/2 ones
     * @param streams requests in flight on HTTP/2 connections
     * @param streamWaits requests that waited for a stream of a full HTTP/2 connection (strict)
     * @param streamWaitTimeouts of those, requests that gave up after the acquire timeout
     * @param leakedStreams HTTP/2 responses never closed, found by the garbage collector
     */
    public record CountsDescriptor(int idle, int active, int dialing, int waiting, int peakActive, long opened,
            long reused, long requests, Map<String, Long> closed, long acquireTimeouts, int multiplexed,
            int streams, long streamWaits, long streamWaitTimeouts, long leakedStreams) {

        static CountsDescriptor of(PoolStats s) {
            Map<String, Long> closed = new LinkedHashMap<>();
            for (CloseReason reason : CloseReason.values()) {
                closed.put(reason.code(), s.closed(reason));
            }
            return new CountsDescriptor(s.idle(), s.active(), s.dialing(), s.waiting(), s.peakActive(), s.opened(),
                    s.reused(), s.requests(), closed, s.acquireTimeouts(), s.multiplexed(), s.streams(),
                    s.streamWaits(), s.streamWaitTimeouts(), s.leakedStreams());
        }
    }

    /**
     * One host key.
     *
     * @param key scheme://host:port, with proxy and TLS identity when present
     * @param proxy the proxy identity (its URL with the user name, never the password), or {@code null} for a
     *     direct connection
     * @param idle idle connections
     * @param active connections serving a request
     * @param dialing connections being opened
     * @param waiting requests waiting for a connection
     * @param peakActive highest active count seen
     * @param opened connections opened
     * @param reused requests served on a reused connection
     * @param requests requests
     * @param closed closed connections by reason
     * @param acquireTimeouts requests that timed out waiting for a connection
     * @param maxIdleConnsPerHost the idle cap in force
     * @param maxConnsPerHost the connection cap in force, 0 for none
     * @param multiplexed of the idle and active connections, the HTTP/2 ones
     * @param streams requests in flight on HTTP/2 connections
     * @param streamWaits requests that waited for a stream of a full HTTP/2 connection (strict)
     * @param streamWaitTimeouts of those, requests that gave up after the acquire timeout
     * @param leakedStreams HTTP/2 responses never closed, found by the garbage collector
     * @param connections the open connections, newest first
     */
    public record HostDescriptor(String key, String proxy, int idle, int active, int dialing, int waiting,
            int peakActive, long opened, long reused, long requests, Map<String, Long> closed, long acquireTimeouts,
            int maxIdleConnsPerHost, int maxConnsPerHost, int multiplexed, int streams, long streamWaits,
            long streamWaitTimeouts, long leakedStreams, List<ConnectionDescriptor> connections) {

        static HostDescriptor of(HostStats h, List<ConnectionStats> connections) {
            CountsDescriptor c = CountsDescriptor.of(h.stats());
            return new HostDescriptor(h.key().toString(), h.key().proxy(), c.idle(), c.active(), c.dialing(),
                    c.waiting(), c.peakActive(), c.opened(), c.reused(), c.requests(), c.closed(), c.acquireTimeouts(),
                    h.maxIdleConnsPerHost(), h.maxConnsPerHost(), c.multiplexed(), c.streams(), c.streamWaits(),
                    c.streamWaitTimeouts(), c.leakedStreams(), connections.stream().map(ConnectionDescriptor::of)
                            .toList());
        }
    }

    /**
     * One open connection.
     *
     * @param id the connection's id, as events carry it
     * @param protocol {@code HTTP/1.1} or {@code HTTP/2}
     * @param state {@code idle} or {@code active}
     * @param streams requests it carries now
     * @param streamLimit how many it may carry at once (the server's limit on HTTP/2, 1 on HTTP/1.1)
     * @param retiring the close reason code of a connection that takes no new requests, or {@code null}
     * @param requests requests it served
     * @param ageMillis milliseconds since it was opened
     * @param idleMillis milliseconds it has been idle, 0 while active
     */
    public record ConnectionDescriptor(long id, String protocol, String state, int streams, int streamLimit,
            String retiring, long requests, long ageMillis, long idleMillis) {

        static ConnectionDescriptor of(ConnectionStats c) {
            return new ConnectionDescriptor(c.id(), c.protocol(), c.idle() ? "idle" : "active", c.streams(),
                    c.streamLimit(), (c.retiring() != null) ? c.retiring().code() : null, c.requests(),
                    c.age().toMillis(), c.idleFor().toMillis());
        }
    }

    /**
     * The answer to DELETE for one transport.
     *
     * @param closedIdleConnections how many idle connections were closed
     */
    public record ClosedDescriptor(int closedIdleConnections) implements OperationResponseBody {
    }
}
