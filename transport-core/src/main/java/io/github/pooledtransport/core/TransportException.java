package io.github.pooledtransport.core;

import java.io.IOException;

/**
 * An {@link IOException} raised by the transport itself, naming the host key it concerns.
 */
public class TransportException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient HostKey hostKey;

    /**
     * @param hostKey the host the failed request was for, or {@code null}
     * @param message what went wrong and, where possible, what to do
     * @param cause the underlying failure, or {@code null}
     */
    public TransportException(HostKey hostKey, String message, Throwable cause) {
        super(message, cause);
        this.hostKey = hostKey;
    }

    /** @return the host the failed request was for, or {@code null} */
    public HostKey hostKey() {
        return this.hostKey;
    }
}
