package io.github.pooledtransport.core;

import java.time.Duration;

/**
 * Describes the connection a request got, as reported to {@link TransportListener#gotConn}.
 *
 * @param connectionId the connection's id, unique within the transport
 * @param reused whether the connection served a request before
 * @param wasIdle whether it was taken from the idle pool
 * @param idleTime how long it sat idle, {@link Duration#ZERO} unless {@code wasIdle}
 */
public record ConnectionInfo(long connectionId, boolean reused, boolean wasIdle, Duration idleTime) {
}
