package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import io.github.pooledtransport.core.CallListener;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.core.TransportCancelledException.Cause;

/**
 * One call's cancellation: whether it was stopped (cancelled, timed out, interrupted) and how to stop what it
 * is blocked in right now. The calling thread announces each blocking step with {@link #enter}, giving the
 * action that unblocks it (close the socket being dialed or used, wake the wait for a connection, stop waiting
 * for a DNS answer); {@link #stop} runs that action from any thread. The blocked step then fails, the calling
 * thread turns the failure into a {@link TransportCancelledException} ({@link #stoppedFailure}), and the
 * resource's owner gives it up as usual: stopping never takes a connection away from its owner.
 *
 * <p>Entering a step and stopping exclude each other under a lock, and {@link #leave} takes the same lock: so a
 * stop that comes late never closes a connection its call has already given back to the pool.
 */
public final class CallState {

    /** Unblocks a step of the call from another thread; called at most once per step, under the call's lock. */
    @FunctionalInterface
    interface Abort {

        void abort();
    }

    /**
     * An abort that also claims what it aborted (a response body nobody was reading) and then gives it up: the
     * connection goes back to the pool, closed as cancelled, still under the call's lock. The pool's lock and the
     * listeners' {@code connectionClosed} then run under the call's lock; nothing takes the call's lock under
     * the pool's.
     */
    interface ClaimingAbort extends Abort {

        /** Called after {@link #abort()}, by the same thread, under the call's lock. */
        void giveUp();
    }

    private final ReentrantLock lock = new ReentrantLock();

    /** The call's own listener, {@link CallListener#NONE} when nobody follows it. */
    final CallListener events;

    private final AtomicReference<Cause> stopped = new AtomicReference<>();

    /** The abort of the step under way, or {@code null}; guarded by {@code lock}. */
    private Abort current;

    /** Whether {@code current} was aborted; guarded by {@code lock}. */
    private boolean aborted;

    /** What the call is doing, for messages: "waiting for a connection", "reading the response body"... */
    private volatile String phase = "starting";

    private volatile HostKey key;

    private volatile Duration timeout;

    private volatile String timeoutSource;

    private ScheduledFuture<?> timer;

    private boolean done;

    /** Counts this call in its host's stats when it is stopped before it completed; set by {@link #start}. */
    private volatile StopCounter counter;

    /** A call nobody follows. */
    public CallState() {
        this(CallListener.NONE);
    }

    /** @param events the call's own listener */
    CallState(CallListener events) {
        this.events = events;
    }

    /** Counts a stopped call; runs under the call's lock, so it takes no lock but the pool's. */
    @FunctionalInterface
    interface StopCounter {

        void stopped(boolean timedOut);
    }

    /**
     * Starts the call's clock when it has a limit.
     *
     * @param key the host the call is for
     * @param timeoutNanos the call timeout, 0 for none
     * @param source where the limit was set, for messages: {@code "callTimeout=500 ms"} and its origin
     */
    void start(HostKey key, long timeoutNanos, String source, StopCounter counter) {
        this.key = key;
        this.counter = counter;
        if (timeoutNanos > 0) {
            this.timeout = Duration.ofNanos(timeoutNanos);
            this.timeoutSource = source;
            ScheduledFuture<?> timer = SharedTimer.schedule(() -> stop(Cause.CALL_TIMEOUT), timeoutNanos);
            this.lock.lock();
            try {
                if (this.done) {
                    timer.cancel(false);
                }
                else {
                    this.timer = timer;
                }
            }
            finally {
                this.lock.unlock();
            }
        }
    }

