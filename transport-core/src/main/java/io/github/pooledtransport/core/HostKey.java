package io.github.pooledtransport.core;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * What the pool keys connections by: scheme, host and port, plus the proxy and TLS identity used to reach
 * them. Connections are only ever reused for a request with the same key.
 *
 * @param scheme {@code http} or {@code https}
 * @param host the lower-cased host name or IP literal (IPv6 without brackets)
 * @param port the port, defaulted from the scheme
 * @param proxy the proxy identity (its URL with the user name, never the password), or {@code null} for a
 *     direct connection
 * @param tlsIdentity a name for the TLS trust and key material, or {@code null} for the default
 */
public record HostKey(String scheme, String host, int port, String proxy, String tlsIdentity) {

    /** Validates the components. */
    public HostKey {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Port out of range for host " + host + ": " + port);
        }
    }

    /**
     * @param uri an absolute {@code http} or {@code https} URI
     * @return the key for a direct connection to its origin
     */
    public static HostKey of(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort();
        if (port == -1) {
            port = scheme.equals("https") ? 443 : 80;
        }
        return new HostKey(scheme, host.toLowerCase(Locale.ROOT), port, null, null);
    }

    /** @return whether the scheme is {@code https} */
    public boolean isTls() {
        return this.scheme.equals("https");
    }

    /** @return {@code host:port}, with brackets around an IPv6 literal */
    public String authority() {
        return (this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host) + ":" + this.port;
    }

    /*
     * Written out rather than generated: every request looks its key up in the pool's map, and the generated
     * record methods showed up in profiles of that lookup.
     */
    @Override
    public boolean equals(Object other) {
        return this == other || (other instanceof HostKey that && this.port == that.port
                && this.host.equals(that.host) && this.scheme.equals(that.scheme)
                && Objects.equals(this.proxy, that.proxy) && Objects.equals(this.tlsIdentity, that.tlsIdentity));
    }

    @Override
    public int hashCode() {
        int result = this.host.hashCode();
        result = 31 * result + this.port;
        result = 31 * result + this.scheme.hashCode();
        result = 31 * result + ((this.proxy != null) ? this.proxy.hashCode() : 0);
        return 31 * result + ((this.tlsIdentity != null) ? this.tlsIdentity.hashCode() : 0);
    }

    /** @return {@code scheme://host:port}, followed by the proxy and TLS identity when present */
    @Override
    public String toString() {
        String result = this.scheme + "://" + authority();
        if (this.proxy != null) {
            result += " via " + this.proxy;
        }
        if (this.tlsIdentity != null) {
            result += " tls=" + this.tlsIdentity;
        }
        return result;
    }
}
