package io.github.pooledtransport.core;

import java.io.IOException;

/**
 * An {@link IOException} raised by the transport itself, naming the host key it concerns and, when a configured
 * limit was reached (a timeout, a connection cap), the setting that applied.
 */
public class TransportException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient HostKey hostKey;

    private final String setting;

    /**
     * @param hostKey the host the failed request was for, or {@code null}
     * @param message what went wrong and, where possible, what to do
     * @param cause the underlying failure, or {@code null}
     */
    public TransportException(HostKey hostKey, String message, Throwable cause) {
        this(hostKey, message, cause, null);
    }

    /**
     * @param hostKey the host the failed request was for, or {@code null}
     * @param message what went wrong and, where possible, what to do; names the setting as {@code setting=value}
     * @param cause the underlying failure, or {@code null}
     * @param setting the setting whose limit was reached (see {@link #setting()}), or {@code null}
     */
    public TransportException(HostKey hostKey, String message, Throwable cause, String setting) {
        super(message, cause);
        this.hostKey = hostKey;
        this.setting = setting;
    }

    /** @return the host the failed request was for, or {@code null} */
    public HostKey hostKey() {
        return this.hostKey;
    }

    /**
     * The setting whose limit this failure reached, so that a layer above can name where it was configured. The
     * core names its own settings: a {@link TransportConfig} setting by its builder name ({@code dialTimeout},
     * {@code tlsHandshakeTimeout}, {@code maxConnsPerHost}, {@code responseHeaderTimeout}, {@code readTimeout}),
     * whose value may come from the host's {@link HostOverrides}; or a {@link RequestOptions} component that
     * replaced one for this request ({@code connectTimeout} in place of {@code dialTimeout}; {@code readTimeout}
     * names the request's own read timeout too, and the message says which applied).
     *
     * @return the setting, or {@code null} when no configured limit was involved
     */
    public String setting() {
        return this.setting;
    }
}
