package io.github.pooledtransport.core;

/**
 * Counts of {@link Transport} instances across the whole JVM. Creating a transport per request is a
 * classic pool failure: every request then opens a new connection. These counts make it visible.
 *
 * @param created transports created since the JVM started
 * @param open transports neither closed nor garbage collected
 * @param shortLived transports closed or collected less than a minute after they were created
 * @param discardedUnclosed transports garbage collected without {@link Transport#close()}
 */
public record JvmTransportStats(long created, long open, long shortLived, long discardedUnclosed) {
}
