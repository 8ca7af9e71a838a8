package io.github.pooledtransport.core.internal;

import java.util.concurrent.locks.Condition;

/**
 * A request that found no idle connection, as Go's {@code wantConn}: it waits for whichever comes first, a
 * connection released by another request, a dial made on its behalf (or a spare one it adopted), or (at
 * {@code maxConnsPerHost}) a slot that starts such a dial. Guarded by the pool's lock.
 */
final class Waiter {

    final Condition ready;

    /** The host it waits for. */
    final HostPool host;

    /** Its place in the host's line for a released connection. */
    final WaiterQueue.Link idleLink = new WaiterQueue.Link(this);

    /** Its place in the host's line for a slot at {@code maxConnsPerHost}. */
    final WaiterQueue.Link slotLink = new WaiterQueue.Link(this);

    /** Takes only the connection its own dial makes: a replay after a reused connection failed. */
    final boolean fresh;

    /** How to dial on its behalf. */
    final DialSpec spec;

    /** The connection it was served, now active and its own. */
    PooledConnection connection;

    /** Why its own dial failed: it is served that failure. */
    Throwable dialError;

    boolean transportClosed;

    /** It stopped waiting (stopped, timed out or interrupted) before it was served. */
    boolean cancelled;

    /** Queued for a slot at {@code maxConnsPerHost}, counted in the host's {@code waiting}. */
    boolean inLine;

    /** Whether it waits in line for a stream of a strict host's full connections, not for a slot. */
    boolean forStream;

    /** Whether its acquisition counted as a new request (not a retry), so its stream wait counts once. */
    boolean counted;

    /** The dial in flight on its behalf, or {@code null}. */
    Dial dial;

    /**
     * It waits on a spare dial, one in flight whose own request stopped waiting, instead of a dial of its own;
     * counted in the host's {@code adopters}.
     */
    boolean adopted;

    /** Its place in the host's line of adopters, for the one that gets a dial of its own if a spare dial fails. */
    final WaiterQueue.Link adoptLink = new WaiterQueue.Link(this);

    /**
     * It waits for a stream on the multiplexed connection a dial in flight will bring, instead of a dial of its
     * own; counted in the host's {@code joiners}. When no dial is left in flight, the first joiner gets one.
     */
    boolean joined;

    /** Its place in the host's line of joiners. */
    final WaiterQueue.Link joinLink = new WaiterQueue.Link(this);

    Waiter(HostPool host, Condition ready, boolean fresh, DialSpec spec) {
        this.host = host;
        this.ready = ready;
        this.fresh = fresh;
        this.spec = spec;
    }

    /**
     * Leaves its lines: it was served, gave up, or the pool closed. An adoption ends; a dial of its own still in
     * flight becomes spare, for a later request to adopt. Called under the pool's lock; a second call does nothing.
     */
    void leaveLines() {
        this.host.idleWaiters.remove(this.idleLink);
        this.host.slotWaiters.remove(this.slotLink);
        this.host.adopterWaiters.remove(this.adoptLink);
        this.host.joinWaiters.remove(this.joinLink);
        if (this.joined) {
            this.joined = false;
            this.host.joiners--;
        }
        if (this.adopted) {
            this.adopted = false;
            this.host.adopters--;
        }
        else if (this.dial != null && !this.dial.spare) {
            this.dial.spare = true;
            this.host.spareDials++;
        }
    }

    boolean isServed() {
        return this.connection != null || this.dialError != null || this.transportClosed;
    }

    /** @return whether it still waits: neither served nor gone */
    boolean isWaiting() {
        return !this.cancelled && !isServed();
    }
}
