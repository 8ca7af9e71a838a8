package io.github.pooledtransport.core;

/**
 * The transport was closed before or while the request waited for a connection.
 */
public class TransportClosedException extends TransportException {

    private static final long serialVersionUID = 1L;

    /** @param hostKey the host the request was for, or {@code null} */
    public TransportClosedException(HostKey hostKey) {
        super(hostKey, "transport closed" + (hostKey != null ? ": cannot send request to " + hostKey : ""), null);
    }
}
