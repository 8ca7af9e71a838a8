package io.github.pooledtransport.core.internal;

/**
 * A dial in flight, started by the pool for a waiting request and run apart from it (Go's {@code dialConnFor}):
 * its result goes to that request if it still waits, else to the next waiting request or the idle list. It has
 * its own stop, which only {@code closeIdleConnections} (for a dial nobody waits for) and closing the pool use:
 * a requester that stops waiting leaves the dial running, as Go dials with {@code context.WithoutCancel}.
 */
public final class Dial {

    final HostPool host;

    /** The request it was started for; it may have been served elsewhere or gone by the time the dial ends. */
    final Waiter requester;

    final DialSpec spec;

    /** Unique within the JVM: tells a call's dials apart in its listener's events. */
    final long id = IDS.incrementAndGet();

    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Its requester stopped waiting while it was in flight: counted in the host's {@code spareDials}, for a later
     * request to adopt. An adopter waits on it with the dial's own settings (its requester's connect timeout and
     * listener): the adopter's call hears no dial events.
     */
    boolean spare;

    /** Being stopped by {@code closeIdleConnections}: no longer spare, and not to be adopted. */
    boolean stopped;

    /** Stops the dial: closes the socket being connected, stops waiting for DNS. */
    final CallState state = new CallState();

    /** The pool's list of dials in flight; guarded by the pool's lock. */
    Dial prev;

    Dial next;

    Dial(HostPool host, Waiter requester, DialSpec spec) {
        this.host = host;
        this.requester = requester;
        this.spec = spec;
        this.state.start(host.key, 0, null, null);
    }

    /** @return the host it dials */
    public HostPool host() {
        return this.host;
    }
}
