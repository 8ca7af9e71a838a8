package io.github.pooledtransport.core;

import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The response's status line and headers did not arrive within {@code responseHeaderTimeout} after the
 * request was written. {@link #setting()} is {@code responseHeaderTimeout} (the transport-wide value, or the
 * host's {@link HostOverrides} entry).
 */
public class ResponseHeaderTimeoutException extends TransportException {

    private static final long serialVersionUID = 1L;

    /**
     * @param hostKey the host
     * @param timeout the timeout that applied to the host
     * @param cause the socket timeout
     */
    public ResponseHeaderTimeoutException(HostKey hostKey, Duration timeout, SocketTimeoutException cause) {
        super(hostKey, "No response headers from " + hostKey + " within responseHeaderTimeout="
                + timeout.toMillis() + " ms after the request was written", cause, "responseHeaderTimeout");
    }
}
