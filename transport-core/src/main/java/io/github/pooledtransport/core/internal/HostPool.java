package io.github.pooledtransport.core.internal;

import java.util.ArrayDeque;

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

    final long[] closed = new long[CloseReason.values().length];

    /** Waiting requests in arrival order; cancelled ones are skipped when served. */
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    /** Waiters in {@link #waiters} that are not cancelled. */
    int waiting;

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

    Waiter pollWaiterLocked() {
        Waiter w;
        while ((w = this.waiters.poll()) != null) {
            if (!w.cancelled) {
                this.waiting--;
                return w;
            }
        }
        return null;
    }
}
