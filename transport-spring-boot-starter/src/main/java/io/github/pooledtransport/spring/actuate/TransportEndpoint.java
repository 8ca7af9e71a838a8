package io.github.pooledtransport.spring.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostStats;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportStats;

/**
 * {@code /actuator/transport}: the effective settings (credentials masked), the pool's counts in total and per
 * host, and the diagnosis of known pool failures. {@code DELETE} closes idle connections, as Go's
 * {@code CloseIdleConnections}.
 * <p>
 * The answers are {@link OperationResponseBody}s, so Actuator writes them with its own JSON mapper: their keys
 * stay camelCase whatever naming strategy the application gives its own mapper. The keys of the {@code closed}
 * maps are the close-reason codes, the same values as the meters' {@code reason} tag.
 */
@Endpoint(id = "transport")
public class TransportEndpoint {

    private final Transport transport;

    private final Map<String, Object> config;

    /**
     * @param transport the shared transport
     * @param config the effective settings to show, already masked
     */
    public TransportEndpoint(Transport transport, Map<String, Object> config) {
        this.transport = transport;
        this.config = config;
    }

    /** @return the pool as JSON */
    @ReadOperation
    public TransportDescriptor transport() {
        TransportStats stats = this.transport.stats();
        List<HostDescriptor> hosts = stats.hosts().stream().map(HostDescriptor::of).toList();
        return new TransportDescriptor(stats.closed(), this.config, CountsDescriptor.of(stats.totals()), hosts,
                TransportDiagnosis.analyze(stats, this.transport.config()));
    }

    /** @return how many idle connections were closed */
    @DeleteOperation
    public ClosedDescriptor closeIdleConnections() {
        return new ClosedDescriptor(this.transport.closeIdleConnections());
    }

    /**
     * The endpoint's answer.
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
     */
    public record CountsDescriptor(int idle, int active, int dialing, int waiting, int peakActive, long opened,
            long reused, long requests, Map<String, Long> closed, long acquireTimeouts) {

        static CountsDescriptor of(PoolStats s) {
            Map<String, Long> closed = new LinkedHashMap<>();
            for (CloseReason reason : CloseReason.values()) {
                closed.put(reason.code(), s.closed(reason));
            }
            return new CountsDescriptor(s.idle(), s.active(), s.dialing(), s.waiting(), s.peakActive(), s.opened(),
                    s.reused(), s.requests(), closed, s.acquireTimeouts());
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
     */
    public record HostDescriptor(String key, String proxy, int idle, int active, int dialing, int waiting,
            int peakActive, long opened, long reused, long requests, Map<String, Long> closed, long acquireTimeouts,
            int maxIdleConnsPerHost, int maxConnsPerHost) {

        static HostDescriptor of(HostStats h) {
            CountsDescriptor c = CountsDescriptor.of(h.stats());
            return new HostDescriptor(h.key().toString(), h.key().proxy(), c.idle(), c.active(), c.dialing(),
                    c.waiting(), c.peakActive(), c.opened(), c.reused(), c.requests(), c.closed(), c.acquireTimeouts(),
                    h.maxIdleConnsPerHost(), h.maxConnsPerHost());
        }
    }

    /**
     * The answer to DELETE.
     *
     * @param closedIdleConnections how many idle connections were closed
     */
    public record ClosedDescriptor(int closedIdleConnections) implements OperationResponseBody {
    }
}