    /**
     * Stops the call, from any thread: the step under way is aborted, and every later step fails at once.
     *
     * @param why what stops it; only the first stop counts
     */
    public void stop(Cause why) {
        this.lock.lock();
        try {
            if (this.stopped.get() != null) {
                return;
            }
            // Counted before the stop is visible: the caller, woken by the abort or seeing the stop at its next
            // step, must find it counted when its exception arrives. A call that completed first is not counted.
            StopCounter counter = this.counter;
            if (!this.done && counter != null) {
                counter.stopped(why == Cause.CALL_TIMEOUT);
            }
            this.stopped.set(why);
            if (this.current != null && !this.aborted) {
                this.aborted = true;
                Abort aborted = this.current;
                aborted.abort();
                if (aborted instanceof ClaimingAbort claiming) {
                    // Under the lock, so that a caller who finds its resource claimed waits in cancelled() until
                    // it is given back: the pool it then sees is the one the stop left.
                    claiming.giveUp();
                }
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /** @return whether the call was stopped */
    public boolean isStopped() {
        return this.stopped.get() != null;
    }

    /**
     * Announces a blocking step. When the call is already stopped (or the thread interrupted), the step is not
     * started: the cancellation is thrown.
     *
     * @param phase what the step does, for messages
     * @param abort what unblocks it from another thread
     * @throws TransportCancelledException when the call was stopped
     */
    void enter(String phase, Abort abort) throws TransportCancelledException {
        this.phase = phase;
        this.lock.lock();
        try {
            this.current = abort;
            this.aborted = false;
        }
        finally {
            this.lock.unlock();
        }
        throwIfStopped();
    }

    /** @param counter counts this call's stop from now on: its host's entry was replaced */
    void countWith(StopCounter counter) {
        this.counter = counter;
    }

    /** @return what the call does now, for messages */
    String phase() {
        return this.phase;
    }

    /**
     * Names what the call does now, for messages, without looking for a stop.
     *
     * @param phase what the call does now
     */
    void label(String phase) {
        this.phase = phase;
    }

    /**
     * Names a new phase of the step under way (same resource, same abort).
     *
     * @param phase what the call does now
     * @throws TransportCancelledException when the call was stopped
     */
    void phase(String phase) throws TransportCancelledException {
        this.phase = phase;
        throwIfStopped();
    }

    /**
     * Ends the step under way: a later stop no longer touches its resource.
     *
     * @return whether that resource was aborted by a stop, so that its owner closes it as cancelled
     */
    boolean leave() {
        this.lock.lock();
        try {
            return leaveLocked();
        }
        finally {
            this.lock.unlock();
        }
    }

    private boolean leaveLocked() {
        boolean wasAborted = this.aborted;
        this.current = null;
        this.aborted = false;
        return wasAborted;
    }

    /**
     * Ends the call: its timer is cancelled and a later stop does nothing to its resources.
     *
     * @return whether the step under way was aborted by a stop
     */
    boolean finish() {
        this.lock.lock();
        try {
            boolean wasAborted = leaveLocked();
            this.done = true;
            if (this.timer != null) {
                this.timer.cancel(false);
                this.timer = null;
            }
            return wasAborted;
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * @throws TransportCancelledException when the call was stopped, or the thread interrupted (which stops it)
     */
    void throwIfStopped() throws TransportCancelledException {
        if (Thread.currentThread().isInterrupted()) {
            stop(Cause.INTERRUPTED);
        }
        if (this.stopped.get() != null) {
            throw cancelled(null);
        }
    }

    /**
     * What a failure of a step means for the caller: a cancellation when the call was stopped or the thread
     * interrupted (an interrupted channel closes itself), else nothing.
     *
     * @param failure how the step failed
     * @return the exception to throw instead, or {@code null} when the call was not stopped
     */
    TransportCancelledException stoppedFailure(Throwable failure) {
        if (failure instanceof TransportCancelledException cancelled) {
            return cancelled;
        }
        if (Thread.currentThread().isInterrupted() || failure instanceof ClosedByInterruptException
                || (failure instanceof InterruptedIOException && !(failure instanceof SocketTimeoutException))) {
            stop(Cause.INTERRUPTED);
        }
        return (this.stopped.get() != null) ? cancelled(failure) : null;
    }

    /**
     * @param cause the failure the stop caused underneath, or {@code null}
     * @return the exception that tells the caller the call was stopped, where and why
     */
    TransportCancelledException cancelled(Throwable cause) {
        // A stop still at work holds the lock: wait for it, so that what it aborted or gave up is settled (and
        // counted) before the caller hears of it.
        this.lock.lock();
        this.lock.unlock();
        Cause why = this.stopped.get();
        HostKey key = this.key;
        String call = (key != null) ? "Call to " + key : "Call";
        String message = switch (why) {
            case CANCELLED -> call + " was cancelled while " + this.phase;
            case INTERRUPTED -> call + " was interrupted while " + this.phase;
            case CALL_TIMEOUT -> call + " timed out after " + this.timeoutSource + " while " + this.phase;
        };
        boolean timedOut = why == Cause.CALL_TIMEOUT;
        return new TransportCancelledException(key, message, why, timedOut ? this.timeout : null,
                timedOut ? "callTimeout" : null, cause);
    }
}
