package io.github.pooledtransport.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.github.pooledtransport.core.AcquireTimeoutException;
import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.HostStats;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.TimeSource;
import io.github.pooledtransport.core.TransportClosedException;

/**
 * The pool of persistent connections, keyed by {@link HostKey}, with Go's semantics: idle connections are
 * reused most-recently-used first, capped per host and globally (closing the globally least-recently-used
 * one), closed after their idle timeout by one background evictor, and requests beyond
 * {@code maxConnsPerHost} wait in FIFO order.
 *
 * <p>One {@link ReentrantLock} guards all state. Critical sections only move pointers and counters: every
 * operation is O(1) in hosts and connections (the evictor's pass, off the request path, is linear in idle
 * connections). Sockets are closed and listeners called after the lock is released.
 */
public final class ConnectionPool {

    private final ReentrantLock lock = new ReentrantLock();

    private final ConcurrentHashMap<HostKey, HostPool> hosts = new ConcurrentHashMap<>();

    private final Function<HostKey, HostPool> hostFactory;

    private final int maxIdleConns;

    private final TimeSource time;

    private final PoolEvents events;

    private final EvictionScheduler scheduler;

    /** Global idle list: head is the least recently used, tail the most recently used. */
    private PooledConnection lruHead;

    private PooledConnection lruTail;

    private int idleTotal;

    private boolean closed;

    /** When the next eviction pass is scheduled for; MAX_VALUE when none is. */
    private long nextEvictionAt = Long.MAX_VALUE;

    /**
     * @param maxIdleConns the global idle cap, 0 for none
     * @param hostFactory creates a host's pool with its caps
     * @param time the clock
     * @param events receives put-idle and closed events, outside the lock
     * @param scheduler runs eviction passes, or {@code null} to evict only when asked
     */
    public ConnectionPool(int maxIdleConns, Function<HostKey, HostPool> hostFactory, TimeSource time,
            PoolEvents events, EvictionScheduler scheduler) {
        this.maxIdleConns = maxIdleConns;
        this.hostFactory = hostFactory;
        this.time = time;
        this.events = events;
        this.scheduler = scheduler;
    }

    /**
     * Creates the state for a host with fixed caps.
     *
     * @param key the host key
     * @param maxIdleConnsPerHost idle cap
     * @param maxConnsPerHost connection cap, 0 for none
     * @param idleTimeout idle timeout, zero for none
     * @return the host pool
     */
    public static HostPool newHostPool(HostKey key, int maxIdleConnsPerHost, int maxConnsPerHost,
            Duration idleTimeout) {
        return newHostPool(key, maxIdleConnsPerHost, maxConnsPerHost, idleTimeout, Duration.ZERO);
    }

    /**
     * Creates the state for a host with fixed caps and timeouts.
     *
     * @param key the host key
     * @param maxIdleConnsPerHost idle cap
     * @param maxConnsPerHost connection cap, 0 for none
     * @param idleTimeout idle timeout, zero for none
     * @param responseHeaderTimeout response header timeout, zero for none
     * @return the host pool
     */
    public static HostPool newHostPool(HostKey key, int maxIdleConnsPerHost, int maxConnsPerHost,
            Duration idleTimeout, Duration responseHeaderTimeout) {
        return new HostPool(key, maxIdleConnsPerHost, maxConnsPerHost, idleTimeout.toNanos(), responseHeaderTimeout);
    }

    /**
     * @param key a host key
     * @return the host's pool, created on first use
     */
    public HostPool host(HostKey key) {
        HostPool host = this.hosts.get(key);
        return (host != null) ? host : this.hosts.computeIfAbsent(key, this.hostFactory);
    }

    /**
     * @param key a host key
     * @param factory creates the host's pool when it does not exist yet
     * @return the host's pool
     */
    public HostPool host(HostKey key, Function<HostKey, HostPool> factory) {
        HostPool host = this.hosts.get(key);
        return (host != null) ? host : this.hosts.computeIfAbsent(key, factory);
    }

    /**
     * @param key a host key
     * @return the host's pool, or {@code null} when no request has used the key yet
     */
    public HostPool existingHost(HostKey key) {
        return this.hosts.get(key);
    }

