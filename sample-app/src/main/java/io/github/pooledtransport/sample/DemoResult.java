package io.github.pooledtransport.sample;

import java.util.List;
import java.util.Map;

import io.github.pooledtransport.spring.actuate.Finding;

/**
 * What a demo measured on the spot.
 *
 * @param demo the demo's name
 * @param description what it does and what to look for
 * @param host the host key it used
 * @param requests requests sent
 * @param concurrency concurrent callers
 * @param failed requests that failed
 * @param durationMs how long the demo took
 * @param opened new connections opened (each one costs a TCP handshake)
 * @param reused requests served on a pooled connection
 * @param closed connections closed during the demo, by reason
 * @param timeWait this app's sockets in TIME_WAIT towards the demo's port after it ran, from runs in the last
 *     60 seconds (Linux only, else null)
 * @param downstreamTimeWait the downstream's sockets in TIME_WAIT on the demo's port after it ran: TIME_WAIT
 *     stays with the side that closed first (Linux only, else null)
 * @param diagnosis what the starter's diagnosis says about it
 */
public record DemoResult(String demo, String description, String host, int requests, int concurrency, int failed,
        long durationMs, long opened, long reused, Map<String, Long> closed, Integer timeWait,
        Integer downstreamTimeWait, List<Finding> diagnosis) {
}
