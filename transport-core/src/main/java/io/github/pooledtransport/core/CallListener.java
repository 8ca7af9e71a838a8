package io.github.pooledtransport.core;

import java.net.InetSocketAddress;

/**
 * Receives the connection events of one call, as OkHttp's per-call {@code EventListener}: made for each call by a
 * {@link Factory} on the thread that creates the call, so it can hold what belongs to that call alone (a tracing
 * span, the caller's current observation) where a {@link TransportListener}, shared by every call, cannot.
 *
 * <p>For each attempt at a connection (a replay makes a second one), {@code connectionRequested} is followed by
 * exactly one of {@code connectionAcquired} or {@code connectionFailed}. When the pool has no idle connection and
 * room for a new one, the call dials, between the two: {@code dialStarted} is followed by exactly one of
 * {@code dialSucceeded} or {@code dialFailed}. A cancelled or timed-out call fails them with its
 * {@link TransportCancelledException}.
 *
 * <p>Threads. The events of one call come one at a time, in that order. {@code connectionRequested} and its
 * {@code connectionAcquired} or {@code connectionFailed} come on the calling thread, which is the one waiting for
 * the connection, so a listener may hold thread-bound state (a tracing scope) between them. The dial's events
 * come on the calling thread today; a listener must not rely on that (a dial may run apart from its caller). An
 * exception thrown by a listener is caught and logged once per listener class; it never breaks a call.
 */
public interface CallListener {

    /** A listener that ignores every event; what a factory returns for a call it does not follow. */
    CallListener NONE = new CallListener() {
    };

    /**
     * Makes the listener of each call.
     */
    @FunctionalInterface
    interface Factory {

        /**
         * Called once per call, on the thread that creates it ({@link Transport#newCall} or
         * {@link Transport#roundTrip}), before the call does anything.
         *
         * @param request the call's request
         * @return the call's listener, or {@link CallListener#NONE}
         */
        CallListener create(Request request);
    }

    /**
     * The call asks the pool for a connection.
     *
     * @param key the host key
     */
    default void connectionRequested(HostKey key) {
    }

    /**
     * The call got a connection: an idle one, a released one it waited for, or one it dialed.
     *
     * @param key the host key
     * @param connection which connection, whether it was reused and how long the call waited
     */
    default void connectionAcquired(HostKey key, ConnectionInfo connection) {
    }

    /**
     * The call got no connection: its wait timed out ({@link AcquireTimeoutException}), it was stopped
     * ({@link TransportCancelledException}), its dial failed, or the transport was closed.
     *
     * @param key the host key
     * @param error why
     */
    default void connectionFailed(HostKey key, Throwable error) {
    }

    /**
     * A dial for this call starts: DNS, TCP connect (through the proxy, if any) and, for {@code https}, TLS.
     *
     * @param key the host key
     */
    default void dialStarted(HostKey key) {
    }

    /**
     * The dial made a connection.
     *
     * @param key the host key
     * @param connectionId the new connection's id
     * @param remote the address connected to: the proxy's when there is one
     */
    default void dialSucceeded(HostKey key, long connectionId, InetSocketAddress remote) {
    }

    /**
     * The dial failed or was stopped.
     *
     * @param key the host key
     * @param error why
     */
    default void dialFailed(HostKey key, Throwable error) {
    }
}