    /**
     * Takes the most recently used idle connection of the host, or grants permission to dial a new one, or
     * waits in line for either when the host is at {@code maxConnsPerHost}.
     *
     * @param host the host pool
     * @param countRequest whether this is a new request (not a retry or a replacement of a stale connection)
     * @param fresh whether an idle connection must not be used (a replay after a reused one failed)
     * @param acquireTimeoutNanos how long to wait in line, 0 for no limit
     * @return an idle connection, now active; or {@code null} meaning "dial one": the caller must then call
     *     {@link #dialSucceeded} or {@link #dialFailed}
     * @throws TransportClosedException when the pool is closed
     * @throws AcquireTimeoutException when the wait in line timed out
     * @throws java.io.InterruptedIOException when the thread was interrupted while waiting
     */
    public PooledConnection acquire(HostPool host, boolean countRequest, boolean fresh, long acquireTimeoutNanos)
            throws java.io.IOException {
        return acquire(host, countRequest, fresh, acquireTimeoutNanos, null);
    }

    /**
     * As {@link #acquire(HostPool, boolean, boolean, long)}, for a call that can be stopped while it waits in
     * line: a stop wakes the wait, which then leaves the line and throws the call's cancellation.
     *
     * @param host the host pool
     * @param countRequest whether this is a new request
     * @param fresh whether an idle connection must not be used
     * @param acquireTimeoutNanos how long to wait in line, 0 for no limit
     * @param call the waiting call, or {@code null}
     * @return an idle connection, now active; or {@code null} meaning "dial one"
     * @throws java.io.IOException as the other form, and the call's cancellation when it was stopped
     */
    PooledConnection acquire(HostPool host, boolean countRequest, boolean fresh, long acquireTimeoutNanos,
            CallState call) throws java.io.IOException {
        List<Closing> expired = null;
        Waiter waiter = null;
        this.lock.lock();
        try {
            if (this.closed) {
                throw new TransportClosedException(host.key);
            }
            if (countRequest) {
                host.requests++;
            }
            long now = this.time.nanoTime();
            if (!fresh) {
                PooledConnection c;
                while ((c = host.idleHead) != null) {
                    removeIdleLocked(c);
                    if (now - c.idleDeadline() >= 0) {
                        expired = closeLocked(c, c.expiryReason(now), expired);
                        continue;
                    }
                    activateIdleLocked(c, now);
                    return c;
                }
            }
            if (host.hasRoomLocked() && host.waiting == 0) {
                host.dialing++;
                return null;
            }
            waiter = new Waiter(this.lock.newCondition());
            host.waiters.add(waiter);
            host.waiting++;
        }
        finally {
            this.lock.unlock();
            closeAll(expired);
        }
        if (call == null) {
            return awaitTurn(host, waiter, acquireTimeoutNanos, null);
        }
        Waiter queued = waiter;
        try {
            call.enter("waiting for a connection", () -> wake(queued));
        }
        catch (java.io.IOException ex) {
            leaveLine(host, waiter);
            throw ex;
        }
        try {
            return awaitTurn(host, waiter, acquireTimeoutNanos, call);
        }
        catch (java.io.InterruptedIOException ex) {
            throw call.stoppedFailure(ex); // an interrupt stops the call; outside the pool's lock
        }
        finally {
            call.leave();
        }
    }

