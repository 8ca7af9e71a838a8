package io.github.pooledtransport.core;

/**
 * A snapshot of one host key's pool and the caps in force for it.
 *
 * @param key the host key
 * @param stats its connection counts
 * @param maxIdleConnsPerHost the idle cap in force for this host
 * @param maxConnsPerHost the connection cap in force for this host, 0 for none
 */
public record HostStats(HostKey key, PoolStats stats, int maxIdleConnsPerHost, int maxConnsPerHost) {
}
