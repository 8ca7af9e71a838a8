package io.github.pooledtransport.core;

import java.util.EnumMap;
import java.util.Map;

/**
 * Connection counts of one host key, or summed over all of them.
 *
 * @param idle connections in the pool, ready for reuse
 * @param active connections serving a request (from acquisition until the body is done)
 * @param dialing connections being opened
 * @param waiting requests queued for a connection because {@code maxConnsPerHost} was reached
 * @param peakActive the highest number of active connections seen (for totals, the sum of per-host peaks)
 * @param opened connections opened since the transport started
 * @param reused requests served on a connection that had served one before
 * @param requests requests that asked the pool for a connection
 * @param closed connections closed, by reason; every reason is present
 * @param acquireTimeouts requests that gave up waiting for a connection after {@code acquireTimeout}
 * @param replays requests sent again on a new connection after a reused one failed (Go's rules)
 * @param cancellations calls stopped by {@code Call.cancel()} or an interrupt of their thread
 * @param callTimeouts calls stopped by their {@code callTimeout}
 * @param dialsLost dials whose request was served by another connection first (released by another request, or
 *     made by another dial); the connection went to the next waiting request or the idle list (late binding)
 * @param fallbacks dials that started the second address family (happy eyeballs): the first was slow or failed
 * @param multiplexed of the idle and active connections, those that carry many requests at once (HTTP/2)
 * @param streams requests in flight on multiplexed connections (each also counts its connection as active)
 * @param streamWaits requests that waited in line for a stream of a full HTTP/2 connection instead of dialing
 *     another ({@code strictMaxConcurrentStreams})
 * @param streamWaitTimeouts of those, requests that gave up after {@code acquireTimeout} (not counted in
 *     {@code acquireTimeouts}, which are waits at {@code maxConnsPerHost})
 * @param leakedStreams HTTP/2 responses that were never closed and were found by the garbage collector: their
 *     streams were reset, and their connections, shared with other requests, kept
 */
