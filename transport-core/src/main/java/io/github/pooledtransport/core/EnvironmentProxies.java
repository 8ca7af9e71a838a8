package io.github.pooledtransport.core;

import java.net.URI;
import java.util.Map;

/** Proxies from {@code HTTP_PROXY}, {@code HTTPS_PROXY}, {@code ALL_PROXY} and {@code NO_PROXY}. */
final class EnvironmentProxies implements ProxyResolver {

    private final Proxy http;

    private final Proxy https;

    private final NoProxy noProxy;

    private final boolean proxyLoopback;

    private EnvironmentProxies(Proxy http, Proxy https, NoProxy noProxy, boolean proxyLoopback) {
        this.http = http;
        this.https = https;
        this.noProxy = noProxy;
        this.proxyLoopback = proxyLoopback;
    }

    static EnvironmentProxies from(Map<String, String> env, boolean proxyLoopback) {
        Proxy all = parse(env, "ALL_PROXY");
        Proxy http = parse(env, "HTTP_PROXY");
        Proxy https = parse(env, "HTTPS_PROXY");
        String noProxy = get(env, "NO_PROXY");
        return new EnvironmentProxies((http != null) ? http : all, (https != null) ? https : all,
                NoProxy.parse(noProxy), proxyLoopback);
    }

    @Override
    public Proxy proxyFor(URI target) {
        HostKey key = HostKey.of(target);
        Proxy proxy = key.isTls() ? this.https : this.http;
        if (proxy == null || this.noProxy.matches(key.host(), key.port())) {
            return null;
        }
        if (!this.proxyLoopback && isLoopback(key.host())) {
            return null;
        }
        return proxy;
    }

    @Override
    public boolean isConfiguredFor(String scheme) {
        return (scheme.equals("https") ? this.https : this.http) != null;
    }

    static boolean isLoopback(String host) {
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return true;
        }
        return io.github.pooledtransport.core.internal.IpLiterals.isLoopbackLiteral(host);
    }

    private static Proxy parse(Map<String, String> env, String name) {
        String value = get(env, name);
        if (value == null) {
            return null;
        }
        try {
            return Proxy.parse(value);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("Invalid proxy in environment variable " + name + ": "
                    + ex.getMessage(), ex);
        }
    }

    /** Upper case wins over lower case, as in Go; an empty value counts as unset. */
    private static String get(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            value = env.get(name.toLowerCase(java.util.Locale.ROOT));
        }
        return (value == null || value.isBlank()) ? null : value.trim();
    }

    @Override
    public String toString() {
        return "EnvironmentProxies[http=" + this.http + ", https=" + this.https + ", " + this.noProxy + "]";
    }
}
