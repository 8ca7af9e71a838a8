package io.github.pooledtransport.core;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Chooses, per request, the proxy to reach its target through, or {@code null} to connect directly; the
 * equivalent of Go's {@code Transport.Proxy} function. The proxy becomes part of the pool's host key, so
 * connections through different proxies (or with different credentials) never mix.
 *
 * <p>Three ready sources, and {@link #firstConfigured} to combine them with the documented precedence
 * <em>explicit configuration, then JVM system properties, then the environment</em>: for each request the
 * first source that has a proxy configured for the target's scheme decides, its no-proxy list included.
 */
@FunctionalInterface
public interface ProxyResolver {

    /** Connects directly to every host. */
    ProxyResolver DIRECT = target -> null;

    /**
     * @param target the request's absolute URI
     * @return the proxy, or {@code null} to connect directly
     */
    Proxy proxyFor(URI target);

    /**
     * Whether this source has a proxy for the scheme at all, whatever its no-proxy list says; used by
     * {@link #firstConfigured} to decide which source is in charge.
     *
     * @param scheme {@code http} or {@code https}
     * @return {@code true} unless the source is known to have nothing for the scheme
     */
    default boolean isConfiguredFor(String scheme) {
        return true;
    }

    /**
     * An explicitly configured proxy for every host not in {@code noProxy}, loopback included.
     *
     * @param proxy the proxy
     * @param noProxy hosts to reach directly
     * @return the resolver
     */
    static ProxyResolver of(Proxy proxy, NoProxy noProxy) {
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(noProxy, "noProxy");
        return new ProxyResolver() {
            @Override
            public Proxy proxyFor(URI target) {
                HostKey key = HostKey.of(target);
                return noProxy.matches(key.host(), key.port()) ? null : proxy;
            }

            @Override
            public String toString() {
                return "ProxyResolver[" + proxy + ", " + noProxy + "]";
            }
        };
    }

    /**
     * Reads {@code HTTP_PROXY}, {@code HTTPS_PROXY}, {@code ALL_PROXY} and {@code NO_PROXY} (upper case
     * first, then lower case) from the process environment, as Go's {@code ProxyFromEnvironment} and curl
     * do. Loopback targets ({@code localhost}, {@code *.localhost}, 127.0.0.0/8, ::1) are never proxied.
     *
     * @return the resolver
     */
    static ProxyResolver fromEnvironment() {
        return EnvironmentProxies.from(System.getenv(), false);
    }

    /**
     * As {@link #fromEnvironment()}, from the given variables.
     *
     * @param environment the variables
     * @param proxyLoopback whether loopback targets may be proxied too
     * @return the resolver
     */
    static ProxyResolver fromEnvironment(Map<String, String> environment, boolean proxyLoopback) {
        return EnvironmentProxies.from(environment, proxyLoopback);
    }

    /**
     * Reads the JVM's networking properties: {@code http.proxyHost}/{@code http.proxyPort},
     * {@code https.proxyHost}/{@code https.proxyPort}, {@code http.nonProxyHosts} ({@code |}-separated, with
     * {@code *} wildcards), and {@code socksProxyHost}/{@code socksProxyPort} for hosts without an HTTP proxy.
     *
     * @return the resolver, reading the properties once
     */
    static ProxyResolver fromSystemProperties() {
        return SystemPropertyProxies.from(System.getProperties());
    }

    /**
     * As {@link #fromSystemProperties()}, from the given properties.
     *
     * @param properties the properties
     * @return the resolver
     */
    static ProxyResolver fromSystemProperties(Properties properties) {
        return SystemPropertyProxies.from(properties);
    }

    /**
     * Asks the sources in order; the first one configured for the target's scheme decides.
     *
     * @param sources highest precedence first
     * @return the combined resolver
     */
    static ProxyResolver firstConfigured(List<ProxyResolver> sources) {
        List<ProxyResolver> copy = List.copyOf(sources);
        return new ProxyResolver() {
            @Override
            public Proxy proxyFor(URI target) {
                String scheme = target.getScheme().toLowerCase(java.util.Locale.ROOT);
                for (ProxyResolver source : copy) {
                    if (source.isConfiguredFor(scheme)) {
                        return source.proxyFor(target);
                    }
                }
                return null;
            }

            @Override
            public boolean isConfiguredFor(String scheme) {
                return copy.stream().anyMatch(s -> s.isConfiguredFor(scheme));
            }

            @Override
            public String toString() {
                return "ProxyResolver.firstConfigured" + copy;
            }
        };
    }
}