    /** Wakes a waiting call that was stopped; it leaves the line itself. */
    private void wake(Waiter waiter) {
        this.lock.lock();
        try {
            waiter.ready.signal();
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Takes a waiter out of line that will not wait after all; what it was served meanwhile goes back (a
     * connection to the idle list or the next waiter, a dial permission to the next waiter).
     */
    private void leaveLine(HostPool host, Waiter waiter) {
        PooledConnection served;
        boolean mayDial;
        this.lock.lock();
        try {
            if (!waiter.isServed()) {
                cancelLocked(host, waiter);
                return;
            }
            served = waiter.connection;
            mayDial = waiter.mayDial;
        }
        finally {
            this.lock.unlock();
        }
        if (served != null) {
            release(served, null);
        }
        else if (mayDial) {
            dialFailed(host);
        }
    }

    private PooledConnection awaitTurn(HostPool host, Waiter waiter, long timeoutNanos, CallState call)
            throws java.io.IOException {
        long remaining = timeoutNanos;
        this.lock.lock();
        try {
            while (!waiter.isServed()) {
                if (call != null && call.isStopped()) {
                    cancelLocked(host, waiter);
                    break;
                }
                try {
                    if (timeoutNanos == 0) {
                        waiter.ready.await();
                    }
                    else {
                        if (remaining <= 0) {
                            cancelLocked(host, waiter);
                            host.acquireTimeouts++;
                            throw new AcquireTimeoutException(host.key, Duration.ofNanos(timeoutNanos),
                                    host.maxConnsPerHost, host.active, host.waiting + 1);
                        }
                        remaining = waiter.ready.awaitNanos(remaining);
                    }
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    if (!waiter.isServed()) {
                        cancelLocked(host, waiter);
                        java.io.InterruptedIOException ioe = new java.io.InterruptedIOException(
                                "Interrupted while waiting for a connection to " + host.key);
                        ioe.initCause(ex);
                        throw ioe;
                    }
                }
            }
            if (waiter.isServed()) {
                if (waiter.transportClosed) {
                    throw new TransportClosedException(host.key);
                }
                return waiter.connection; // null when the waiter was granted a dial slot (host.dialing counted)
            }
        }
        finally {
            this.lock.unlock();
        }
        // Stopped, and out of line. Outside the pool's lock: cancelled() waits for a stop still at work, which
        // holds the call's lock and may want the pool's.
        throw call.cancelled(null);
    }

    /**
     * Counts a request sent again after a reused connection failed.
     *
     * @param host the host pool
     */
    void countReplay(HostPool host) {
        this.lock.lock();
        try {
            host.replays++;
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Counts a call stopped before it completed.
     *
     * @param host the host pool
     * @param timedOut whether its call timeout stopped it (else a cancel or an interrupt)
     */
    void countStopped(HostPool host, boolean timedOut) {
        this.lock.lock();
        try {
            if (timedOut) {
                host.callTimeouts++;
            }
            else {
                host.cancellations++;
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    private void cancelLocked(HostPool host, Waiter waiter) {
        waiter.cancelled = true;
        host.waiting--;
    }

    /**
     * Registers a connection the caller dialed after {@link #acquire} returned {@code null}; it is active.
     *
     * @param c the new connection
     * @return whether the pool accepted it; {@code false} when the pool was closed meanwhile (the connection
     *     is then closed)
     */
    public boolean dialSucceeded(PooledConnection c) {
        HostPool host = c.host;
        boolean accepted;
        this.lock.lock();
        try {
            host.dialing--;
            host.opened++;
            accepted = !this.closed;
            if (accepted) {
                c.state = PooledConnection.State.ACTIVE;
                c.useCount = 1;
                c.lastWasIdle = false;
                c.lastIdleNanos = 0;
                host.active++;
                host.peakActive = Math.max(host.peakActive, host.active);
            }
            else {
                host.active++; // counted active so that release() closes it with uniform bookkeeping
            }
        }
        finally {
            this.lock.unlock();
        }
        if (!accepted) {
            release(c, CloseReason.TRANSPORT_CLOSED);
        }
        return accepted;
    }

    /**
     * Gives back a dial slot after a failed dial, so a waiting request may dial instead.
     *
     * @param host the host pool
     */
    public void dialFailed(HostPool host) {
        this.lock.lock();
        try {
            host.dialing--;
            checkNonNegative(host);
            grantSlotLocked(host);
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Returns an active connection: to the first waiting request, to the idle list, or closed.
     *
     * @param c an active connection
     * @param closeReason why it must be closed, or {@code null} when it can be reused
     */
    public void release(PooledConnection c, CloseReason closeReason) {
        List<Closing> closings = null;
        boolean putIdle = false;
        HostPool host = c.host;
        this.lock.lock();
        try {
            if (c.state != PooledConnection.State.ACTIVE) {
                throw new IllegalStateException(c + " released while " + c.state);
            }
            long now = this.time.nanoTime();
            CloseReason reason = closeReason;
            if (reason == null) {
                if (this.closed) {
                    reason = CloseReason.TRANSPORT_CLOSED;
                }
                else if (now - c.expiresAt >= 0) {
                    reason = CloseReason.LIFETIME_EXPIRED;
                }
                else if (now - c.serverIdleDeadline >= 0) {
                    reason = CloseReason.SERVER_IDLE_TIMEOUT;
                }
            }
            if (reason != null) {
                closings = closeLocked(c, reason, null);
            }
            else {
                Waiter waiter = host.pollWaiterLocked();
                putIdle = true;
                if (waiter != null) {
                    // Handed over directly, as Go's tryDeliver: it stays active, the waiter never sees it idle.
                    c.useCount++;
                    c.lastWasIdle = false;
                    c.lastIdleNanos = 0;
                    host.reused++;
                    waiter.connection = c;
                    waiter.ready.signal();
                }
                else if (host.idle >= host.maxIdleConnsPerHost) {
                    putIdle = false;
                    closings = closeLocked(c, CloseReason.IDLE_PER_HOST_CAP, null);
                }
                else {
                    host.active--;
                    c.state = PooledConnection.State.IDLE;
                    c.idleSince = now;
                    host.pushIdleLocked(c);
                    addLruTailLocked(c);
                    if (this.maxIdleConns > 0 && this.idleTotal > this.maxIdleConns) {
                        PooledConnection oldest = this.lruHead;
                        removeIdleLocked(oldest);
                        closings = closeLocked(oldest, CloseReason.IDLE_GLOBAL_CAP, null);
                        putIdle = oldest != c;
                    }
                    if (c.state == PooledConnection.State.IDLE) {
                        scheduleEvictionLocked(c.idleDeadline(), now);
                    }
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        if (putIdle) {
            this.events.putIdleConn(host.key, c.id);
        }
        closeAll(closings);
    }

    /**
     * Closes a connection that was just acquired from the idle list but found dead before use. It is not
     * counted as reused.
     *
     * @param c the connection
     */
    public void discardStale(PooledConnection c) {
        discardStale(c, CloseReason.SERVER_CLOSED);
    }

    /**
     * Closes a reused connection that failed before serving its request; it is not counted as reused.
     *
     * @param c the connection
     * @param reason why it is closed
     */
    public void discardStale(PooledConnection c, CloseReason reason) {
        this.lock.lock();
        try {
            c.host.reused--;
        }
        finally {
            this.lock.unlock();
        }
        release(c, reason);
    }

    /**
     * Closes idle connections whose idle timeout, server keep-alive hint or lifetime has passed.
     *
     * @return how many were closed
     */
    public int evictExpired() {
        List<Closing> closings = null;
        int count = 0;
        this.lock.lock();
        try {
            long now = this.time.nanoTime();
            long next = Long.MAX_VALUE;
            PooledConnection c = this.lruHead;
            while (c != null) {
                PooledConnection following = c.lruNext;
                long deadline = c.idleDeadline();
                if (now - deadline >= 0) {
                    removeIdleLocked(c);
                    closings = closeLocked(c, c.expiryReason(now), closings);
                    count++;
                }
                else {
                    next = Math.min(next, deadline);
                }
                c = following;
            }
            this.nextEvictionAt = Long.MAX_VALUE;
            scheduleEvictionLocked(next, now);
        }
        finally {
            this.lock.unlock();
        }
        closeAll(closings);
        return count;
    }

    /**
     * Closes every idle connection, as Go's {@code CloseIdleConnections}.
     *
     * @return how many were closed
     */
    public int closeIdle() {
        return closeIdle(CloseReason.IDLE_CLOSED);
    }

    /** @param reason {@code IDLE_CLOSED} on request, {@code TRANSPORT_CLOSED} when the pool closes */
    private int closeIdle(CloseReason reason) {
        List<Closing> closings = null;
        int count = 0;
        this.lock.lock();
        try {
            PooledConnection c;
            while ((c = this.lruHead) != null) {
                removeIdleLocked(c);
                closings = closeLocked(c, reason, closings);
                count++;
            }
        }
        finally {
            this.lock.unlock();
        }
        closeAll(closings);
        return count;
    }

    /**
     * Closes the pool: idle connections now, active ones when released; waiting and later requests fail
     * with {@link TransportClosedException}.
     *
     * @return how many idle connections were closed
     */
    public int close() {
        this.lock.lock();
        try {
            if (this.closed) {
                return 0;
            }
            this.closed = true;
            for (HostPool host : this.hosts.values()) {
                Waiter w;
                while ((w = host.pollWaiterLocked()) != null) {
                    w.transportClosed = true;
                    w.ready.signal();
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        if (this.scheduler != null) {
            this.scheduler.cancel(this);
        }
        return closeIdle(CloseReason.TRANSPORT_CLOSED);
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        this.lock.lock();
        try {
            return this.closed;
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Takes a consistent snapshot of every host's counts.
     *
     * @param totalsOut receives the totals as the first element
     * @return one entry per host
     */
    public List<HostStats> snapshot(PoolStats[] totalsOut) {
        List<HostStats> result = new ArrayList<>(this.hosts.size());
        int idle = 0;
        int active = 0;
        int dialing = 0;
        int waiting = 0;
        int peak = 0;
        long opened = 0;
        long reused = 0;
        long requests = 0;
        long acquireTimeouts = 0;
        long replays = 0;
        long cancellations = 0;
        long callTimeouts = 0;
        long[] closedTotals = new long[CloseReason.values().length];
        this.lock.lock();
        try {
            for (HostPool h : this.hosts.values()) {
                result.add(hostStatsLocked(h));
                idle += h.idle;
                active += h.active;
                dialing += h.dialing;
                waiting += h.waiting;
                peak += h.peakActive;
                opened += h.opened;
                reused += h.reused;
                requests += h.requests;
                acquireTimeouts += h.acquireTimeouts;
                replays += h.replays;
                cancellations += h.cancellations;
                callTimeouts += h.callTimeouts;
                for (int i = 0; i < closedTotals.length; i++) {
                    closedTotals[i] += h.closed[i];
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        totalsOut[0] = new PoolStats(idle, active, dialing, waiting, peak, opened, reused, requests,
                toMap(closedTotals), acquireTimeouts, replays, cancellations, callTimeouts);
        return result;
    }

    /**
     * Takes a snapshot of one host, in O(1): what per-host gauges read.
     *
     * @param key the host key
     * @return its stats, or {@code null} when no request has used the key
     */
    public HostStats snapshot(HostKey key) {
        HostPool host = this.hosts.get(key);
        if (host == null) {
            return null;
        }
        this.lock.lock();
        try {
            return hostStatsLocked(host);
        }
        finally {
            this.lock.unlock();
        }
    }

    private static HostStats hostStatsLocked(HostPool h) {
        PoolStats stats = new PoolStats(h.idle, h.active, h.dialing, h.waiting, h.peakActive, h.opened, h.reused,
                h.requests, toMap(h.closed), h.acquireTimeouts, h.replays, h.cancellations, h.callTimeouts);
        return new HostStats(h.key, stats, h.maxIdleConnsPerHost, h.maxConnsPerHost);
    }

    /**
     * Checks the pool's structural invariants; for tests.
     *
     * @throws IllegalStateException when one is broken
     */
    public void checkInvariants() {
        this.lock.lock();
        try {
            int lruCount = 0;
            for (PooledConnection c = this.lruHead; c != null; c = c.lruNext) {
                if (c.state != PooledConnection.State.IDLE) {
                    throw new IllegalStateException(c + " is in the idle LRU while " + c.state);
                }
                if (c.lruNext != null && c.idleSince - c.lruNext.idleSince > 0) {
                    throw new IllegalStateException("idle LRU is not ordered least-recently-used first");
                }
                if (c.lruNext == null && c != this.lruTail) {
                    throw new IllegalStateException("LRU tail mismatch");
                }
                lruCount++;
            }
            if (lruCount != this.idleTotal) {
                throw new IllegalStateException("idleTotal " + this.idleTotal + " but LRU holds " + lruCount);
            }
            int hostIdleSum = 0;
            for (HostPool h : this.hosts.values()) {
                int n = 0;
                for (PooledConnection c = h.idleHead; c != null; c = c.hostNext) {
                    if (c.state != PooledConnection.State.IDLE || c.host != h) {
                        throw new IllegalStateException(c + " misplaced in idle list of " + h.key);
                    }
                    if (c.hostNext != null && c.hostNext.idleSince - c.idleSince > 0) {
                        throw new IllegalStateException("idle list of " + h.key + " is not most-recent-first");
                    }
                    n++;
                }
                if (n != h.idle) {
                    throw new IllegalStateException("host " + h.key + " idle=" + h.idle + " but list holds " + n);
                }
                if (h.idle > h.maxIdleConnsPerHost) {
                    throw new IllegalStateException("host " + h.key + " exceeds its idle cap");
                }
                if (h.maxConnsPerHost > 0 && h.total() > h.maxConnsPerHost) {
                    throw new IllegalStateException("host " + h.key + " exceeds maxConnsPerHost: " + h.total());
                }
                long closedSum = 0;
                for (long x : h.closed) {
                    closedSum += x;
                }
                if (h.opened - closedSum != h.idle + h.active) {
                    throw new IllegalStateException(String.format("host %s: opened %d - closed %d != idle %d + active %d",
                            h.key, h.opened, closedSum, h.idle, h.active));
                }
                if (h.waiting > 0 && h.maxConnsPerHost > 0 && h.total() < h.maxConnsPerHost && h.idle == 0) {
                    throw new IllegalStateException("host " + h.key + " has waiters and a free slot");
                }
                checkNonNegative(h);
                hostIdleSum += h.idle;
            }
            if (hostIdleSum != this.idleTotal) {
                throw new IllegalStateException("hosts hold " + hostIdleSum + " idle but idleTotal=" + this.idleTotal);
            }
            if (this.maxIdleConns > 0 && this.idleTotal > this.maxIdleConns) {
                throw new IllegalStateException("idleTotal exceeds maxIdleConns");
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    // ---- machinery below: callers hold the lock ----

    private void activateIdleLocked(PooledConnection c, long now) {
        HostPool host = c.host;
        c.state = PooledConnection.State.ACTIVE;
        c.lastWasIdle = true;
        c.lastIdleNanos = now - c.idleSince;
        c.useCount++;
        host.reused++;
        host.peakActive = Math.max(host.peakActive, host.active);
    }

    private void removeIdleLocked(PooledConnection c) {
        c.host.unlinkIdleLocked(c);
        if (c.lruPrev != null) {
            c.lruPrev.lruNext = c.lruNext;
        }
        else {
            this.lruHead = c.lruNext;
        }
        if (c.lruNext != null) {
            c.lruNext.lruPrev = c.lruPrev;
        }
        else {
            this.lruTail = c.lruPrev;
        }
        c.lruPrev = null;
        c.lruNext = null;
        this.idleTotal--;
        // While unlinked it is neither idle nor active; the caller makes it one or the other, or closes it.
        c.state = PooledConnection.State.ACTIVE;
        c.host.active++;
    }

    private void addLruTailLocked(PooledConnection c) {
        c.lruNext = null;
        c.lruPrev = this.lruTail;
        if (this.lruTail != null) {
            this.lruTail.lruNext = c;
        }
        else {
            this.lruHead = c;
        }
        this.lruTail = c;
        this.idleTotal++;
    }

    /** Marks an unlinked, counted-active connection closed and frees its slot for a waiter. */
    private List<Closing> closeLocked(PooledConnection c, CloseReason reason, List<Closing> closings) {
        HostPool host = c.host;
        if (c.state != PooledConnection.State.ACTIVE) {
            throw new IllegalStateException(c + " closed while " + c.state);
        }
        c.state = PooledConnection.State.CLOSED;
        host.active--;
        checkNonNegative(host);
        host.closed[reason.ordinal()]++;
        grantSlotLocked(host);
        List<Closing> result = (closings != null) ? closings : new ArrayList<>(2);
        result.add(new Closing(c, reason));
        return result;
    }

    private void grantSlotLocked(HostPool host) {
        if (host.waiting > 0 && !this.closed && host.hasRoomLocked()) {
            Waiter w = host.pollWaiterLocked();
            if (w != null) {
                host.dialing++;
                w.mayDial = true;
                w.ready.signal();
            }
        }
    }

    private void scheduleEvictionLocked(long deadline, long now) {
        if (this.scheduler == null || this.closed || deadline == Long.MAX_VALUE
                || deadline - this.nextEvictionAt >= 0 && this.nextEvictionAt != Long.MAX_VALUE) {
            return;
        }
        this.nextEvictionAt = deadline;
        this.scheduler.schedule(this, Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
    }

    private static void checkNonNegative(HostPool h) {
        if (h.idle < 0 || h.active < 0 || h.dialing < 0 || h.waiting < 0) {
            // A negative count would silently turn into a deadlock or an unbounded pool; fail loudly.
            throw new IllegalStateException(String.format("Pool count underflow for %s: idle=%d active=%d "
                    + "dialing=%d waiting=%d", h.key, h.idle, h.active, h.dialing, h.waiting));
        }
    }

    private void closeAll(List<Closing> closings) {
        if (closings == null) {
            return;
        }
        for (Closing closing : closings) {
            try {
                closing.connection.closeTransport();
            }
            finally {
                this.events.connectionClosed(closing.connection.host.key, closing.connection.id, closing.reason);
            }
        }
    }

    private static java.util.Map<CloseReason, Long> toMap(long[] counts) {
        java.util.EnumMap<CloseReason, Long> map = new java.util.EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            map.put(reason, counts[reason.ordinal()]);
        }
        return map;
    }

    private record Closing(PooledConnection connection, CloseReason reason) {
    }
}
