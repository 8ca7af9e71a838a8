package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;

import io.github.pooledtransport.core.Headers;

/**
 * One request on an {@link H2Connection}: what the request's thread waits for (the response head, body bytes,
 * send window) and what the connection's reader delivers. Every mutable field is guarded by the connection's
 * {@code lock}; {@link #changed} is signalled whenever one of them changes.
 * <p>
 * Its {@link #abort()} is what a stop of the call does while the stream is in use: the stream fails locally and
 * its waits wake up. The connection and its other streams go on; the reset frame goes out when the lease ends.
 */
final class H2Stream implements CallState.Abort {

    /** A response head: a final one, or the interim {@code 1xx} ones counted before it. */
    record Head(int status, Headers headers) {
    }

    final H2Connection connection;

    final Condition changed;

    /** The stream id, 0 until the request's HEADERS go out. */
    int id;

    /**
     * Whether the server had answered a request on the connection before this stream opened: the HTTP/2 sense of a
     * reused connection, for Go's replay rule. Set with the id, under the connection's lock, so streams opened at
     * once on a new connection do not count one another.
     */
    boolean afterAnswer;

    /** How many bytes of DATA the server still lets us send on this stream. */
    long sendWindow;

    /** How many bytes of DATA the server may still send before we give window back. */
    int receiveWindow;

    /** Bytes the caller consumed that were not yet given back in a WINDOW_UPDATE. */
    int unacknowledged;

    /** Interim heads received ({@code 100 Continue} among them). */
    int interimHeads;

    /** The final response head, once it arrived. */
    Head head;

    /** The body's declared length from the final head, -1 when unknown or when no body is expected. */
    long declaredLength = -1;

    /** Whether the response may have a body (not HEAD, 204 or 304): DATA on one without is malformed. */
    boolean bodyExpected = true;

    /** DATA payloads not yet read, in order; the first is read from {@link #offset}. */
    final ArrayDeque<byte[]> data = new ArrayDeque<>();

    int offset;

    /** Bytes of DATA received in all. */
    long received;

    /** Whether the server ended its side (END_STREAM). */
    boolean remoteEnded;

    /** Whether our side ended (END_STREAM sent). */
    boolean localEnded;

    /** Why the stream failed, set once: a reset by the server, the connection's failure, or a malformed response. */
    IOException failure;

    /** Whether the server reset the stream with NO_ERROR after a complete response: stop sending, all is well. */
    boolean resetAfterResponse;

    /** Whether a stop of the call, or an early close of the body, ended the stream here. */
    boolean cancelled;

    /** Whether the stream was removed from its connection (it takes no more frames). */
    boolean ended;

    H2Stream(H2Connection connection) {
        this.connection = connection;
        this.changed = connection.lock.newCondition();
    }

    /** Stops the request's waits on this stream; the connection goes on. From any thread. */
    @Override
    public void abort() {
        this.connection.cancel(this);
    }

    /** @return the bytes buffered and not yet read; under the connection's lock */
    boolean hasData() {
        return !this.data.isEmpty();
    }

    @Override
    public String toString() {
        return "stream " + this.id + " of " + this.connection;
    }
}
