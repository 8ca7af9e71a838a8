package io.github.pooledtransport.core.internal;


import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;

/**
 * One host key's share of the pool: its idle list (most recently used at the head), its counts and its
 * queue of waiting requests. Every mutable field is guarded by the pool's lock.
 */
public final class HostPool {

    final HostKey key;

    final int maxIdleConnsPerHost;

    /** 0 for no limit. */
    final int maxConnsPerHost;

    /** 0 for no idle timeout. */
    final long idleTimeoutNanos;

    /** Zero for none. */
    final java.time.Duration responseHeaderTimeout;

    /** The Host header for this key, computed once instead of per request. */
    final String hostHeader;

    /** The proxy this host is reached through, or {@code null} for a direct connection. */
    io.github.pooledtransport.core.Proxy proxy;

    /** The TLS material of this key when a request chose its own, or {@code null} for the transport's. */
    javax.net.ssl.SSLContext sslContext;

    /** The call timeout of this host's requests, 0 for none; set before the host is published. */
    long callTimeoutNanos;

    /** Where {@link #callTimeoutNanos} comes from, for messages: "callTimeout=500 ms" and its origin. */
    String callTimeoutSource;

    /** Counts this host's stopped calls; made once with the host, not per call. */
    CallState.StopCounter stopCounter;

    /**
     * Active multiplexed connections with a free stream, that take new streams: a request takes a stream from the
     * head before it looks at the idle list.
     */
    PooledConnection sharedHead;

    PooledConnection sharedTail;

    int shared;

    /** Open multiplexed connections (idle or active). */
    int multiplexedOpen;

    /** Streams leased on this host's multiplexed connections. */
    int streams;

    /** Of {@link #multiplexedOpen}, those that take no new streams (retiring), until they close. */
    int retiringMultiplexed;

    /**
     * Go's {@code StrictMaxConcurrentStreams}: with a usable multiplexed connection open, a request waits for one of
     * its streams (within the acquire timeout) instead of dialing another connection. Set once, before use.
     */
    boolean strict;

    /** @return whether requests wait for a stream instead of dialing: strict, with a usable multiplexed connection */
    boolean waitsForStreamsLocked() {
        return this.strict && this.multiplexed && this.multiplexedOpen > this.retiringMultiplexed;
    }

    /** Requests that waited in line for a stream because the host is {@link #strict}. */
    long streamWaits;

    /** Of those, requests that gave up after the acquire timeout. */
    long streamWaitTimeouts;

    /** HTTP/2 responses never closed, found by the garbage collector: their streams were reset. */
    long leakedStreams;

    /**
     * Requests that wait for the connection a dial in flight will bring, instead of a dial of their own: on a host
     * whose connections are multiplexed, one connection serves many ({@link Waiter#joined}).
     */
    final WaiterQueue joinWaiters = new WaiterQueue();

    int joiners;

    /** Whether this host's connections are multiplexed (HTTP/2 with prior knowledge); set once, before use. */
    boolean multiplexed;

    PooledConnection idleHead;

    PooledConnection idleTail;

    int idle;

    int active;

    int dialing;

    int peakActive;

    long opened;

    long reused;

    long requests;

    long acquireTimeouts;

    long replays;

    long cancellations;

    long callTimeouts;

    /** The application protocols this host may be spoken to in; set once, before the host is used. */
    java.util.Set<io.github.pooledtransport.core.Protocol> protocols = java.util.Set.of(
            io.github.pooledtransport.core.Protocol.HTTP1);

    final long[] closed = new long[CloseReason.values().length];

    /**
     * Requests that take a released connection (all but fresh ones), in arrival order; a request leaves it when
     * it is served or gives up.
     */
    final WaiterQueue idleWaiters = new WaiterQueue();

    /** Requests queued for a slot at {@code maxConnsPerHost}, in arrival order; left likewise. */
    final WaiterQueue slotWaiters = new WaiterQueue();

    /** Requests in line for a slot ({@link Waiter#inLine}). */
    int waiting;

    /** Dials in flight whose requester stopped waiting ({@link Dial#spare}). */
    int spareDials;

    /** Requests waiting on a spare dial instead of one of their own ({@link Waiter#adopted}); never above spareDials. */
    int adopters;

    /** The adopters, in arrival order. */
    final WaiterQueue adopterWaiters = new WaiterQueue();

    /** Dials whose requester was served by another connection first; the connection went to the pool. */
    long dialsLost;

    /** Dropped from the pool after it stayed empty for the expiry time; a request that finds it looks again. */
    boolean removed;

