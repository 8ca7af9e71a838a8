package io.github.pooledtransport.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.TransportConfig;

/**
 * The effective settings as shown by the actuator endpoint, with every credential masked. Keys are the settings'
 * camelCase names, as in Boot's own endpoints ({@code configprops} shows {@code maxIdleConns} too); the keys of
 * {@code hosts} are the configured host keys.
 */
final class TransportConfigDescriptor {

    static final String MASK = "******";

    private TransportConfigDescriptor() {
    }

    static Map<String, Object> describe(TransportConfig c, TransportProperties p) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("maxIdleConns", c.maxIdleConns());
        map.put("maxIdleConnsPerHost", c.maxIdleConnsPerHost());
        map.put("maxConnsPerHost", c.maxConnsPerHost());
        map.put("idleConnTimeout", c.idleConnTimeout().toString());
        map.put("maxConnLifetime", c.maxConnLifetime().toString());
        map.put("acquireTimeout", c.acquireTimeout().toString());
        map.put("dialTimeout", c.dialTimeout().toString());
        map.put("keepAlive", c.keepAlive().toString());
        map.put("tlsHandshakeTimeout", c.tlsHandshakeTimeout().toString());
        map.put("responseHeaderTimeout", c.responseHeaderTimeout().toString());
        map.put("expectContinueTimeout", c.expectContinueTimeout().toString());
        map.put("maxResponseHeaderBytes", c.maxResponseHeaderBytes());
        map.put("disableKeepAlives", c.disableKeepAlives());
        map.put("disableCompression", c.disableCompression());
        map.put("drainOnClose", c.drainOnCloseBytes());
        map.put("leakDetection", c.leakDetection().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        map.put("protocols", io.github.pooledtransport.core.Protocol.format(c.protocols()));
        Map<String, Object> http2 = new LinkedHashMap<>();
        http2.put("strictMaxConcurrentStreams", c.strictMaxConcurrentStreams());
        http2.put("readIdleTimeout", c.http2ReadIdleTimeout().toString());
        http2.put("pingTimeout", c.http2PingTimeout().toString());
        map.put("http2", http2);
        Map<String, Object> hosts = new LinkedHashMap<>();
        c.hostOverrides().forEach((host, o) -> {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("maxIdleConnsPerHost", o.maxIdleConnsPerHost());
            h.put("maxConnsPerHost", o.maxConnsPerHost());
            h.put("idleConnTimeout", (o.idleConnTimeout() != null) ? o.idleConnTimeout().toString() : null);
            h.put("responseHeaderTimeout",
                    (o.responseHeaderTimeout() != null) ? o.responseHeaderTimeout().toString() : null);
            h.put("protocols", (o.protocols() != null) ? io.github.pooledtransport.core.Protocol.format(o.protocols())
                    : null);
            hosts.put(host, h);
        });
        map.put("hosts", hosts);
        if (p != null) {
            map.put("proxy", proxy(p.getProxy()));
            Map<String, Object> ssl = new LinkedHashMap<>();
            ssl.put("bundle", p.getSsl().getBundle());
            ssl.put("insecureSkipVerify", p.getSsl().isInsecureSkipVerify());
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
        proxy.put("noProxy", p.getNoProxy());
        Map<String, String> connectHeaders = new LinkedHashMap<>();
        p.getConnectHeaders().keySet().forEach(name -> connectHeaders.put(name, MASK)); // may carry tokens
        proxy.put("connectHeaders", connectHeaders);
        proxy.put("fromEnvironment", p.isFromEnvironment());
        proxy.put("fromSystemProperties", p.isFromSystemProperties());
        return proxy;
    }
}
