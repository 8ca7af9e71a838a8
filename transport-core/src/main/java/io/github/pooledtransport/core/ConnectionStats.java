package io.github.pooledtransport.core;

import java.time.Duration;

/**
 * A snapshot of one open connection of a host's pool, for tools that show what the pool holds.
 *
 * @param id the connection's id, unique within the transport (the id events carry)
 * @param protocol {@code HTTP/1.1} or {@code HTTP/2}
 * @param idle whether it sits in the pool unused; otherwise it serves requests
 * @param streams requests it carries now: 0 or 1 on HTTP/1.1, up to {@code streamLimit} on HTTP/2
 * @param streamLimit how many requests it may carry at once: 1 on HTTP/1.1, the server's
 *     {@code SETTINGS_MAX_CONCURRENT_STREAMS} on HTTP/2
 * @param retiring why it takes no new requests while those it carries finish (after which it closes), or
 *     {@code null} while it takes them
 * @param requests requests it has served, the current ones included
 * @param age how long ago it was opened
 * @param idleFor how long it has been idle, zero while it serves requests
 */
public record ConnectionStats(long id, String protocol, boolean idle, int streams, int streamLimit,
        CloseReason retiring, long requests, Duration age, Duration idleFor) {
}
