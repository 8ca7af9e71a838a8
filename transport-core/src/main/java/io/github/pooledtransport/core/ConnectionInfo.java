package io.github.pooledtransport.core;

import java.time.Duration;

/**
 * Describes the connection a request got, as reported to {@link TransportListener#gotConn}.
 *
 * @param connectionId the connection's id, unique within the transport
 * @param reused whether the connection served a request before
 * @param wasIdle whether it was taken from the idle pool
 * @param idleTime how long it sat idle, {@link Duration#ZERO} unless {@code wasIdle}
 * @param waited how long the request waited for it since {@link TransportListener#getConn}: waiting in line,
 *     dialing, and checking idle connections included; measured by the transport, so a listener needs no state
 *     of its own between the two events
 */
public record ConnectionInfo(long connectionId, boolean reused, boolean wasIdle, Duration idleTime, Duration waited) {

    /**
     * Without the wait, for listeners' own tests.
     *
     * @param connectionId the connection's id
     * @param reused whether the connection served a request before
     * @param wasIdle whether it was taken from the idle pool
     * @param idleTime how long it sat idle
     */
    public ConnectionInfo(long connectionId, boolean reused, boolean wasIdle, Duration idleTime) {
        this(connectionId, reused, wasIdle, idleTime, Duration.ZERO);
    }
}