    /** In the pool's list of empty hosts, since {@link #emptySince}. */
    boolean inEmptyList;

    long emptySince;

    HostPool emptyPrev;

    HostPool emptyNext;

    /** Dials that started the other address family (happy eyeballs); counted by the dialing thread, unlocked. */
    final java.util.concurrent.atomic.LongAdder fallbacks = new java.util.concurrent.atomic.LongAdder();

    HostPool(HostKey key, int maxIdleConnsPerHost, int maxConnsPerHost, long idleTimeoutNanos,
            java.time.Duration responseHeaderTimeout) {
        this.key = key;
        this.responseHeaderTimeout = responseHeaderTimeout;
        boolean defaultPort = key.port() == (key.isTls() ? 443 : 80);
        String host = (key.host().indexOf(':') >= 0) ? "[" + key.host() + "]" : key.host();
        this.hostHeader = defaultPort ? host : host + ":" + key.port();
        this.maxIdleConnsPerHost = maxIdleConnsPerHost;
        this.maxConnsPerHost = maxConnsPerHost;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** @return the host key */
    public HostKey key() {
        return this.key;
    }

    int total() {
        return this.idle + this.active + this.dialing;
    }

    boolean hasRoomLocked() {
        return this.maxConnsPerHost == 0 || total() < this.maxConnsPerHost;
    }

    /** Open connections, idle and active, newest first: what a per-connection snapshot walks. */
    PooledConnection openHead;

    void linkOpenLocked(PooledConnection c) {
        c.openPrev = null;
        c.openNext = this.openHead;
        if (this.openHead != null) {
            this.openHead.openPrev = c;
        }
        this.openHead = c;
    }

    void unlinkOpenLocked(PooledConnection c) {
        if (c.openPrev != null) {
            c.openPrev.openNext = c.openNext;
        }
        else if (this.openHead == c) {
            this.openHead = c.openNext;
        }
        if (c.openNext != null) {
            c.openNext.openPrev = c.openPrev;
        }
        c.openPrev = null;
        c.openNext = null;
    }

    void pushIdleLocked(PooledConnection c) {
        c.hostPrev = null;
        c.hostNext = this.idleHead;
        if (this.idleHead != null) {
            this.idleHead.hostPrev = c;
        }
        else {
            this.idleTail = c;
        }
        this.idleHead = c;
        this.idle++;
    }

    void unlinkIdleLocked(PooledConnection c) {
        if (c.hostPrev != null) {
            c.hostPrev.hostNext = c.hostNext;
        }
        else {
            this.idleHead = c.hostNext;
        }
        if (c.hostNext != null) {
            c.hostNext.hostPrev = c.hostPrev;
        }
        else {
            this.idleTail = c.hostPrev;
        }
        c.hostPrev = null;
        c.hostNext = null;
        this.idle--;
    }

    void linkSharedLocked(PooledConnection c) {
        if (c.inShared) {
            return;
        }
        c.inShared = true;
        c.sharedNext = null;
        c.sharedPrev = this.sharedTail;
        if (this.sharedTail != null) {
            this.sharedTail.sharedNext = c;
        }
        else {
            this.sharedHead = c;
        }
        this.sharedTail = c;
        this.shared++;
    }

    void unlinkSharedLocked(PooledConnection c) {
        if (!c.inShared) {
            return;
        }
        c.inShared = false;
        if (c.sharedPrev != null) {
            c.sharedPrev.sharedNext = c.sharedNext;
        }
        else {
            this.sharedHead = c.sharedNext;
        }
        if (c.sharedNext != null) {
            c.sharedNext.sharedPrev = c.sharedPrev;
        }
        else {
            this.sharedTail = c.sharedPrev;
        }
        c.sharedPrev = null;
        c.sharedNext = null;
        this.shared--;
    }

    /** @return the first request still waiting that takes a released connection, or {@code null} */
    Waiter pollIdleWaiterLocked() {
        Waiter w;
        while ((w = this.idleWaiters.poll()) != null) {
            if (w.isWaiting()) {
                this.slotWaiters.remove(w.slotLink);
                return w;
            }
        }
        return null;
    }

    /** @return the first request still in line for a slot, or {@code null} */
    Waiter pollSlotWaiterLocked() {
        Waiter w;
        while ((w = this.slotWaiters.poll()) != null) {
            if (w.inLine) {
                return w; // it stays in the line for a released connection while its dial runs
            }
        }
        return null;
    }
}
