package io.github.pooledtransport.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import javax.net.ssl.SSLContext;

import org.springframework.boot.http.client.InetAddressFilter;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.unit.DataSize;

import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.HostOverrides;
import io.github.pooledtransport.core.NoProxy;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.ProxyResolver;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.CallListener;
import io.github.pooledtransport.core.TransportListener;

/**
 * Maps {@code transport.*} properties onto a {@link TransportConfig}. Every value is checked here, so a bad one
 * fails start-up with the property's name rather than the builder's method name.
 */
final class TransportConfigFactory {

    private final TransportProperties properties;

    TransportConfigFactory(TransportProperties properties) {
        this.properties = properties;
    }

    TransportConfig create(SslBundles sslBundles, InetAddressFilter addressFilter, List<TransportListener> listeners) {
        return create(sslBundles, addressFilter, listeners, List.of());
    }

    TransportConfig create(SslBundles sslBundles, InetAddressFilter addressFilter, List<TransportListener> listeners,
            List<CallListener.Factory> callListenerFactories) {
        return create(sslBundles, addressFilter, listeners, callListenerFactories, List.of());
    }

    TransportConfig create(SslBundles sslBundles, InetAddressFilter addressFilter, List<TransportListener> listeners,
            List<CallListener.Factory> callListenerFactories, List<TransportConfigCustomizer> customizers) {
        TransportProperties p = this.properties;
        TransportConfig.Builder b = TransportConfig.builder();
        set("transport.max-idle-conns", p.getMaxIdleConns(), b::maxIdleConns);
        set("transport.max-idle-conns-per-host", p.getMaxIdleConnsPerHost(), b::maxIdleConnsPerHost);
        set("transport.max-conns-per-host", p.getMaxConnsPerHost(), b::maxConnsPerHost);
        set("transport.idle-conn-timeout", p.getIdleConnTimeout(), b::idleConnTimeout);
        set("transport.max-conn-lifetime", p.getMaxConnLifetime(), b::maxConnLifetime);
        set("transport.acquire-timeout", p.getAcquireTimeout(), b::acquireTimeout);
        set("transport.dial-timeout", p.getDialTimeout(), b::dialTimeout);
        set("transport.keep-alive", p.getKeepAlive(), b::keepAlive);
        set("transport.tls-handshake-timeout", p.getTlsHandshakeTimeout(), b::tlsHandshakeTimeout);
        set("transport.response-header-timeout", p.getResponseHeaderTimeout(), b::responseHeaderTimeout);
        set("transport.call-timeout", p.getCallTimeout(), b::callTimeout);
        set("transport.write-timeout", p.getWriteTimeout(), b::writeTimeout);
        set("transport.fallback-delay", p.getFallbackDelay(), b::fallbackDelay);
        set("transport.expect-continue-timeout", p.getExpectContinueTimeout(), b::expectContinueTimeout);
        set("transport.max-response-header-bytes", toInt("transport.max-response-header-bytes",
                p.getMaxResponseHeaderBytes()), b::maxResponseHeaderBytes);
        set("transport.drain-on-close", bytes("transport.drain-on-close", p.getDrainOnClose()), b::drainOnCloseBytes);
        b.disableKeepAlives(p.isDisableKeepAlives());
        b.disableCompression(p.isDisableCompression());
        set("transport.leak-detection", p.getLeakDetection(), b::leakDetection);
        b.protocols(protocols("transport.protocols", p.getProtocols()));
        b.strictMaxConcurrentStreams(p.getHttp2().isStrictMaxConcurrentStreams());
        set("transport.http2.read-idle-timeout", p.getHttp2().getReadIdleTimeout(), b::http2ReadIdleTimeout);
        set("transport.http2.ping-timeout", p.getHttp2().getPingTimeout(), b::http2PingTimeout);
        for (Map.Entry<String, TransportProperties.Host> entry : p.getHosts().entrySet()) {
            b.hostOverrides(hostKey(entry.getKey()), hostOverrides(entry.getKey(), entry.getValue()));
        }
        maxHostTags(p);
        b.proxyResolver(proxyResolver(p.getProxy()));
        try {
            b.proxyConnectHeaders(connectHeaders(p.getProxy().getConnectHeaders()));
        }
        catch (IllegalArgumentException | NullPointerException ex) {
            // Never show the values: connect headers carry proxy tokens. The core's message names the header only.
            throw new InvalidTransportPropertyException("transport.proxy.connect-headers", ex.getMessage(),
                    "Use header names that are RFC 9110 tokens and values without CR, LF or NUL.", ex);
        }
        if (p.getSsl().getBundle() != null) {
            b.sslContext(sslContext(sslBundles, p.getSsl().getBundle()), "ssl-bundle:" + p.getSsl().getBundle());
        }
        b.insecureSkipTlsVerify(p.getSsl().isInsecureSkipVerify());
        if (addressFilter != null) {
            b.addressFilter(addressFilter::matches);
        }
        listeners.forEach(b::listener);
        callListenerFactories.forEach(b::callListenerFactory);
        customizers.forEach((customizer) -> customizer.customize(b));
        try {
            return b.build();
        }
        catch (IllegalArgumentException ex) {
            // Cross-property checks: the message names both settings in the builder's terms.
            throw new InvalidTransportPropertyException("transport.max-idle-conns-per-host",
                    toPropertyNames(ex.getMessage()),
                    "Raise transport.max-idle-conns or lower transport.max-idle-conns-per-host (and any "
                            + "transport.hosts[...] override).", ex);
        }
    }

