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

    /** Dials in flight, oldest first. */
    private Dial dialsHead;

    private Dial dialsTail;

    /** Dials started under the lock and not launched yet. */
    private final List<Dial> toLaunch = new ArrayList<>();

    private volatile boolean launchesPending;

    private final DialLauncher launcher;

    /** Runs a dial the pool started, apart from the request that asked for it. */
    @FunctionalInterface
    public interface DialLauncher {

        /**
         * Runs the dial, then reports it with {@link #dialSucceeded} or {@link #dialFailed}; called outside the
         * pool's lock.
         *
         * @param dial the dial
         */
        void launch(Dial dial);
    }

    /** Hosts with no connection, waiter or dial, oldest first: dropped after {@link #hostExpiryNanos}. */
    private HostPool emptyHead;

    private HostPool emptyTail;

    private final long hostExpiryNanos;

    /** The counts of dropped hosts, so that totals stay exact. */
    private final HostPool retired = new HostPool(new HostKey("http", "retired.invalid", 80, null, null), 0, 0, 0,
            Duration.ZERO);

    /** Thrown by {@link #want} for a host dropped as the request found it: the request looks its key up again. */
    static final class StaleHostException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        StaleHostException() {
            super("host entry expired", null, false, false);
        }
    }

    private static final StaleHostException STALE_HOST = new StaleHostException();

    /** When the next eviction pass is scheduled for; MAX_VALUE when none is. */
    private long nextEvictionAt = Long.MAX_VALUE;

    /**
     * @param maxIdleConns the global idle cap, 0 for none
     * @param hostFactory creates a host's pool with its caps
     * @param time the clock
     * @param events receives put-idle and closed events, outside the lock
     * @param scheduler runs eviction passes, or {@code null} to evict only when asked
     * @param launcher runs the dials the pool starts
     */
    public ConnectionPool(int maxIdleConns, Function<HostKey, HostPool> hostFactory, TimeSource time,
            PoolEvents events, EvictionScheduler scheduler, DialLauncher launcher) {
        this(maxIdleConns, hostFactory, time, events, scheduler, launcher, Duration.ofSeconds(90));
    }

    /**
     * @param maxIdleConns the global idle cap, 0 for none
     * @param hostFactory creates a host's pool with its caps
     * @param time the clock
     * @param events receives put-idle, closed and host-removed events, outside the lock
     * @param scheduler runs eviction passes, or {@code null} to evict only when asked
     * @param launcher runs the dials the pool starts
     * @param hostExpiry how long a host key's entry stays with no connection, waiter or dial before it is dropped
     */
    public ConnectionPool(int maxIdleConns, Function<HostKey, HostPool> hostFactory, TimeSource time,
            PoolEvents events, EvictionScheduler scheduler, DialLauncher launcher, Duration hostExpiry) {
        this.hostExpiryNanos = hostExpiry.toNanos();
        this.launcher = launcher;
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
        return host(key, this.hostFactory);
    }

    /**
     * @param key a host key
     * @param factory creates the host's pool when it does not exist yet
     * @return the host's pool
     */
    public HostPool host(HostKey key, Function<HostKey, HostPool> factory) {
        HostPool host = this.hosts.get(key);
        if (host != null) {
            return host;
        }
        HostPool[] created = new HostPool[1];
        host = this.hosts.computeIfAbsent(key, k -> created[0] = factory.apply(k));
        if (created[0] == host) {
            // Empty from birth: it expires like any other if no request ever gets to use it.
            this.lock.lock();
            try {
                touchLocked(host);
            }
            finally {
                this.lock.unlock();
            }
        }
        return host;
    }

    /**
     * @param key a host key
     * @return the host's pool, or {@code null} when no request has used the key yet
     */
    public HostPool existingHost(HostKey key) {
        return this.hosts.get(key);
    }

    /**
     * Takes the most recently used idle connection of the host; without one, starts a dial for the request (or,
     * at {@code maxConnsPerHost}, queues it for a slot) and waits for whichever comes first: a connection another
     * request releases, the connection its dial makes, or its dial's failure (Go's late binding). A dial whose
     * requester was served elsewhere goes on; its connection goes to the next waiting request or the idle list.
     *
     * @param host the host pool
     * @param countRequest whether this is a new request (not a retry or a replacement of a stale connection)
     * @param fresh whether only a new connection will do (a replay after a reused one failed)
     * @param acquireTimeoutNanos how long to wait in line at {@code maxConnsPerHost}, 0 for no limit; a request
     *     whose dial is under way waits for it (the dial has its own timeouts)
     * @return a connection, now active and the caller's
     * @throws TransportClosedException when the pool is closed
     * @throws AcquireTimeoutException when the wait in line timed out
     * @throws java.io.InterruptedIOException when the thread was interrupted while waiting
     * @throws java.io.IOException the failure of the dial made for this request
     */
    public PooledConnection acquire(HostPool host, boolean countRequest, boolean fresh, long acquireTimeoutNanos)
            throws java.io.IOException {
        return acquire(host, countRequest, fresh, acquireTimeoutNanos, null, DialSpec.DEFAULT);
    }

    /**
     * As {@link #acquire(HostPool, boolean, boolean, long)}, for a call that can be stopped while it waits: a
     * stop wakes the wait, which then leaves the line and throws the call's cancellation (its dial goes on).
     *
     * @param host the host pool
     * @param countRequest whether this is a new request
     * @param fresh whether only a new connection will do
     * @param acquireTimeoutNanos how long to wait in line, 0 for no limit
     * @param call the waiting call, or {@code null}
     * @param spec how to dial for it
     * @return a connection, now active and the caller's
     * @throws java.io.IOException as the other form, and the call's cancellation when it was stopped
     */
    PooledConnection acquire(HostPool host, boolean countRequest, boolean fresh, long acquireTimeoutNanos,
            CallState call, DialSpec spec) throws java.io.IOException {
        Object wanted = wantOrTake(host, countRequest, fresh, spec);
        if (wanted instanceof PooledConnection idle) {
            return idle; // an idle one, at once: no waiter made
        }
        Waiter waiter = (Waiter) wanted;
        if (call == null) {
            return awaitTurn(host, waiter, acquireTimeoutNanos, null);
        }
        try {
            call.enter("waiting for a connection", () -> wake(waiter));
        }
        catch (io.github.pooledtransport.core.TransportCancelledException ex) {
            leave(host, waiter);
            labelDial(call, waiter);
            throw call.cancelled(null);
        }
        try {
            return awaitTurn(host, waiter, acquireTimeoutNanos, call);
        }
        catch (java.io.InterruptedIOException ex) {
            labelDial(call, waiter);
            throw call.stoppedFailure(ex); // an interrupt stops the call; outside the pool's lock
        }
        finally {
            call.leave();
        }
    }

    /** Names the step of the dial a stopped call was waiting for, for its message. */
    private void labelDial(CallState call, Waiter waiter) {
        this.lock.lock();
        try {
            labelDialLocked(call, waiter);
        }
        finally {
            this.lock.unlock();
        }
    }

    private static void labelDialLocked(CallState call, Waiter waiter) {
        if (waiter.dial != null) {
            call.label("waiting for a connection while its dial was " + waiter.dial.state.phase());
        }
    }

    /**
     * The non-blocking half of {@link #acquire}: an idle connection at once (a waiter without a condition, served),
     * or a waiter registered for a released connection and, room permitting, with a dial started for it.
     */
    Waiter want(HostPool host, boolean countRequest, boolean fresh, DialSpec spec) throws TransportClosedException {
        Object wanted = wantOrTake(host, countRequest, fresh, spec);
        if (wanted instanceof PooledConnection idle) {
            Waiter served = new Waiter(host, null, false, spec);
            served.connection = idle;
            return served;
        }
        return (Waiter) wanted;
    }

    /** @return an idle connection, now active, or the waiter registered for one */
    private Object wantOrTake(HostPool host, boolean countRequest, boolean fresh, DialSpec spec)
            throws TransportClosedException {
        List<Closing> expired = null;
        this.lock.lock();
        try {
            if (this.closed) {
                throw new TransportClosedException(host.key);
            }
            if (host.removed) {
                throw STALE_HOST;
            }
            if (host.inEmptyList) {
                unlinkEmptyLocked(host);
            }
            if (countRequest) {
                host.requests++;
            }
            long now = this.time.nanoTime();
            if (!fresh) {
                PooledConnection shared;
                while ((shared = host.sharedHead) != null) {
                    if (now - shared.expiresAt >= 0) {
                        // Past its lifetime: its streams finish, it takes no new ones, and closes after the last.
                        markRetiringLocked(shared, CloseReason.LIFETIME_EXPIRED);
                        continue;
                    }
                    takeStreamLocked(shared);
                    return shared;
                }
                PooledConnection c;
                while ((c = host.idleHead) != null) {
                    removeIdleLocked(c);
                    if (now - c.idleDeadline() >= 0) {
                        expired = closeLocked(c, c.expiryReason(now), expired);
                        continue;
                    }
                    activateIdleLocked(c, now);
                    if (c.multiplexed) {
                        setStreamsLocked(c, 1);
                        shareIfRoomLocked(c);
                    }
                    return c;
                }
            }
            Waiter waiter = new Waiter(host, this.lock.newCondition(), fresh, spec);
            waiter.counted = countRequest;
            if (!fresh) {
                host.idleWaiters.add(waiter.idleLink);
                if (host.multiplexed && host.dialing > 0) {
                    // The connection a dial in flight brings carries many streams: wait for it (Go's HTTP/2 pool
                    // dials once per host), and dial only when no dial is left in flight.
                    waiter.joined = true;
                    host.joiners++;
                    host.joinWaiters.add(waiter.joinLink);
                    return waiter;
                }
                if (host.waitsForStreamsLocked()) {
                    // Strict: wait in line for a stream of the connections open, within the acquire timeout.
                    waiter.inLine = true;
                    waiter.forStream = true;
                    host.slotWaiters.add(waiter.slotLink);
                    host.waiting++;
                    if (countRequest) {
                        host.streamWaits++; // once per request, not again for its retries
                    }
                    return waiter;
                }
                // Requests in line for a slot are served first (the line is first come, first served): only spare
                // dials beyond them and beyond the adopters before are left for this one.
                if (!host.multiplexed && host.spareDials > host.adopters + host.waiting) {
                    // A dial in flight whose request was served elsewhere (or gave up) will bring a connection
                    // nobody waits for: wait on it rather than start another. Go starts one per request; this keeps
                    // a cold burst from opening more connections than there are concurrent requests.
                    waiter.adopted = true;
                    host.adopters++;
                    host.adopterWaiters.add(waiter.adoptLink);
                    return waiter;
                }
            }
            if (fresh && !host.hasRoomLocked() && host.idleTail != null) {
                // A replay may not take an idle connection: close the least recently used one for its dial.
                PooledConnection oldest = host.idleTail;
                removeIdleLocked(oldest);
                expired = closeLocked(oldest, CloseReason.MAKING_ROOM, expired); // its slot goes to the line
            }
            // A replay needs a connection of its own; a strict host's line waits for streams, which a replay never
            // takes, and its slots are granted only when the host stops waiting for streams: the replay dials now.
            if (host.hasRoomLocked() && (host.waiting == 0 || fresh && host.waitsForStreamsLocked())) {
                startDialLocked(host, waiter);
            }
            else {
                waiter.inLine = true;
                host.slotWaiters.add(waiter.slotLink);
                host.waiting++;
            }
            return waiter;
        }
        finally {
            this.lock.unlock();
            closeAll(expired);
            launchPending();
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
     * A waiter that will not wait after all leaves; a connection it was served meanwhile goes back (to the next
     * waiter or the idle list). Its dial, if any, goes on.
     */
    void leave(HostPool host, Waiter waiter) {
        PooledConnection served;
        this.lock.lock();
        try {
            served = leaveLocked(host, waiter);
        }
        finally {
            this.lock.unlock();
        }
        if (served != null) {
            release(served, null);
        }
    }

    /** @return the connection it was served, which the caller gives back outside the lock, or {@code null} */
    private PooledConnection leaveLocked(HostPool host, Waiter waiter) {
        waiter.leaveLines();
        if (!waiter.isServed()) {
            waiter.cancelled = true;
            if (waiter.inLine) {
                waiter.inLine = false;
                host.waiting--;
                touchLocked(host);
            }
            return null;
        }
        PooledConnection served = waiter.connection;
        waiter.connection = null;
        waiter.cancelled = true;
        if (served != null) {
            // It served nothing here: undo the hand-over's count, so the next owner's is the right one.
            served.useCount--;
            if (served.useCount > 0) {
                host.reused--;
            }
        }
        return served;
    }

    private PooledConnection awaitTurn(HostPool host, Waiter waiter, long timeoutNanos, CallState call)
            throws java.io.IOException {
        long remaining = timeoutNanos;
        PooledConnection giveBack = null;
        this.lock.lock();
        try {
            while (!waiter.isServed()) {
                if (call != null && call.isStopped()) {
                    labelDialLocked(call, waiter);
                    leaveLocked(host, waiter);
                    break;
                }
                try {
                    if (timeoutNanos == 0 || waiter.dial != null || waiter.adopted || waiter.joined) {
                        waiter.ready.await(); // a dial under way ends by itself, within its own timeouts
                    }
                    else {
                        if (remaining <= 0) {
                            leaveLocked(host, waiter);
                            if (waiter.forStream && host.waitsForStreamsLocked()) {
                                // Still for a stream: had the host's last connection retired meanwhile, the wait
                                // would now be for a slot at maxConnsPerHost, and the plain timeout says so.
                                host.streamWaitTimeouts++;
                                throw AcquireTimeoutException.waitingForStream(host.key,
                                        Duration.ofNanos(timeoutNanos), host.maxConnsPerHost, host.active,
                                        host.streams, host.waiting + 1);
                            }
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
                        leaveLocked(host, waiter);
                        java.io.InterruptedIOException ioe = new java.io.InterruptedIOException(
                                "Interrupted while waiting for a connection to " + host.key);
                        ioe.initCause(ex);
                        throw ioe;
                    }
                }
            }
            if (waiter.isServed()) {
                if (call != null && call.isStopped() && waiter.connection != null) {
                    giveBack = leaveLocked(host, waiter); // served as it was stopped: not its any more
                }
                else {
                    return served(host, waiter);
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        if (giveBack != null) {
            release(giveBack, null);
        }
        // Stopped, and out of line. Outside the pool's lock: cancelled() waits for a stop still at work, which
        // holds the call's lock and may want the pool's.
        throw call.cancelled(null);
    }

    /** What a served waiter gets: its connection, or the reason it gets none. */
    private static PooledConnection served(HostPool host, Waiter waiter) throws java.io.IOException {
        if (waiter.connection != null) {
            return waiter.connection;
        }
        if (waiter.transportClosed) {
            throw new TransportClosedException(host.key);
        }
        Throwable failure = waiter.dialError;
        if (failure instanceof java.io.IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw (Error) failure;
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

    /**
     * A dial made a connection: it goes to its requester if that still waits, else to the next waiting request
     * or the idle list (a dial that lost the race is counted). Called by whoever ran the dial.
     *
     * @param dial the dial
     * @param c the new connection
     */
    public void dialSucceeded(Dial dial, PooledConnection c) {
        HostPool host = dial.host;
        List<Closing> closings = null;
        boolean putIdle = false;
        this.lock.lock();
        try {
            host.active++; // before the dial leaves, so the host never looks empty in between
            c.admitted = true;
            host.linkOpenLocked(c);
            if (c.multiplexed) {
                host.multiplexedOpen++;
                if (c.retiring != null) {
                    host.retiringMultiplexed++;
                }
            }
            unlinkDialLocked(dial);
            if (host.multiplexed && !c.multiplexed) {
                // The server chose HTTP/1.1 (ALPN): requests no longer wait for one dial, each gets its own.
                host.multiplexed = false;
                joinersToDialsLocked(host);
            }
            else if (c.multiplexed) {
                host.multiplexed = true;
            }
            host.opened++;
            c.state = PooledConnection.State.ACTIVE;
            c.lastWasIdle = false;
            c.lastIdleNanos = 0;
            host.peakActive = Math.max(host.peakActive, host.active);
            Waiter requester = dial.requester;
            if (this.closed) {
                closings = closeLocked(c, CloseReason.TRANSPORT_CLOSED, null);
            }
            else if (c.retiring != null && !requester.isWaiting()) {
                // It takes no streams (a GOAWAY right after its SETTINGS) and nobody waits for it: closed. A requester
                // still waiting gets it below, fails to start its stream, and is sent again with Go's backoff: a
                // server that refuses every connection is not dialed in a tight loop.
                closings = closeLocked(c, c.retiring, null);
                adoptersWithoutDialLocked(host);
            }
            else if (requester.isWaiting()) {
                c.useCount = 1;
                serveLocked(host, requester, c);
                if (c.multiplexed) {
                    setStreamsLocked(c, 1);
                    if (c.retiring != null) {
                        shareRetiredLocked(c);
                    }
                    else {
                        fillStreamsLocked(c);
                    }
                }
            }
            else {
                if (!requester.cancelled) {
                    host.dialsLost++;
                }
                c.useCount = 0;
                Offer offer = offerLocked(c, this.time.nanoTime());
                closings = offer.closings;
                putIdle = offer.putIdle;
                adoptersWithoutDialLocked(host);
            }
            joinersWithoutDialLocked(host);
            grantSlotLocked(host); // a multiplexed host dials from its line one at a time: the next, if any
        }
        finally {
            this.lock.unlock();
        }
        if (putIdle) {
            this.events.putIdleConn(host.key, c.id);
        }
        closeAll(closings);
        launchPending();
    }

    /**
     * A dial failed or was stopped: its requester, if it still waits, is served the failure (as in Go); the slot
     * goes to the next request in line.
     *
     * @param dial the dial
     * @param failure why
     */
    public void dialFailed(Dial dial, Throwable failure) {
        HostPool host = dial.host;
        this.lock.lock();
        try {
            unlinkDialLocked(dial);
            checkNonNegative(host);
            Waiter requester = dial.requester;
            if (requester.isWaiting()) {
                requester.dialError = failure;
                requester.leaveLines();
                requester.ready.signal();
            }
            adoptersWithoutDialLocked(host);
            if (dial.stopped) {
                joinersWithoutDialLocked(host); // stopped, not failed: its failure is nobody else's
            }
            else if (host.dialing == 0) {
                // The dial the joiners waited for failed, with none left in flight: each is served its failure,
                // as Go's shared dial call gives its error to every waiter, instead of dialing again one by one.
                Waiter w;
                while ((w = host.joinWaiters.poll()) != null) {
                    w.dialError = failure;
                    w.leaveLines();
                    w.ready.signal();
                }
            }
            grantSlotLocked(host);
        }
        finally {
            this.lock.unlock();
        }
        launchPending();
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
            if (c.multiplexed) {
                Offer offer = releaseStreamLocked(c, reason, now);
                closings = offer.closings;
                putIdle = offer.putIdle;
                reason = null;
            }
            else if (reason == null) {
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
            if (c.multiplexed) {
                // done above
            }
            else if (reason != null) {
                closings = closeLocked(c, reason, null);
            }
            else {
                Offer offer = offerLocked(c, now);
                closings = offer.closings;
                putIdle = offer.putIdle;
            }
        }
        finally {
            this.lock.unlock();
        }
        if (putIdle) {
            this.events.putIdleConn(host.key, c.id);
        }
        closeAll(closings);
        launchPending();
    }

    /**
     * A stream of a multiplexed connection ended: the connection closes after its last stream once it is retiring
     * (or the stream's end says it must); a usable one gives the freed stream to the first waiting request, and
     * with no stream left is released as a whole (to a waiter, or idle).
     */
    private Offer releaseStreamLocked(PooledConnection c, CloseReason closeReason, long now) {
        HostPool host = c.host;
        setStreamsLocked(c, c.streams - 1);
        CloseReason reason = closeReason;
        if (reason == null && this.closed) {
            reason = CloseReason.TRANSPORT_CLOSED;
        }
        else if (reason == null && now - c.expiresAt >= 0) {
            reason = CloseReason.LIFETIME_EXPIRED;
        }
        if (reason != null) {
            markRetiringLocked(c, reason);
        }
        if (c.retiring != null) {
            return new Offer((c.streams == 0) ? closeLocked(c, c.retiring, null) : null, false);
        }
        if (c.streams > 0) {
            fillStreamsLocked(c);
            return new Offer(null, false);
        }
        host.unlinkSharedLocked(c);
        return offerLocked(c, now);
    }

    /**
     * The server of a multiplexed connection changed how many streams it may carry at once (SETTINGS): waiting
     * requests take the new room. Called by the connection's reader, outside its own locks.
     *
     * @param c the connection
     * @param limit the server's SETTINGS_MAX_CONCURRENT_STREAMS, capped by the stream ids left
     */
    void streamLimitChanged(PooledConnection c, int limit) {
        this.lock.lock();
        try {
            if (c.state == PooledConnection.State.CLOSED) {
                return;
            }
            // A server that allows no stream at all (0) would leave an idle connection nobody may take: it gets
            // one, which the server refuses (REFUSED_STREAM, sent again elsewhere), as Go's minimum of one.
            c.streamLimit = Math.max(1, limit);
            if (c.admitted && c.state == PooledConnection.State.ACTIVE && c.retiring == null) {
                fillStreamsLocked(c);
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * A multiplexed connection takes no new streams (GOAWAY, a failure, stream ids used up): an idle one closes
     * now, an active one after its last stream. Called by the connection, outside its own locks.
     *
     * @param c the connection
     * @param reason why
     */
    void retire(PooledConnection c, CloseReason reason) {
        List<Closing> closings = null;
        this.lock.lock();
        try {
            if (c.state == PooledConnection.State.CLOSED) {
                return;
            }
            markRetiringLocked(c, reason);
            if (c.state == PooledConnection.State.IDLE) {
                removeIdleLocked(c);
                closings = closeLocked(c, c.retiring, null);
            }
        }
        finally {
            this.lock.unlock();
        }
        closeAll(closings);
        launchPending();
    }

    /**
     * A multiplexed connection takes no new streams from now on; it closes after its last. Requests a strict host
     * kept waiting for streams get dials when no usable connection is left.
     */
    private void markRetiringLocked(PooledConnection c, CloseReason reason) {
        HostPool host = c.host;
        if (c.retiring == null) {
            c.retiring = reason;
            if (c.admitted && c.multiplexed) {
                host.retiringMultiplexed++;
            }
        }
        host.unlinkSharedLocked(c);
        grantSlotLocked(host);
    }

    /** Gives a request a stream of a multiplexed connection that has room. */
    private static void takeStreamLocked(PooledConnection c) {
        HostPool host = c.host;
        setStreamsLocked(c, c.streams + 1);
        if (c.useCount > 0) {
            host.reused++;
        }
        c.useCount++;
        c.lastWasIdle = false;
        c.lastIdleNanos = 0;
        shareIfRoomLocked(c);
    }

    /** Sets a multiplexed connection's stream count, keeping its host's sum exact. */
    private static void setStreamsLocked(PooledConnection c, int streams) {
        c.host.streams += streams - c.streams;
        c.streams = streams;
    }

    /** Serves waiting requests from the free streams of an active multiplexed connection, and shares the rest. */
    private static void fillStreamsLocked(PooledConnection c) {
        HostPool host = c.host;
        while (c.retiring == null && c.streams < c.streamLimit) {
            Waiter waiter = host.pollIdleWaiterLocked();
            if (waiter == null) {
                break;
            }
            takeStreamLocked(c);
            serveLocked(host, waiter, c);
        }
        shareIfRoomLocked(c);
    }

    /**
     * A connection retired before its first stream (a GOAWAY right after its SETTINGS) goes to every request that
     * waited for its dial too, up to its stream limit, as Go's shared dial hands all its waiters the same connection:
     * each fails to start its stream and is sent again on Go's schedule, instead of each in turn dialing again at once.
     */
    private static void shareRetiredLocked(PooledConnection c) {
        HostPool host = c.host;
        while (host.joiners > 0 && c.streams < c.streamLimit) {
            Waiter joiner = host.joinWaiters.poll();
            if (joiner == null) {
                throw new IllegalStateException("host " + host.key + " counts " + host.joiners
                        + " joiners but has none");
            }
            takeStreamLocked(c);
            serveLocked(host, joiner, c);
        }
    }

    /** Keeps the host's list of connections with a free stream exact for this one. */
    private static void shareIfRoomLocked(PooledConnection c) {
        if (c.multiplexed && c.state == PooledConnection.State.ACTIVE && c.retiring == null
                && c.streams < c.streamLimit) {
            c.host.linkSharedLocked(c);
        }
        else {
            c.host.unlinkSharedLocked(c);
        }
    }

    /** A host turned out to speak HTTP/1.1: every request that waited for its dial gets one, or a place in line. */
    private void joinersToDialsLocked(HostPool host) {
        Waiter w;
        while ((w = host.joinWaiters.poll()) != null) {
            w.joined = false;
            host.joiners--;
            dialOrLineLocked(host, w);
        }
    }

    /**
     * No dial is left in flight for a multiplexed host: the first request that waited for one gets a dial of its
     * own, or a place in line at {@code maxConnsPerHost}; the others keep waiting for that dial.
     */
    private void joinersWithoutDialLocked(HostPool host) {
        // At maxConnsPerHost every joiner goes in line: with no dial in flight there is nothing to wait for.
        while (host.joiners > 0 && host.dialing == 0 && !this.closed) {
            Waiter w = host.joinWaiters.poll();
            if (w == null) {
                throw new IllegalStateException("host " + host.key + " counts " + host.joiners
                        + " joiners but has none");
            }
            w.joined = false;
            host.joiners--;
            dialOrLineLocked(host, w);
        }
    }

    /** Where an offered connection went: {@code putIdle} when it was kept (idle or handed over). */
    private record Offer(List<Closing> closings, boolean putIdle) {
    }

    /**
     * A usable active connection goes to the first waiting request, as Go's {@code tryDeliver} (it stays active,
     * the waiter never sees it idle), else to the idle list within the caps.
     */
    private Offer offerLocked(PooledConnection c, long now) {
        HostPool host = c.host;
        Waiter waiter = host.pollIdleWaiterLocked();
        if (waiter != null) {
            if (c.useCount > 0) {
                host.reused++;
            }
            c.useCount++;
            c.lastWasIdle = false;
            c.lastIdleNanos = 0;
            serveLocked(host, waiter, c);
            if (c.multiplexed) {
                setStreamsLocked(c, 1);
                fillStreamsLocked(c);
            }
            return new Offer(null, true);
        }
        if (host.waiting > 0) {
            // Only replays wait in line with no waiter for a released connection: they need a new one.
            return new Offer(closeLocked(c, CloseReason.MAKING_ROOM, null), false);
        }
        if (host.idle >= host.maxIdleConnsPerHost) {
            return new Offer(closeLocked(c, CloseReason.IDLE_PER_HOST_CAP, null), false);
        }
        host.active--;
        c.state = PooledConnection.State.IDLE;
        c.idleSince = now;
        host.pushIdleLocked(c);
        addLruTailLocked(c);
        List<Closing> closings = null;
        boolean kept = true;
        if (this.maxIdleConns > 0 && this.idleTotal > this.maxIdleConns) {
            PooledConnection oldest = this.lruHead;
            removeIdleLocked(oldest);
            closings = closeLocked(oldest, CloseReason.IDLE_GLOBAL_CAP, null);
            kept = oldest != c;
        }
        if (c.state == PooledConnection.State.IDLE) {
            scheduleEvictionLocked(c.idleDeadline(), now);
        }
        return new Offer(closings, kept);
    }

    /** Hands an active connection to a waiting request and wakes it. */
    private static void serveLocked(HostPool host, Waiter waiter, PooledConnection c) {
        waiter.leaveLines();
        waiter.connection = c;
        if (waiter.inLine) {
            waiter.inLine = false;
            host.waiting--;
        }
        waiter.ready.signal();
    }

    /**
     * Counts an HTTP/2 response the garbage collector found unclosed: its stream is reset, but its connection serves
     * other requests and is not closed, so no close reason counts it.
     *
     * @param c the connection whose stream leaked
     */
    void countLeakedStream(PooledConnection c) {
        this.lock.lock();
        try {
            c.host.leakedStreams++;
        }
        finally {
            this.lock.unlock();
        }
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
            if (c.useCount > 1) {
                c.host.reused--; // its reuse was counted when it was handed out
            }
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
        List<HostStats> dropped;
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
            dropped = expireHostsLocked(now);
        }
        finally {
            this.lock.unlock();
        }
        closeAll(closings);
        launchPending(); // the slots they freed may have started dials for requests in line
        if (dropped != null) {
            dropped.forEach(this.events::hostRemoved);
        }
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
        List<Dial> unwanted = new ArrayList<>();
        int count = 0;
        this.lock.lock();
        try {
            PooledConnection c;
            while ((c = this.lruHead) != null) {
                removeIdleLocked(c);
                closings = closeLocked(c, reason, closings);
                count++;
            }
            // Dials nobody waits for would only add idle connections (Go's CloseIdleConnections cancels them too).
            java.util.Map<HostPool, Integer> spareSeen = new java.util.HashMap<>();
            for (Dial d = this.dialsHead; d != null; d = d.next) {
                if (this.closed || !d.requester.isWaiting()) {
                    // As many spare dials as requests adopted them are still waited for.
                    if (!this.closed && d.spare && spareSeen.merge(d.host, 1, Integer::sum) <= d.host.adopters) {
                        continue;
                    }
                    if (!this.closed && d.host.multiplexed && (d.host.joiners > 0 || d.host.waiting > 0)) {
                        continue; // requests wait for the connection it brings, to share it
                    }
                    if (d.spare) {
                        d.spare = false; // stopping: no later request may adopt it
                        d.host.spareDials--;
                    }
                    d.stopped = true;
                    unwanted.add(d);
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        closeAll(closings);
        for (Dial d : unwanted) {
            d.state.stop(io.github.pooledtransport.core.TransportCancelledException.Cause.CANCELLED);
        }
        launchPending();
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
                while ((w = host.pollIdleWaiterLocked()) != null) {
                    closedLocked(host, w);
                }
                while ((w = host.pollSlotWaiterLocked()) != null) {
                    closedLocked(host, w);
                }
            }
            for (Dial d = this.dialsHead; d != null; d = d.next) {
                if (d.requester.isWaiting()) {
                    closedLocked(d.host, d.requester); // fresh requesters wait in no queue
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

    private static void closedLocked(HostPool host, Waiter w) {
        w.leaveLines();
        if (w.inLine) {
            w.inLine = false;
            host.waiting--;
        }
        w.transportClosed = true;
        w.ready.signal();
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
        long dialsLost = 0;
        long fallbacks = 0;
        int multiplexed = 0;
        int streams = 0;
        long streamWaits = 0;
        long streamWaitTimeouts = 0;
        long leakedStreams = 0;
        long[] closedTotals = new long[CloseReason.values().length];
        this.lock.lock();
        try {
            // The dropped hosts' counts first (their connection counts are all zero), then the live hosts'.
            for (HostPool h : concat(this.retired, this.hosts.values())) {
                if (h != this.retired) {
                    result.add(hostStatsLocked(h));
                }
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
                dialsLost += h.dialsLost;
                fallbacks += h.fallbacks.sum();
                multiplexed += h.multiplexedOpen;
                streams += h.streams;
                streamWaits += h.streamWaits;
                streamWaitTimeouts += h.streamWaitTimeouts;
                leakedStreams += h.leakedStreams;
                for (int i = 0; i < closedTotals.length; i++) {
                    closedTotals[i] += h.closed[i];
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        totalsOut[0] = new PoolStats(idle, active, dialing, waiting, peak, opened, reused, requests,
                toMap(closedTotals), acquireTimeouts, replays, cancellations, callTimeouts, dialsLost, fallbacks,
                multiplexed, streams, streamWaits, streamWaitTimeouts, leakedStreams);
        return result;
    }

    private static Iterable<HostPool> concat(HostPool first, java.util.Collection<HostPool> rest) {
        List<HostPool> all = new ArrayList<>(rest.size() + 1);
        all.add(first);
        all.addAll(rest);
        return all;
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

    /**
     * Takes a snapshot of one host's open connections, in O(its connections): for tools, not for meters.
     *
     * @param key the host key
     * @return its open connections, newest first; empty when none is open or no request used the key
     */
    public List<io.github.pooledtransport.core.ConnectionStats> connections(HostKey key) {
        HostPool host = this.hosts.get(key);
        if (host == null) {
            return List.of();
        }
        List<io.github.pooledtransport.core.ConnectionStats> result = new ArrayList<>();
        this.lock.lock();
        try {
            long now = this.time.nanoTime();
            for (PooledConnection c = host.openHead; c != null; c = c.openNext) {
                boolean idle = c.state == PooledConnection.State.IDLE;
                int streams = c.multiplexed ? c.streams : (idle ? 0 : 1);
                result.add(new io.github.pooledtransport.core.ConnectionStats(c.id,
                        c.multiplexed ? "HTTP/2" : "HTTP/1.1", idle, streams, c.multiplexed ? c.streamLimit : 1,
                        c.retiring, c.useCount, java.time.Duration.ofNanos(Math.max(0, now - c.createdAt)),
                        idle ? java.time.Duration.ofNanos(Math.max(0, now - c.idleSince)) : java.time.Duration.ZERO));
            }
        }
        finally {
            this.lock.unlock();
        }
        return result;
    }

    private static HostStats hostStatsLocked(HostPool h) {
        PoolStats stats = new PoolStats(h.idle, h.active, h.dialing, h.waiting, h.peakActive, h.opened, h.reused,
                h.requests, toMap(h.closed), h.acquireTimeouts, h.replays, h.cancellations, h.callTimeouts, h.dialsLost,
                h.fallbacks.sum(), h.multiplexedOpen, h.streams, h.streamWaits, h.streamWaitTimeouts,
                h.leakedStreams);
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
                int open = 0;
                for (PooledConnection c = h.openHead; c != null; c = c.openNext) {
                    if (c.state == PooledConnection.State.CLOSED || c.host != h || !c.admitted
                            || (c.openNext != null && c.openNext.openPrev != c)) {
                        throw new IllegalStateException(c + " is in the open list of " + h.key + " while " + c.state);
                    }
                    open++;
                }
                if (open != h.idle + h.active) {
                    throw new IllegalStateException("host " + h.key + " lists " + open + " open connections, counts "
                            + h.idle + " idle + " + h.active + " active");
                }
                if (h.waiting > 0 && h.hasRoomLocked() && !this.closed && !h.waitsForStreamsLocked()
                        && !(h.multiplexed && h.dialing > 0)) {
                    throw new IllegalStateException("host " + h.key + " has requests in line and a free slot");
                }
                int inLine = 0;
                for (Waiter w : h.slotWaiters.toList()) {
                    inLine += w.inLine ? 1 : 0;
                }
                if (inLine != h.waiting) {
                    throw new IllegalStateException("host " + h.key + " waiting=" + h.waiting + " but " + inLine
                            + " in line");
                }
                if (h.idle > 0 && h.idleWaiters.size() > 0) {
                    throw new IllegalStateException("host " + h.key + " has idle connections and waiting requests");
                }
                int adopted = 0;
                for (Waiter w : h.adopterWaiters.toList()) {
                    if (!w.adopted || !w.isWaiting() || w.dial != null || w.inLine || w.fresh
                            || !h.idleWaiters.toList().contains(w)) {
                        throw new IllegalStateException("host " + h.key + " lists " + w + " as an adopter");
                    }
                    adopted++;
                }
                if (adopted != h.adopters || h.adopters > h.spareDials && !this.closed) {
                    throw new IllegalStateException("host " + h.key + " adopters=" + h.adopters + " listed=" + adopted
                            + " spareDials=" + h.spareDials);
                }
                checkStreamsLocked(h);
                checkNonNegative(h);
                hostIdleSum += h.idle;
            }
            java.util.Map<HostPool, Integer> dials = new java.util.HashMap<>();
            java.util.Map<HostPool, Integer> spares = new java.util.HashMap<>();
            for (Dial d = this.dialsHead; d != null; d = d.next) {
                dials.merge(d.host, 1, Integer::sum);
                if (d.spare) {
                    spares.merge(d.host, 1, Integer::sum);
                    if (d.requester.isWaiting()) {
                        throw new IllegalStateException("dial " + d.id + " is spare but its request still waits");
                    }
                }
                else if (!d.stopped && !this.closed && !d.requester.isWaiting()) {
                    throw new IllegalStateException("dial " + d.id + " runs for a request that stopped waiting, "
                            + "but is not spare");
                }
            }
            for (HostPool h : this.hosts.values()) {
                if (spares.getOrDefault(h, 0) != h.spareDials) {
                    throw new IllegalStateException("host " + h.key + " spareDials=" + h.spareDials + " but "
                            + spares.getOrDefault(h, 0) + " spare dials in flight");
                }
            }
            for (HostPool h : this.hosts.values()) {
                if (dials.getOrDefault(h, 0) != h.dialing) {
                    throw new IllegalStateException("host " + h.key + " dialing=" + h.dialing + " but "
                            + dials.getOrDefault(h, 0) + " dials in flight");
                }
            }
            for (HostPool h = this.emptyHead; h != null; h = h.emptyNext) {
                if (h.total() != 0 || h.waiting != 0 || h.removed || this.hosts.get(h.key) != h) {
                    throw new IllegalStateException("host " + h.key + " in the empty list is not an empty live host");
                }
                if (h.emptyNext != null && h.emptyNext.emptySince - h.emptySince < 0) {
                    throw new IllegalStateException("the empty list is not oldest first");
                }
            }
            for (HostPool h : this.hosts.values()) {
                if (h.total() == 0 && h.waiting == 0 && !h.inEmptyList) {
                    throw new IllegalStateException("host " + h.key + " is empty but not in the empty list");
                }
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

    /** The multiplexing invariants of one host. */
    private void checkStreamsLocked(HostPool h) {
        int sharedCount = 0;
        for (PooledConnection c = h.sharedHead; c != null; c = c.sharedNext) {
            if (!c.inShared || !c.multiplexed || c.host != h || c.state != PooledConnection.State.ACTIVE
                    || c.retiring != null || c.streams < 1 || c.streams >= c.streamLimit) {
                throw new IllegalStateException(c + " is shared with streams=" + c.streams + "/" + c.streamLimit
                        + " while " + c.state + (c.retiring != null ? ", retiring" : ""));
            }
            if (c.sharedNext == null && c != h.sharedTail) {
                throw new IllegalStateException("shared tail mismatch for " + h.key);
            }
            sharedCount++;
        }
        if (sharedCount != h.shared) {
            throw new IllegalStateException("host " + h.key + " shared=" + h.shared + " but list holds " + sharedCount);
        }
        if (h.streams < 0 || h.multiplexedOpen < 0 || h.multiplexedOpen > h.idle + h.active
                || h.retiringMultiplexed < 0 || h.retiringMultiplexed > h.multiplexedOpen
                || (h.streams > 0 && h.multiplexedOpen == 0)) {
            throw new IllegalStateException("host " + h.key + " streams=" + h.streams + " multiplexed="
                    + h.multiplexedOpen + " idle=" + h.idle + " active=" + h.active);
        }
        if (h.shared > 0 && h.idleWaiters.size() > 0) {
            throw new IllegalStateException("host " + h.key + " has a free stream and waiting requests");
        }
        for (PooledConnection c = h.idleHead; c != null; c = c.hostNext) {
            if (c.streams != 0 || c.inShared || c.retiring != null) {
                throw new IllegalStateException(c + " is idle with streams=" + c.streams + ", shared=" + c.inShared
                        + ", retiring=" + c.retiring);
            }
        }
        int joined = 0;
        for (Waiter w : h.joinWaiters.toList()) {
            if (!w.joined || !w.isWaiting() || w.dial != null || w.inLine || w.adopted || w.fresh
                    || !h.idleWaiters.toList().contains(w)) {
                throw new IllegalStateException("host " + h.key + " lists " + w + " as a joiner");
            }
            joined++;
        }
        if (joined != h.joiners || (h.joiners > 0 && h.dialing == 0 && !this.closed)) {
            throw new IllegalStateException("host " + h.key + " joiners=" + h.joiners + " listed=" + joined
                    + " dialing=" + h.dialing);
        }
    }

    // ---- machinery below: callers hold the lock ----

    private void activateIdleLocked(PooledConnection c, long now) {
        HostPool host = c.host;
        c.state = PooledConnection.State.ACTIVE;
        c.lastWasIdle = true;
        c.lastIdleNanos = now - c.idleSince;
        if (c.useCount > 0) {
            host.reused++; // a connection a lost dial left idle serves its first request
        }
        c.useCount++;
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
        host.unlinkSharedLocked(c);
        host.unlinkOpenLocked(c);
        if (c.multiplexed && c.admitted) {
            host.multiplexedOpen--;
            if (c.retiring != null) {
                host.retiringMultiplexed--;
            }
        }
        host.active--;
        checkNonNegative(host);
        host.closed[reason.ordinal()]++;
        grantSlotLocked(host);
        touchLocked(host);
        List<Closing> result = (closings != null) ? closings : new ArrayList<>(2);
        result.add(new Closing(c, reason));
        return result;
    }

    /** A spare dial ended: adopters beyond the spare dials left get a dial of their own, or a place in line. */
    private void adoptersWithoutDialLocked(HostPool host) {
        while (host.adopters > host.spareDials && !this.closed) {
            Waiter w = host.adopterWaiters.poll();
            if (w == null) {
                throw new IllegalStateException("host " + host.key + " counts " + host.adopters + " adopters but has none");
            }
            w.adopted = false;
            host.adopters--;
            dialOrLineLocked(host, w);
        }
    }

    /**
     * A request that waited untimed on someone else's dial gets a dial of its own, or at {@code maxConnsPerHost} a
     * place in line, where its acquire timeout applies (it is woken to start that clock).
     */
    private void dialOrLineLocked(HostPool host, Waiter w) {
        if (host.hasRoomLocked() && host.waiting == 0 && !host.waitsForStreamsLocked()) {
            startDialLocked(host, w);
        }
        else {
            w.inLine = true;
            host.slotWaiters.add(w.slotLink);
            host.waiting++;
            w.forStream = host.waitsForStreamsLocked(); // in line for a stream, or for a slot at maxConnsPerHost
            if (w.forStream && w.counted) {
                host.streamWaits++;
            }
            w.ready.signal();
        }
    }

    /** A slot freed up: the first request in line gets a dial started for it (and keeps waiting for either). */
    private void grantSlotLocked(HostPool host) {
        // A multiplexed host's new connection serves many in line (they are idle waiters too): one dial at a time.
        while (host.waiting > 0 && !this.closed && host.hasRoomLocked() && !host.waitsForStreamsLocked()
                && !(host.multiplexed && host.dialing > 0)) {
            Waiter w = host.pollSlotWaiterLocked();
            if (w == null) {
                return;
            }
            w.inLine = false;
            host.waiting--;
            startDialLocked(host, w);
        }
    }

    /** Starts a dial for a waiting request: counted now, launched by {@link #launchPending} after the lock. */
    private void startDialLocked(HostPool host, Waiter waiter) {
        Dial dial = new Dial(host, waiter, waiter.spec);
        waiter.dial = dial;
        if (host.inEmptyList) {
            unlinkEmptyLocked(host); // a slot freed by its last dial's failure goes to the next in line
        }
        host.dialing++;
        dial.prev = this.dialsTail;
        if (this.dialsTail != null) {
            this.dialsTail.next = dial;
        }
        else {
            this.dialsHead = dial;
        }
        this.dialsTail = dial;
        this.toLaunch.add(dial);
        this.launchesPending = true;
    }

    private void unlinkDialLocked(Dial dial) {
        if (dial.prev != null) {
            dial.prev.next = dial.next;
        }
        else {
            this.dialsHead = dial.next;
        }
        if (dial.next != null) {
            dial.next.prev = dial.prev;
        }
        else {
            this.dialsTail = dial.prev;
        }
        dial.prev = null;
        dial.next = null;
        dial.host.dialing--;
        if (dial.spare) {
            dial.host.spareDials--;
        }
        if (dial.requester.dial == dial) {
            dial.requester.dial = null;
        }
        touchLocked(dial.host);
    }

    /** A host that has just lost its last connection, waiter or dial joins the empty list, to expire in time. */
    private void touchLocked(HostPool host) {
        if (host.inEmptyList || host.removed || host.total() != 0 || host.waiting != 0) {
            return;
        }
        long now = this.time.nanoTime();
        host.inEmptyList = true;
        host.emptySince = now;
        host.emptyPrev = this.emptyTail;
        host.emptyNext = null;
        if (this.emptyTail != null) {
            this.emptyTail.emptyNext = host;
        }
        else {
            this.emptyHead = host;
        }
        this.emptyTail = host;
        scheduleEvictionLocked(now + this.hostExpiryNanos, now);
    }

    private void unlinkEmptyLocked(HostPool host) {
        if (host.emptyPrev != null) {
            host.emptyPrev.emptyNext = host.emptyNext;
        }
        else {
            this.emptyHead = host.emptyNext;
        }
        if (host.emptyNext != null) {
            host.emptyNext.emptyPrev = host.emptyPrev;
        }
        else {
            this.emptyTail = host.emptyPrev;
        }
        host.emptyPrev = null;
        host.emptyNext = null;
        host.inEmptyList = false;
    }

    /**
     * Drops the hosts that stayed empty for the expiry time, oldest first; their counts go to the retired totals.
     *
     * @return the final counts of the hosts dropped, for the listeners, or {@code null}
     */
    private List<HostStats> expireHostsLocked(long now) {
        List<HostStats> dropped = null;
        HostPool h;
        while ((h = this.emptyHead) != null && now - h.emptySince >= this.hostExpiryNanos) {
            unlinkEmptyLocked(h);
            h.removed = true;
            this.hosts.remove(h.key, h);
            retireLocked(h);
            if (dropped == null) {
                dropped = new ArrayList<>();
            }
            dropped.add(hostStatsLocked(h));
        }
        if (this.emptyHead != null) {
            scheduleEvictionLocked(this.emptyHead.emptySince + this.hostExpiryNanos, now);
        }
        return dropped;
    }

    private void retireLocked(HostPool h) {
        HostPool r = this.retired;
        r.opened += h.opened;
        r.reused += h.reused;
        r.requests += h.requests;
        r.acquireTimeouts += h.acquireTimeouts;
        r.replays += h.replays;
        r.cancellations += h.cancellations;
        r.callTimeouts += h.callTimeouts;
        r.dialsLost += h.dialsLost;
        r.fallbacks.add(h.fallbacks.sum());
        r.streamWaits += h.streamWaits;
        r.streamWaitTimeouts += h.streamWaitTimeouts;
        r.leakedStreams += h.leakedStreams;
        r.peakActive += h.peakActive;
        for (int i = 0; i < r.closed.length; i++) {
            r.closed[i] += h.closed[i];
        }
    }

    /** Launches the dials started under the lock; on any thread that just left it, never under it. */
    private void launchPending() {
        if (!this.launchesPending) {
            return;
        }
        List<Dial> launch;
        this.lock.lock();
        try {
            launch = new ArrayList<>(this.toLaunch);
            this.toLaunch.clear();
            this.launchesPending = false;
        }
        finally {
            this.lock.unlock();
        }
        for (Dial dial : launch) {
            this.launcher.launch(dial);
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
