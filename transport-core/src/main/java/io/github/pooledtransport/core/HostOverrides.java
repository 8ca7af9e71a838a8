package io.github.pooledtransport.core;

import java.time.Duration;

/**
 * Settings that replace the transport-wide ones for a single host. A {@code null} component keeps the
 * transport-wide value.
 *
 * @param maxIdleConnsPerHost idle connections kept for this host
 * @param maxConnsPerHost connections allowed for this host, 0 for no limit
 * @param idleConnTimeout how long an idle connection to this host is kept
 * @param responseHeaderTimeout how long to wait for this host's response headers
 * @param callTimeout how long a whole call to this host may take, 0 for no limit
 * @param protocols the application protocols this host may be spoken to in ({@link Protocol})
 */
public record HostOverrides(Integer maxIdleConnsPerHost, Integer maxConnsPerHost, Duration idleConnTimeout,
        Duration responseHeaderTimeout, Duration callTimeout, java.util.Set<Protocol> protocols) {

    /** Overrides nothing. */
    public static final HostOverrides NONE = new HostOverrides(null, null, null, null, null, null);

    /**
     * Overrides without protocols (the transport's apply).
     *
     * @param maxIdleConnsPerHost idle connections kept for this host
     * @param maxConnsPerHost connections allowed for this host, 0 for no limit
     * @param idleConnTimeout how long an idle connection to this host is kept
     * @param responseHeaderTimeout how long to wait for this host's response headers
     * @param callTimeout how long a whole call to this host may take, 0 for no limit
     */
    public HostOverrides(Integer maxIdleConnsPerHost, Integer maxConnsPerHost, Duration idleConnTimeout,
            Duration responseHeaderTimeout, Duration callTimeout) {
        this(maxIdleConnsPerHost, maxConnsPerHost, idleConnTimeout, responseHeaderTimeout, callTimeout, null);
    }

    /**
     * Overrides without a call timeout (the transport's applies).
     *
     * @param maxIdleConnsPerHost idle connections kept for this host
     * @param maxConnsPerHost connections allowed for this host, 0 for no limit
     * @param idleConnTimeout how long an idle connection to this host is kept
     * @param responseHeaderTimeout how long to wait for this host's response headers
     */
    public HostOverrides(Integer maxIdleConnsPerHost, Integer maxConnsPerHost, Duration idleConnTimeout,
            Duration responseHeaderTimeout) {
        this(maxIdleConnsPerHost, maxConnsPerHost, idleConnTimeout, responseHeaderTimeout, null, null);
    }

    /** Validates the components. */
    public HostOverrides {
        TransportConfig.requireNonNegative("maxIdleConnsPerHost", maxIdleConnsPerHost);
        TransportConfig.requireNonNegative("maxConnsPerHost", maxConnsPerHost);
        TransportConfig.requireNonNegative("idleConnTimeout", idleConnTimeout);
        TransportConfig.requireNonNegative("responseHeaderTimeout", responseHeaderTimeout);
        TransportConfig.requireNonNegative("callTimeout", callTimeout);
        if (protocols != null) {
            protocols = Protocol.checked("protocols", protocols);
        }
    }
}