    /**
     * Checks {@code transport.metrics.max-host-tags}; here so that the metrics auto-configuration, which reads it
     * before the transport exists, fails with the same report.
     *
     * @return the value
     */
    static int maxHostTags(TransportProperties properties) {
        int value = properties.getMetrics().getMaxHostTags();
        if (value < 0) {
            throw new InvalidTransportPropertyException("transport.metrics.max-host-tags",
                    value + " is not allowed (it must not be negative)",
                    "Set a count of at least 0 (0 tags every host \"other\").", null);
        }
        return value;
    }

    /**
     * Checks a {@code transport.hosts[...]} key and returns it in the core's form: {@code host} or
     * {@code host:port}, IPv6 literals without brackets (the core matches {@code host + ":" + port}).
     */
    static String hostKey(String key) {
        String property = "transport.hosts[" + key + "]";
        String action = "Use a host name or IP address, optionally with :port, for example api.example.com, "
                + "api.example.com:8443 or [::1]:8080. In a .properties file write transport.hosts[api.example.com\\:443]"
                + "; in YAML quote the key: \"[api.example.com:443]\".";
        String trimmed = key.trim();
        if (trimmed.isEmpty() || trimmed.contains("/") || trimmed.contains("@")) {
            throw new InvalidTransportPropertyException(property, "'" + key + "' is not a host or host:port", action,
                    null);
        }
        String host;
        String port = null;
        if (trimmed.startsWith("[")) {
            int close = trimmed.indexOf(']');
            if (close < 0 || (close + 1 < trimmed.length() && trimmed.charAt(close + 1) != ':')) {
                throw new InvalidTransportPropertyException(property, "'" + key + "' is not a valid IPv6 host key",
                        action, null);
            }
            host = trimmed.substring(1, close);
            port = (close + 1 < trimmed.length()) ? trimmed.substring(close + 2) : null;
        }
        else {
            int colon = trimmed.indexOf(':');
            if (colon >= 0 && trimmed.indexOf(':', colon + 1) >= 0) {
                throw new InvalidTransportPropertyException(property,
                        "'" + key + "' is ambiguous: an IPv6 address must be written in brackets", action, null);
            }
            host = (colon >= 0) ? trimmed.substring(0, colon) : trimmed;
            port = (colon >= 0) ? trimmed.substring(colon + 1) : null;
        }
        boolean validHost = !host.isEmpty() && (trimmed.startsWith("[") ? host.matches("[0-9A-Fa-f:.%]+")
                : host.matches("[A-Za-z0-9._-]+"));
        if (!validHost) {
            throw new InvalidTransportPropertyException(property, "'" + host + "' is not a host name or IP address",
                    action, null);
        }
        if (port != null && !(port.matches("[0-9]{1,5}") && Integer.parseInt(port) >= 1
                && Integer.parseInt(port) <= 65535)) {
            throw new InvalidTransportPropertyException(property, "'" + port + "' is not a port (1 to 65535)",
                    action, null);
        }
        return (port != null) ? host + ":" + port : host;
    }

    private static HostOverrides hostOverrides(String key, TransportProperties.Host h) {
        String prefix = "transport.hosts[" + key + "].";
        requireNonNegative(prefix + "max-idle-conns-per-host", h.getMaxIdleConnsPerHost());
        requireNonNegative(prefix + "max-conns-per-host", h.getMaxConnsPerHost());
        requireNonNegative(prefix + "idle-conn-timeout", h.getIdleConnTimeout());
        requireNonNegative(prefix + "response-header-timeout", h.getResponseHeaderTimeout());
        requireNonNegative(prefix + "call-timeout", h.getCallTimeout());
        return new HostOverrides(h.getMaxIdleConnsPerHost(), h.getMaxConnsPerHost(), h.getIdleConnTimeout(),
                h.getResponseHeaderTimeout(), h.getCallTimeout(),
                (h.getProtocols() != null) ? protocols(prefix + "protocols", h.getProtocols()) : null);
    }

    private static java.util.Set<io.github.pooledtransport.core.Protocol> protocols(String property, String list) {
        try {
            return io.github.pooledtransport.core.Protocol.parse(property, (list != null) ? list : "");
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidTransportPropertyException(property, ex.getMessage(),
                    "Set " + property + " to a comma-separated list of http1, h2 and h2c, such as 'http1,h2'.", ex);
        }
    }

    private static void requireNonNegative(String property, Object value) {
        boolean negative = (value instanceof Integer i && i < 0) || (value instanceof Duration d && d.isNegative());
        if (negative) {
            throw new InvalidTransportPropertyException(property, value + " is not allowed (it must not be negative)",
                    "Fix " + property + ": counts and durations must not be negative.", null);
        }
    }

