package io.github.pooledtransport.core;

/**
 * How the transport watches for responses that are never closed.
 */
public enum LeakDetection {

    /** No tracking. A leaked response keeps its connection (and its {@code maxConnsPerHost} slot) forever. */
    OFF,

    /**
     * A response that becomes unreachable without being closed is logged at WARN with its request line,
     * counted as {@link CloseReason#LEAKED}, and its connection closed so the slot is freed; on HTTP/2 its stream
     * is reset instead (the connection serves other requests) and counted in {@link PoolStats#leakedStreams()}.
     * Both count in {@link PoolStats#leaked()}. Costs one
     * {@link java.lang.ref.Cleaner} registration per response with a body.
     */
    ON,

    /** As {@link #ON}, and the WARN carries the stack trace of the call that obtained the response. */
    WITH_STACK_TRACES
}
