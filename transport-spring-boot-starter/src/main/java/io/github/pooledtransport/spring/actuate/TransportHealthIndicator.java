package io.github.pooledtransport.spring.actuate;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportStats;

/**
 * Health of the pooled transport, from its own counters only (it never calls a downstream host): UP while it
 * serves requests, DOWN once closed, and optionally OUT_OF_SERVICE while requests time out waiting for a
 * connection. Details carry the totals and the diagnosis.
 */
public class TransportHealthIndicator extends AbstractHealthIndicator {

    private final Transport transport;

    private final boolean outOfServiceOnAcquireTimeouts;

    private final AtomicLong lastAcquireTimeouts = new AtomicLong();

    /**
     * @param transport the shared transport
     * @param outOfServiceOnAcquireTimeouts whether acquire timeouts since the previous check mean OUT_OF_SERVICE
     */
    public TransportHealthIndicator(Transport transport, boolean outOfServiceOnAcquireTimeouts) {
        super("Transport health check failed");
        this.transport = transport;
        this.outOfServiceOnAcquireTimeouts = outOfServiceOnAcquireTimeouts;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        TransportStats stats = this.transport.stats();
        PoolStats totals = stats.totals();
        long timeouts = totals.acquireTimeouts();
        long newTimeouts = timeouts - this.lastAcquireTimeouts.getAndSet(timeouts);
        if (stats.closed()) {
            builder.down();
        }
        else if (this.outOfServiceOnAcquireTimeouts && newTimeouts > 0) {
            builder.outOfService().withDetail("acquireTimeoutsSinceLastCheck", newTimeouts);
        }
        else {
            builder.up();
        }
        builder.withDetail("totals", TransportEndpoint.CountsDescriptor.of(totals))
                .withDetail("hosts", stats.hosts().size())
                .withDetail("findings", TransportDiagnosis.analyze(stats, this.transport.config()));
    }
}
