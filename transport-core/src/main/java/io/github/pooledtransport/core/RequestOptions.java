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
 */
public record RequestOptions(Duration connectTimeout, Duration readTimeout, SSLContext sslContext,
        String tlsIdentity) {

    /** Replaces nothing. */
    public static final RequestOptions NONE = new RequestOptions(null, null, null, null);

    /** Validates the components. */
    public RequestOptions {
        TransportConfig.requireNonNegative("connectTimeout", connectTimeout);
        TransportConfig.requireNonNegative("readTimeout", readTimeout);
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
                Objects.requireNonNull(identity));
    }
}