    private static SSLContext sslContext(SslBundles bundles, String name) {
        if (bundles == null) {
            throw new InvalidTransportPropertyException("transport.ssl.bundle", "no SSL bundles are configured",
                    "Define the bundle under spring.ssl.bundle.jks." + name + " or spring.ssl.bundle.pem." + name
                            + ", or remove transport.ssl.bundle.", null);
        }
        try {
            return bundles.getBundle(name).createSslContext();
        }
        catch (NoSuchSslBundleException ex) {
            throw new InvalidTransportPropertyException("transport.ssl.bundle",
                    "there is no SSL bundle named '" + name + "'",
                    "Define it under spring.ssl.bundle.jks." + name + " or spring.ssl.bundle.pem." + name
                            + " (bundles known: " + bundles.getBundleNames() + "), or fix transport.ssl.bundle.", ex);
        }
    }

    private static ProxyResolver proxyResolver(TransportProperties.Proxy p) {
        List<ProxyResolver> sources = new ArrayList<>();
        if (p.getUrl() != null && !p.getUrl().isBlank()) {
            Proxy proxy;
            try {
                proxy = Proxy.parse(p.getUrl());
                if (p.getUsername() != null || p.getPassword() != null) {
                    String username = (p.getUsername() != null) ? p.getUsername() : proxy.username();
                    if (username == null) {
                        throw new InvalidTransportPropertyException("transport.proxy.password",
                                "a proxy password is set without a user name",
                                "Set transport.proxy.username or put the user name in transport.proxy.url.", null);
                    }
                    proxy = proxy.withCredentials(username, p.getPassword());
                }
            }
            catch (IllegalArgumentException ex) {
                throw new InvalidTransportPropertyException("transport.proxy.url", ex.getMessage(),
                        "Use a URL such as http://proxy.internal:3128, https://..., socks5://... or socks5h://...",
                        null);
            }
            NoProxy noProxy;
            try {
                noProxy = NoProxy.of(p.getNoProxy());
            }
            catch (IllegalArgumentException ex) {
                throw new InvalidTransportPropertyException("transport.proxy.no-proxy", ex.getMessage(),
                        "Use host names, .domains, IP addresses or CIDR ranges, optionally with :port.", ex);
            }
            sources.add(ProxyResolver.of(proxy, noProxy));
        }
        else if (p.getPassword() != null || p.getUsername() != null) {
            throw new InvalidTransportPropertyException(
                    (p.getPassword() != null) ? "transport.proxy.password" : "transport.proxy.username",
                    "proxy credentials are set but transport.proxy.url is not",
                    "Set transport.proxy.url, or remove transport.proxy.username and transport.proxy.password.", null);
        }
        if (p.isFromSystemProperties()) {
            try {
                sources.add(ProxyResolver.fromSystemProperties());
            }
            catch (IllegalArgumentException ex) {
                throw new InvalidTransportPropertyException("transport.proxy.from-system-properties", ex.getMessage(),
                        "Fix the proxy setting named above, or turn this source off.", ex);
            }
        }
        if (p.isFromEnvironment()) {
            try {
                sources.add(ProxyResolver.fromEnvironment());
            }
            catch (IllegalArgumentException ex) {
                throw new InvalidTransportPropertyException("transport.proxy.from-environment", ex.getMessage(),
                        "Fix the proxy setting named above, or turn this source off.", ex);
            }
        }
        return sources.isEmpty() ? ProxyResolver.DIRECT : ProxyResolver.firstConfigured(sources);
    }

    private static Headers connectHeaders(Map<String, String> headers) {
        Headers.Builder builder = new Headers.Builder();
        headers.forEach(builder::add);
        return builder.build();
    }

    private static int toInt(String property, DataSize size) {
        long bytes = bytes(property, size);
        if (bytes > Integer.MAX_VALUE) {
            throw new InvalidTransportPropertyException(property, size + " is too large", "Use at most 2GB.", null);
        }
        return (int) bytes;
    }

    private static long bytes(String property, DataSize size) {
        if (size == null) {
            throw new InvalidTransportPropertyException(property, "a size is required", "Set a size such as 256KB.",
                    null);
        }
        return size.toBytes();
    }

    /** Rewrites the builder's setting names (maxIdleConnsPerHost) as property names (max-idle-conns-per-host). */
    static String toPropertyNames(String message) {
        String kebab = java.util.regex.Pattern.compile("\\b(max|idle|acquire|response|host)([A-Z][A-Za-z]*)\\b")
                .matcher(message)
                .replaceAll(m -> (m.group(1) + m.group(2)).replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT));
        return kebab.replace("host-overrides[", "hosts[");
    }

    private static <T> void set(String property, T value, Consumer<T> setter) {
        try {
            setter.accept(value);
        }
        catch (IllegalArgumentException | NullPointerException ex) {
            String shown = (value instanceof Duration d) ? d.toString() : String.valueOf(value);
            throw new InvalidTransportPropertyException(property, shown + " is not allowed (" + ex.getMessage() + ")",
                    "Fix " + property + ": sizes and counts must not be negative, durations must not be negative.",
                    ex);
        }
    }
}
