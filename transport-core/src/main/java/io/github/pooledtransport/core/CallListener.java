package io.github.pooledtransport.core;

import java.net.InetSocketAddress;

/**
 * Receives the connection events of one call, as OkHttp's per-call {@code EventListener}: made for each call by a
 * {@link Factory} on the thread that creates the call, so it can hold what belongs to that call alone (a tracing
 * span, the caller's current observation) where a {@link TransportListener}, shared by every call, cannot.
 *
 * <p>For each attempt at a connection (a replay makes a second one), {@code connectionRequested} is followed by
 * exactly one of {@code connectionAcquired} or {@code connectionFailed}, both on the calling thread (the one
 * waiting), so a listener may hold thread-bound state (a tracing scope) between them. When the pool has no idle
 * connection, it starts a dial for the call, which keeps waiting for a released connection too (late binding):
 * {@code dialStarted} is followed by exactly one of {@code dialSucceeded} or {@code dialFailed}, with the same
 * dial id. Dial events come from the dial's own thread, may overlap the call's other events, and may come after
 * the call got another connection or ended: a dial is not stopped when its call is (only
 * {@code closeIdleConnections()} and closing the transport stop it). One call may have two dials under way, its
 * first attempt's and a replay's; the dial id tells them apart.
 *
 * <p>An exception thrown by a listener is caught and logged once per listener class; it never breaks a call.
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
     * @param dialId the dial, unique within the JVM
     */
    default void dialStarted(HostKey key, long dialId) {
    }

    /**
     * The dial made a connection; it goes to the call if the call still waits, else to the pool.
     *
     * @param key the host key
     * @param dialId the dial
     * @param connectionId the new connection's id
     * @param remote the address connected to: the proxy's when there is one
     */
    default void dialSucceeded(HostKey key, long dialId, long connectionId, InetSocketAddress remote) {
    }

    /**
     * The dial failed or was stopped.
     *
     * @param key the host key
     * @param dialId the dial
     * @param error why
     */
    default void dialFailed(HostKey key, long dialId, Throwable error) {
    }
}