public record PoolStats(int idle, int active, int dialing, int waiting, int peakActive, long opened, long reused,
        long requests, Map<CloseReason, Long> closed, long acquireTimeouts, long replays, long cancellations,
        long callTimeouts, long dialsLost, long fallbacks, int multiplexed, int streams, long streamWaits,
        long streamWaitTimeouts, long leakedStreams) {

    /**
     * Counts without HTTP/2's waits and leaks, for tests and tools written before they were counted.
     *
     * @param idle connections in the pool
     * @param active connections serving a request
     * @param dialing connections being opened
     * @param waiting requests queued for a connection
     * @param peakActive the highest number of active connections seen
     * @param opened connections opened
     * @param reused requests served on a reused connection
     * @param requests requests that asked the pool for a connection
     * @param closed connections closed, by reason
     * @param acquireTimeouts requests that gave up waiting for a connection
     * @param replays requests sent again after a reused connection failed
     * @param cancellations calls stopped by a cancel or an interrupt
     * @param callTimeouts calls stopped by their call timeout
     * @param dialsLost dials whose request was served by another connection first
     * @param fallbacks dials that started the second address family
     * @param multiplexed connections that carry many requests at once
     * @param streams requests in flight on multiplexed connections
     */
    public PoolStats(int idle, int active, int dialing, int waiting, int peakActive, long opened, long reused,
            long requests, Map<CloseReason, Long> closed, long acquireTimeouts, long replays, long cancellations,
            long callTimeouts, long dialsLost, long fallbacks, int multiplexed, int streams) {
        this(idle, active, dialing, waiting, peakActive, opened, reused, requests, closed, acquireTimeouts, replays,
                cancellations, callTimeouts, dialsLost, fallbacks, multiplexed, streams, 0, 0, 0);
    }

    /**
     * Counts without HTTP/2's, for tests and tools written before they were counted.
     *
     * @param idle connections in the pool
     * @param active connections serving a request
     * @param dialing connections being opened
     * @param waiting requests queued for a connection
     * @param peakActive the highest number of active connections seen
     * @param opened connections opened
     * @param reused requests served on a reused connection
     * @param requests requests that asked the pool for a connection
     * @param closed connections closed, by reason
     * @param acquireTimeouts requests that gave up waiting for a connection
     * @param replays requests sent again after a reused connection failed
     * @param cancellations calls stopped by a cancel or an interrupt
     * @param callTimeouts calls stopped by their call timeout
     * @param dialsLost dials whose request was served by another connection first
     * @param fallbacks dials that started the second address family
     */
    public PoolStats(int idle, int active, int dialing, int waiting, int peakActive, long opened, long reused,
            long requests, Map<CloseReason, Long> closed, long acquireTimeouts, long replays, long cancellations,
            long callTimeouts, long dialsLost, long fallbacks) {
        this(idle, active, dialing, waiting, peakActive, opened, reused, requests, closed, acquireTimeouts, replays,
                cancellations, callTimeouts, dialsLost, fallbacks, 0, 0);
    }

    /** Copies the map so the snapshot stays immutable. */
    public PoolStats {
        closed = Map.copyOf(closed);
    }

    /**
     * Counts without fallbacks, for tests and tools written before they were counted.
     *
     * @param idle connections in the pool
     * @param active connections serving a request
     * @param dialing connections being opened
     * @param waiting requests queued for a connection
     * @param peakActive the highest number of active connections seen
     * @param opened connections opened
     * @param reused requests served on a reused connection
     * @param requests requests that asked the pool for a connection
     * @param closed connections closed, by reason
     * @param acquireTimeouts requests that gave up waiting for a connection
     * @param replays requests sent again after a reused connection failed
     * @param cancellations calls stopped by a cancel or an interrupt
     * @param callTimeouts calls stopped by their call timeout
     * @param dialsLost dials whose request was served by another connection first
     */
    public PoolStats(int idle, int active, int dialing, int waiting, int peakActive, long opened, long reused,
            long requests, Map<CloseReason, Long> closed, long acquireTimeouts, long replays, long cancellations,
            long callTimeouts, long dialsLost) {
        this(idle, active, dialing, waiting, peakActive, opened, reused, requests, closed, acquireTimeouts, replays,
                cancellations, callTimeouts, dialsLost, 0);
    }

    /**
     * Counts without lost dials, for tests and tools written before they were counted.
     *
     * @param idle connections in the pool
     * @param active connections serving a request
     * @param dialing connections being opened
     * @param waiting requests queued for a connection
     * @param peakActive the highest number of active connections seen
     * @param opened connections opened
     * @param reused requests served on a reused connection
     * @param requests requests that asked the pool for a connection
     * @param closed connections closed, by reason
     * @param acquireTimeouts requests that gave up waiting for a connection
     * @param replays requests sent again after a reused connection failed
     * @param cancellations calls stopped by a cancel or an interrupt
     * @param callTimeouts calls stopped by their call timeout
     */
    public PoolStats(int idle, int active, int dialing, int waiting, int peakActive, long opened, long reused,
            long requests, Map<CloseReason, Long> closed, long acquireTimeouts, long replays, long cancellations,
            long callTimeouts) {
        this(idle, active, dialing, waiting, peakActive, opened, reused, requests, closed, acquireTimeouts, replays,
                cancellations, callTimeouts, 0, 0);
    }

    /**
     * Counts without replays and stopped calls, for tests and tools written before they were counted.
     *
     * @param idle connections in the pool
     * @param active connections serving a request
     * @param dialing connections being opened
     * @param waiting requests queued for a connection
     * @param peakActive the highest number of active connections seen
     * @param opened connections opened
     * @param reused requests served on a reused connection
     * @param requests requests that asked the pool for a connection
     * @param closed connections closed, by reason
     * @param acquireTimeouts requests that gave up waiting for a connection
     */
    public PoolStats(int idle, int active, int dialing, int waiting, int peakActive, long opened, long reused,
            long requests, Map<CloseReason, Long> closed, long acquireTimeouts) {
        this(idle, active, dialing, waiting, peakActive, opened, reused, requests, closed, acquireTimeouts, 0, 0, 0, 0,
                0);
    }

    /**
     * @param reason a close reason
     * @return how many connections were closed for it
     */
    public long closed(CloseReason reason) {
        return this.closed.getOrDefault(reason, 0L);
    }

    /** @return connections closed for any reason */
    public long closedTotal() {
        return this.closed.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * @return the number of responses that were never closed and were found by the garbage collector: on HTTP/1.1
     *     each closed its connection ({@link CloseReason#LEAKED}), on HTTP/2 each reset its stream
     */
    public long leaked() {
        return closed(CloseReason.LEAKED) + this.leakedStreams;
    }

    static Map<CloseReason, Long> zeroClosed() {
        Map<CloseReason, Long> map = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            map.put(reason, 0L);
        }
        return map;
    }
}
