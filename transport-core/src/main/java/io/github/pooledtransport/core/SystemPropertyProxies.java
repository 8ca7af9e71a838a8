package io.github.pooledtransport.core;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Proxies from the JVM's networking properties ({@code http.proxyHost}, {@code https.proxyHost},
 * {@code socksProxyHost}, {@code http.nonProxyHosts}). As in the JDK, {@code http.nonProxyHosts} applies to
 * https targets too and defaults to loopback.
 */
final class SystemPropertyProxies implements ProxyResolver {

    private static final String DEFAULT_NON_PROXY_HOSTS = "localhost|127.*|[::1]|0.0.0.0|[::0]";

    private final Proxy http;

    private final Proxy https;

    private final List<Pattern> nonProxyHosts;

    private SystemPropertyProxies(Proxy http, Proxy https, List<Pattern> nonProxyHosts) {
        this.http = http;
        this.https = https;
        this.nonProxyHosts = nonProxyHosts;
    }

    static SystemPropertyProxies from(Properties p) {
        Proxy socks = proxy(p, "socksProxyHost", "socksProxyPort", Proxy.Type.SOCKS5, 1080);
        Proxy http = proxy(p, "http.proxyHost", "http.proxyPort", Proxy.Type.HTTP, 80);
        Proxy https = proxy(p, "https.proxyHost", "https.proxyPort", Proxy.Type.HTTP, 443);
        String nonProxy = p.getProperty("http.nonProxyHosts", DEFAULT_NON_PROXY_HOSTS);
        List<Pattern> patterns = new ArrayList<>();
        for (String entry : nonProxy.split("\\|")) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (!e.isEmpty()) {
                if (e.startsWith("[") && e.endsWith("]")) {
                    e = e.substring(1, e.length() - 1);
                }
                patterns.add(Pattern.compile(Pattern.quote(e).replace("*", "\\E.*\\Q")));
            }
        }
        return new SystemPropertyProxies((http != null) ? http : socks, (https != null) ? https : socks,
                List.copyOf(patterns));
    }

    private static Proxy proxy(Properties p, String hostKey, String portKey, Proxy.Type type, int defaultPort) {
        String host = p.getProperty(hostKey);
        if (host == null || host.isBlank()) {
            return null;
        }
        String port = p.getProperty(portKey);
        try {
            return new Proxy(type, host.trim(), (port == null || port.isBlank()) ? defaultPort : Integer.parseInt(port.trim()),
                    null, null);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("Invalid proxy in system properties " + hostKey + "/" + portKey + ": "
                    + ex.getMessage(), ex);
        }
    }

    @Override
    public Proxy proxyFor(URI target) {
        HostKey key = HostKey.of(target);
        Proxy proxy = key.isTls() ? this.https : this.http;
        if (proxy == null) {
            return null;
        }
        for (Pattern pattern : this.nonProxyHosts) {
            if (pattern.matcher(key.host()).matches()) {
                return null;
            }
        }
        return proxy;
    }

    @Override
    public boolean isConfiguredFor(String scheme) {
        return (scheme.equals("https") ? this.https : this.http) != null;
    }

    @Override
    public String toString() {
        return "SystemPropertyProxies[http=" + this.http + ", https=" + this.https + "]";
    }
}
