package io.github.pooledtransport.core;

import java.util.List;

/**
 * An immutable snapshot of a transport's pool, taken under the pool's lock so its numbers agree.
 *
 * @param totals counts summed over every host key
 * @param hosts one entry per host key the transport has served, in no particular order
 * @param closed whether the transport was closed
 * @param jvm how many transports this JVM has created, for spotting a transport made per request
 */
public record TransportStats(PoolStats totals, List<HostStats> hosts, boolean closed, JvmTransportStats jvm) {

    /** Copies the list so the snapshot stays immutable. */
    public TransportStats {
        hosts = List.copyOf(hosts);
    }
}
