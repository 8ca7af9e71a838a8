package io.github.pooledtransport.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.TransportConfig;

/**
 * The effective settings as shown by the actuator endpoint, with every credential masked.
 */
final class TransportConfigDescriptor {

    static final String MASK = "******";

    private TransportConfigDescriptor() {
    }

    static Map<String, Object> describe(TransportConfig c, TransportProperties p) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("max-idle-conns", c.maxIdleConns());
        map.put("max-idle-conns-per-host", c.maxIdleConnsPerHost());
        map.put("max-conns-per-host", c.maxConnsPerHost());
        map.put("idle-conn-timeout", c.idleConnTimeout().toString());
        map.put("max-conn-lifetime", c.maxConnLifetime().toString());
        map.put("acquire-timeout", c.acquireTimeout().toString());
        map.put("dial-timeout", c.dialTimeout().toString());
        map.put("keep-alive", c.keepAlive().toString());
        map.put("tls-handshake-timeout", c.tlsHandshakeTimeout().toString());
        map.put("response-header-timeout", c.responseHeaderTimeout().toString());
        map.put("expect-continue-timeout", c.expectContinueTimeout().toString());
        map.put("max-response-header-bytes", c.maxResponseHeaderBytes());
        map.put("disable-keep-alives", c.disableKeepAlives());
        map.put("disable-compression", c.disableCompression());
        map.put("drain-on-close", c.drainOnCloseBytes());
        map.put("leak-detection", c.leakDetection().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        Map<String, Object> hosts = new LinkedHashMap<>();
        c.hostOverrides().forEach((host, o) -> {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("max-idle-conns-per-host", o.maxIdleConnsPerHost());
            h.put("max-conns-per-host", o.maxConnsPerHost());
            h.put("idle-conn-timeout", (o.idleConnTimeout() != null) ? o.idleConnTimeout().toString() : null);
            h.put("response-header-timeout",
                    (o.responseHeaderTimeout() != null) ? o.responseHeaderTimeout().toString() : null);
            hosts.put(host, h);
        });
        map.put("hosts", hosts);
        if (p != null) {
            map.put("proxy", proxy(p.getProxy()));
            Map<String, Object> ssl = new LinkedHashMap<>();
            ssl.put("bundle", p.getSsl().getBundle());
            ssl.put("insecure-skip-verify", p.getSsl().isInsecureSkipVerify());
            map.put("ssl", ssl);
        }
        return map;
    }

    private static Map<String, Object> proxy(TransportProperties.Proxy p) {
        Map<String, Object> proxy = new LinkedHashMap<>();
        boolean hasUrl = p.getUrl() != null && !p.getUrl().isBlank();
        proxy.put("url", hasUrl ? Proxy.parse(p.getUrl()).toString() : null); // Proxy#toString masks the password
        proxy.put("username", p.getUsername());
        proxy.put("password", (p.getPassword() != null) ? MASK : null);
        proxy.put("no-proxy", p.getNoProxy());
        Map<String, String> connectHeaders = new LinkedHashMap<>();
        p.getConnectHeaders().keySet().forEach(name -> connectHeaders.put(name, MASK)); // may carry tokens
        proxy.put("connect-headers", connectHeaders);
        proxy.put("from-environment", p.isFromEnvironment());
        proxy.put("from-system-properties", p.isFromSystemProperties());
        return proxy;
    }
}
