package io.github.pooledtransport.core;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.pooledtransport.core.internal.CallState;
import io.github.pooledtransport.core.internal.TransportEngine;

/**
 * One request, ready to be executed once and cancellable from any thread, as OkHttp's {@code Call} and a Go
 * request's context. Obtain it from {@link Transport#newCall(Request)} before executing it, hand it to whoever
 * may need to stop it, then call {@link #execute()}.
 *
 * <p>{@link #cancel()} covers the whole call: waiting for a connection (in line, or for the dial made for it,
 * which goes on and joins the pool, as Go dials apart from the request), writing the request, waiting for the
 * response head, reading the body until it is closed or read to its end, and any replay. The blocked
 * step fails promptly with {@link TransportCancelledException}; a cancelled request is never replayed, and the
 * connection it held is closed (counted as {@link CloseReason#CANCELLED}, never as a server's close).
 * Cancelling before {@code execute()} makes it fail at once; cancelling after the response was read to its end
 * does nothing. Interrupting the executing thread has the same effect.
 */
public final class Call {

    private final TransportEngine engine;

    private final Request request;

    private final CallState state;

    private final AtomicBoolean executed = new AtomicBoolean();

    Call(TransportEngine engine, Request request) {
        this.engine = engine;
        this.request = Objects.requireNonNull(request, "request");
        this.state = engine.newCallState(request);
    }

    /** @return the request this call sends */
    public Request request() {
        return this.request;
    }

    /**
     * Sends the request, as {@link Transport#roundTrip(Request)}.
     *
     * @return the response, which the caller must close
     * @throws TransportCancelledException when the call was cancelled, timed out or interrupted
     * @throws IOException on any other failure, as {@code roundTrip}
     * @throws IllegalStateException when the call was executed before
     */
    public Response execute() throws IOException {
        if (!this.executed.compareAndSet(false, true)) {
            throw new IllegalStateException("Already executed: " + this.request);
        }
        return this.engine.roundTrip(this.request, this.state);
    }

    /** Stops the call from any thread, at whatever step it is; does nothing once it is complete. */
    public void cancel() {
        this.state.stop(TransportCancelledException.Cause.CANCELLED);
    }

    /** @return whether the call was stopped: cancelled, timed out or interrupted */
    public boolean isCancelled() {
        return this.state.isStopped();
    }
}
