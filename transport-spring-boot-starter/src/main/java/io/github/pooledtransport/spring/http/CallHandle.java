package io.github.pooledtransport.spring.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import io.github.pooledtransport.core.Call;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;

/**
 * The call in flight of one request through all of its redirect hops, cancellable from any thread: a cancel stops
 * the hop that runs (its connection wait, write, response or body) and every hop that would follow, and wakes
 * whatever the request's body is waiting for (see {@link #onCancel(Runnable)}).
 */
final class CallHandle {

    private final ReentrantLock lock = new ReentrantLock();

    /** The hop in flight, or {@code null} before the first; guarded by {@code lock}. */
    private Call current;

    /** Guarded by {@code lock}. */
    private boolean cancelled;

    /** Run once on cancel; guarded by {@code lock}. */
    private final List<Runnable> cancelActions = new ArrayList<>(2);

    /**
     * Sends one hop as a call that {@link #cancel()} stops.
     *
     * @param transport the transport to send it with
     * @param request the hop's request
     * @return its response
     * @throws IOException as {@link Call#execute()}; a cancelled handle fails the hop at once
     */
    Response execute(Transport transport, Request request) throws IOException {
        Call call = transport.newCall(request);
        this.lock.lock();
        try {
            this.current = call;
            if (this.cancelled) {
                call.cancel(); // it fails promptly in execute, like any cancelled call
            }
        }
        finally {
            this.lock.unlock();
        }
        return call.execute();
    }

    /**
     * @param action run once when the handle is cancelled, at once if it already was; it must not block
     */
    void onCancel(Runnable action) {
        this.lock.lock();
        try {
            if (!this.cancelled) {
                this.cancelActions.add(action);
                return;
            }
        }
        finally {
            this.lock.unlock();
        }
        action.run();
    }

    /** Stops the hop in flight and every later one; does nothing the second time. */
    void cancel() {
        Call call;
        List<Runnable> actions;
        this.lock.lock();
        try {
            if (this.cancelled) {
                return;
            }
            this.cancelled = true;
            call = this.current;
            actions = List.copyOf(this.cancelActions);
            this.cancelActions.clear();
        }
        finally {
            this.lock.unlock();
        }
        if (call != null) {
            call.cancel();
        }
        actions.forEach(Runnable::run);
    }

    /**
     * @return whether the hop in flight was stopped by any cause (a cancel, its call timeout, an interrupt) or
     *     {@link #cancel()} was called
     */
    boolean isStopped() {
        this.lock.lock();
        try {
            return this.cancelled || (this.current != null && this.current.isCancelled());
        }
        finally {
            this.lock.unlock();
        }
    }

    /** @return whether {@link #cancel()} was called */
    boolean isCancelled() {
        this.lock.lock();
        try {
            return this.cancelled;
        }
        finally {
            this.lock.unlock();
        }
    }
}
