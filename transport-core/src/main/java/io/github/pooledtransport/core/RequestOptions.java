package io.github.pooledtransport.core;

import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * Settings of one request that replace the transport's: what Spring's per-client settings need when many
 * clients share one transport. A {@code null} component keeps the transport's setting.
 *
 * @param connectTimeout replaces {@code dialTimeout} when this request opens a connection
 * @param readTimeout replaces {@code readTimeout} for this request's response
 * @param sslContext TLS material for this request's https connections; connections made with it are pooled
 *     apart from others, under {@code tlsIdentity}
 * @param tlsIdentity the name of {@code sslContext} in host keys; required with it
 * @param callTimeout replaces {@code callTimeout} (and a host's override of it) for this call; zero for none
 */
public record RequestOptions(Duration connectTimeout, Duration readTimeout, SSLContext sslContext,
        String tlsIdentity, Duration callTimeout) {

    /** Replaces nothing. */
    public static final RequestOptions NONE = new RequestOptions(null, null, null, null, null);

    /**
     * Options that keep the call timeout of the transport.
     *
     * @param connectTimeout replaces {@code dialTimeout} when this request opens a connection
     * @param readTimeout replaces {@code readTimeout} for this request's response
     * @param sslContext TLS material for this request's https connections
     * @param tlsIdentity the name of {@code sslContext} in host keys; required with it
     */
    public RequestOptions(Duration connectTimeout, Duration readTimeout, SSLContext sslContext, String tlsIdentity) {
        this(connectTimeout, readTimeout, sslContext, tlsIdentity, null);
    }

    /** Validates the components. */
    public RequestOptions {
        TransportConfig.requireNonNegative("connectTimeout", connectTimeout);
        TransportConfig.requireNonNegative("readTimeout", readTimeout);
        TransportConfig.requireNonNegative("callTimeout", callTimeout);
        if ((sslContext == null) != (tlsIdentity == null)) {
            throw new IllegalArgumentException("sslContext and tlsIdentity must be given together");
        }
    }

    /**
     * @param connectTimeout the connect timeout
     * @param readTimeout the read timeout
     * @return options with these timeouts
     */
    public static RequestOptions timeouts(Duration connectTimeout, Duration readTimeout) {
        return new RequestOptions(connectTimeout, readTimeout, null, null);
    }

    /**
     * @param sslContext the TLS material
     * @param identity its name in host keys
     * @return a copy with this TLS material
     */
    public RequestOptions withTls(SSLContext sslContext, String identity) {
        return new RequestOptions(this.connectTimeout, this.readTimeout, Objects.requireNonNull(sslContext),
                Objects.requireNonNull(identity), this.callTimeout);
    }

    /**
     * @param callTimeout how long this whole call may take (waiting for a connection, dialing, writing, the
     *     response head and body, any replay); zero for no limit
     * @return a copy with this call timeout
     */
    public RequestOptions withCallTimeout(Duration callTimeout) {
        return new RequestOptions(this.connectTimeout, this.readTimeout, this.sslContext, this.tlsIdentity,
                Objects.requireNonNull(callTimeout, "callTimeout"));
    }
}
