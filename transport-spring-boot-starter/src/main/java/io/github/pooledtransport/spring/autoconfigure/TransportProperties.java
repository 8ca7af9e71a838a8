package io.github.pooledtransport.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import io.github.pooledtransport.core.LeakDetection;

/**
 * Settings of the application's single pooled transport, bound from {@code transport.*}.
 *
 * <p>Each field's Javadoc is the one sentence the IDE shows. The long form of every setting (what it bounds,
 * when its clock starts and stops, what zero means, why its default) lives in {@code docs/configuration.md}.
 */
@ConfigurationProperties("transport")
public class TransportProperties {

    /**
     * Whether to enable the pooled transport behind Spring's RestClient, RestTemplate and HTTP service clients.
     */
    private boolean enabled = true;

    /**
     * Maximum number of idle connections kept across all hosts.
     */
    private int maxIdleConns = 1024;

    /**
     * Maximum number of idle connections kept per host.
     */
    private int maxIdleConnsPerHost = 256;

    /**
     * Maximum number of connections per host, counting dialing, active and idle ones.
     */
    private int maxConnsPerHost = 0;

    /**
     * Maximum time a connection may sit idle in the pool before it is closed.
     */
    private Duration idleConnTimeout = Duration.ofSeconds(90);

    /**
     * Maximum age of a connection, after which it is no longer reused.
     */
    private Duration maxConnLifetime = Duration.ZERO;

    /**
     * Maximum time a request waits for a connection when its host is at max-conns-per-host.
     */
    private Duration acquireTimeout = Duration.ofSeconds(30);

    /**
     * Maximum time to open a connection, every address of the host and any proxy tunnel included.
     */
    private Duration dialTimeout = Duration.ofSeconds(30);

    /**
     * Period of the TCP keep-alive probes sent on every connection.
     */
    private Duration keepAlive = Duration.ofSeconds(15);

    /**
     * Maximum time a TLS handshake may take.
     */
    private Duration tlsHandshakeTimeout = Duration.ofSeconds(10);

    /**
     * Maximum time to wait for a response's status line and headers once the request is written.
     */
    private Duration responseHeaderTimeout = Duration.ZERO;

    /**
     * Maximum time a whole call may take, from waiting for a connection to the end of the response body.
     */
    private Duration callTimeout = Duration.ZERO;

    /**
     * Maximum time a write of a request may make no progress before the connection is closed.
     */
    private Duration writeTimeout = Duration.ZERO;

    /**
     * How long the first address family of a dual-stack name races alone, 0 for 300 ms, negative for no race.
     */
    private Duration fallbackDelay = Duration.ZERO;

    /**
     * Maximum time to wait for "100 Continue" before sending a request body anyway.
     */
    private Duration expectContinueTimeout = Duration.ofSeconds(1);

    /**
     * Maximum size of a response's status line and headers.
     */
    private DataSize maxResponseHeaderBytes = DataSize.ofMegabytes(1);

    /**
     * Whether to use each connection for one request only, turning persistent connections off.
     */
    private boolean disableKeepAlives = false;

    /**
     * Whether to turn transparent gzip compression of responses off.
     */
    private boolean disableCompression = false;

    /**
     * Maximum unread remainder of a response body to discard on close so that its connection can be reused.
     */
    private DataSize drainOnClose = DataSize.ofKilobytes(256);

    /**
     * How responses that are never closed are detected.
     */
    private LeakDetection leakDetection = LeakDetection.ON;

    /**
     * Application protocols: http1, h2 (HTTP/2 over TLS, by ALPN), h2c (cleartext HTTP/2 with prior knowledge).
     */
    private String protocols = "http1,h2";

    /**
     * Proxy settings.
     */
    private final Proxy proxy = new Proxy();

    /**
     * Per-host overrides of the connection settings, keyed by host or host:port.
     */
    private final Map<String, Host> hosts = new LinkedHashMap<>();

    /**
     * TLS settings.
     */
    private final Ssl ssl = new Ssl();

    /**
     * Health indicator settings.
     */
    private final Health health = new Health();

    /**
     * Metrics settings.
     */
    private final Metrics metrics = new Metrics();

    /**
     * Settings of the reactive connector behind WebClient.
     */
    private final Reactive reactive = new Reactive();

    /**
     * HTTP/2 settings.
     */
    private final Http2 http2 = new Http2();

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getMaxIdleConns() {
        return this.maxIdleConns;
    }

    public void setMaxIdleConns(int maxIdleConns) {
        this.maxIdleConns = maxIdleConns;
    }

    public int getMaxIdleConnsPerHost() {
        return this.maxIdleConnsPerHost;
    }

    public void setMaxIdleConnsPerHost(int maxIdleConnsPerHost) {
        this.maxIdleConnsPerHost = maxIdleConnsPerHost;
    }

    public int getMaxConnsPerHost() {
        return this.maxConnsPerHost;
    }

    public void setMaxConnsPerHost(int maxConnsPerHost) {
        this.maxConnsPerHost = maxConnsPerHost;
    }

    public Duration getIdleConnTimeout() {
        return this.idleConnTimeout;
    }

    public void setIdleConnTimeout(Duration idleConnTimeout) {
        this.idleConnTimeout = idleConnTimeout;
    }

    public Duration getMaxConnLifetime() {
        return this.maxConnLifetime;
    }

    public void setMaxConnLifetime(Duration maxConnLifetime) {
        this.maxConnLifetime = maxConnLifetime;
    }

    public Duration getAcquireTimeout() {
        return this.acquireTimeout;
    }

    public void setAcquireTimeout(Duration acquireTimeout) {
        this.acquireTimeout = acquireTimeout;
    }

    public Duration getDialTimeout() {
        return this.dialTimeout;
    }

    public void setDialTimeout(Duration dialTimeout) {
        this.dialTimeout = dialTimeout;
    }

    public Duration getKeepAlive() {
        return this.keepAlive;
    }

    public void setKeepAlive(Duration keepAlive) {
        this.keepAlive = keepAlive;
    }

    public Duration getTlsHandshakeTimeout() {
        return this.tlsHandshakeTimeout;
    }

    public void setTlsHandshakeTimeout(Duration tlsHandshakeTimeout) {
        this.tlsHandshakeTimeout = tlsHandshakeTimeout;
    }

    public Duration getResponseHeaderTimeout() {
        return this.responseHeaderTimeout;
    }

    public void setResponseHeaderTimeout(Duration responseHeaderTimeout) {
        this.responseHeaderTimeout = responseHeaderTimeout;
    }

    public Duration getCallTimeout() {
        return this.callTimeout;
    }

    public void setCallTimeout(Duration callTimeout) {
        this.callTimeout = callTimeout;
    }

    public Duration getWriteTimeout() {
        return this.writeTimeout;
    }

    public void setWriteTimeout(Duration writeTimeout) {
        this.writeTimeout = writeTimeout;
    }

    public Duration getFallbackDelay() {
        return this.fallbackDelay;
    }

    public void setFallbackDelay(Duration fallbackDelay) {
        this.fallbackDelay = fallbackDelay;
    }

    public Duration getExpectContinueTimeout() {
        return this.expectContinueTimeout;
    }

    public void setExpectContinueTimeout(Duration expectContinueTimeout) {
        this.expectContinueTimeout = expectContinueTimeout;
    }

    public DataSize getMaxResponseHeaderBytes() {
        return this.maxResponseHeaderBytes;
    }

    public void setMaxResponseHeaderBytes(DataSize maxResponseHeaderBytes) {
        this.maxResponseHeaderBytes = maxResponseHeaderBytes;
    }

    public boolean isDisableKeepAlives() {
        return this.disableKeepAlives;
    }

    public void setDisableKeepAlives(boolean disableKeepAlives) {
        this.disableKeepAlives = disableKeepAlives;
    }

    public boolean isDisableCompression() {
        return this.disableCompression;
    }

    public void setDisableCompression(boolean disableCompression) {
        this.disableCompression = disableCompression;
    }

    public DataSize getDrainOnClose() {
        return this.drainOnClose;
    }

    public void setDrainOnClose(DataSize drainOnClose) {
        this.drainOnClose = drainOnClose;
    }

    public String getProtocols() {
        return this.protocols;
    }

    public void setProtocols(String protocols) {
        this.protocols = protocols;
    }

    public LeakDetection getLeakDetection() {
        return this.leakDetection;
    }

    public void setLeakDetection(LeakDetection leakDetection) {
        this.leakDetection = leakDetection;
    }

    public Proxy getProxy() {
        return this.proxy;
    }

    public Map<String, Host> getHosts() {
        return this.hosts;
    }

    public Ssl getSsl() {
        return this.ssl;
    }

    public Health getHealth() {
        return this.health;
    }

    public Metrics getMetrics() {
        return this.metrics;
    }

    public Reactive getReactive() {
        return this.reactive;
    }

    public Http2 getHttp2() {
        return this.http2;
    }

    /** Proxy settings. Precedence: url (explicit), then JVM system properties, then the environment. */
    public static class Proxy {

        /**
         * URL of the proxy for every host not in no-proxy.
         */
        private String url;

        /**
         * Proxy user name, overriding one given in the URL.
         */
        private String username;

        /**
         * Proxy password, overriding one given in the URL.
         */
        private String password;

        /**
         * Comma-separated list of hosts, domains, IP addresses and CIDR ranges to reach without the proxy.
         */
        private List<String> noProxy = new ArrayList<>();

        /**
         * Additional headers sent on CONNECT requests to an HTTP proxy.
         */
        private Map<String, String> connectHeaders = new LinkedHashMap<>();

        /**
         * Whether to honour the HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY environment variables when no URL
         * is set.
         */
        private boolean fromEnvironment = true;

        /**
         * Whether to honour the JVM's proxy system properties when no URL is set.
         */
        private boolean fromSystemProperties = true;

        public String getUrl() {
            return this.url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getUsername() {
            return this.username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return this.password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public List<String> getNoProxy() {
            return this.noProxy;
        }

        public void setNoProxy(List<String> noProxy) {
            this.noProxy = noProxy;
        }

        public Map<String, String> getConnectHeaders() {
            return this.connectHeaders;
        }

        public void setConnectHeaders(Map<String, String> connectHeaders) {
            this.connectHeaders = connectHeaders;
        }

        public boolean isFromEnvironment() {
            return this.fromEnvironment;
        }

        public void setFromEnvironment(boolean fromEnvironment) {
            this.fromEnvironment = fromEnvironment;
        }

        public boolean isFromSystemProperties() {
            return this.fromSystemProperties;
        }

        public void setFromSystemProperties(boolean fromSystemProperties) {
            this.fromSystemProperties = fromSystemProperties;
        }
    }

    /** Settings that replace the transport-wide ones for one host; unset ones keep the transport-wide value. */
    public static class Host {

        /**
         * Maximum number of idle connections kept for this host.
         */
        private Integer maxIdleConnsPerHost;

        /**
         * Maximum number of connections for this host.
         */
        private Integer maxConnsPerHost;

        /**
         * Maximum time an idle connection to this host is kept.
         */
        private Duration idleConnTimeout;

        /**
         * Maximum time to wait for this host's response headers once the request is written.
         */
        private Duration responseHeaderTimeout;

        /**
         * Maximum time a whole call to this host may take.
         */
        private Duration callTimeout;

        /**
         * Application protocols for this host, comma-separated (http1, h2, h2c); unset keeps transport.protocols.
         */
        private String protocols;

        public String getProtocols() {
            return this.protocols;
        }

        public void setProtocols(String protocols) {
            this.protocols = protocols;
        }

        public Integer getMaxIdleConnsPerHost() {
            return this.maxIdleConnsPerHost;
        }

        public void setMaxIdleConnsPerHost(Integer maxIdleConnsPerHost) {
            this.maxIdleConnsPerHost = maxIdleConnsPerHost;
        }

        public Integer getMaxConnsPerHost() {
            return this.maxConnsPerHost;
        }

        public void setMaxConnsPerHost(Integer maxConnsPerHost) {
            this.maxConnsPerHost = maxConnsPerHost;
        }

        public Duration getIdleConnTimeout() {
            return this.idleConnTimeout;
        }

        public void setIdleConnTimeout(Duration idleConnTimeout) {
            this.idleConnTimeout = idleConnTimeout;
        }

        public Duration getResponseHeaderTimeout() {
            return this.responseHeaderTimeout;
        }

        public void setResponseHeaderTimeout(Duration responseHeaderTimeout) {
            this.responseHeaderTimeout = responseHeaderTimeout;
        }

        public Duration getCallTimeout() {
            return this.callTimeout;
        }

        public void setCallTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
        }
    }

    /** TLS settings. */
    public static class Ssl {

        /**
         * Name of the SSL bundle with the trust and key material for https hosts.
         */
        private String bundle;

        /**
         * Whether to skip certificate and host name verification, for test servers only.
         */
        private boolean insecureSkipVerify = false;

        public String getBundle() {
            return this.bundle;
        }

        public void setBundle(String bundle) {
            this.bundle = bundle;
        }

        public boolean isInsecureSkipVerify() {
            return this.insecureSkipVerify;
        }

        public void setInsecureSkipVerify(boolean insecureSkipVerify) {
            this.insecureSkipVerify = insecureSkipVerify;
        }
    }

    /** Health indicator settings. */
    public static class Health {

        /**
         * Whether to report OUT_OF_SERVICE while requests time out waiting for a connection.
         */
        private boolean outOfServiceOnAcquireTimeouts = false;

        public boolean isOutOfServiceOnAcquireTimeouts() {
            return this.outOfServiceOnAcquireTimeouts;
        }

        public void setOutOfServiceOnAcquireTimeouts(boolean outOfServiceOnAcquireTimeouts) {
            this.outOfServiceOnAcquireTimeouts = outOfServiceOnAcquireTimeouts;
        }
    }

    /** HTTP/2 settings. */
    public static class Http2 {

        /**
         * Whether a request waits for a free stream of a full HTTP/2 connection instead of opening another.
         */
        private boolean strictMaxConcurrentStreams = false;

        /**
         * Silence on an HTTP/2 connection after which a PING checks it, or 0 for no check.
         */
        private Duration readIdleTimeout = Duration.ZERO;

        /**
         * How long that PING may go unanswered before the connection is closed.
         */
        private Duration pingTimeout = Duration.ofSeconds(15);

        public Duration getReadIdleTimeout() {
            return this.readIdleTimeout;
        }

        public void setReadIdleTimeout(Duration readIdleTimeout) {
            this.readIdleTimeout = readIdleTimeout;
        }

        public Duration getPingTimeout() {
            return this.pingTimeout;
        }

        public void setPingTimeout(Duration pingTimeout) {
            this.pingTimeout = pingTimeout;
        }

        public boolean isStrictMaxConcurrentStreams() {
            return this.strictMaxConcurrentStreams;
        }

        public void setStrictMaxConcurrentStreams(boolean strictMaxConcurrentStreams) {
            this.strictMaxConcurrentStreams = strictMaxConcurrentStreams;
        }
    }

    /** Settings of the reactive connector behind WebClient and reactive HTTP service clients. */
    public static class Reactive {

        /**
         * Most platform threads per kind (calls, body reads) of the reactive connector on Java 17 to 20.
         */
        private int maxThreads = 200;

        public int getMaxThreads() {
            return this.maxThreads;
        }

        public void setMaxThreads(int maxThreads) {
            this.maxThreads = maxThreads;
        }
    }

    /** Metrics settings. */
    public static class Metrics {

        /**
         * Maximum number of distinct host tag values on the transport.pool meters.
         */
        private int maxHostTags = 50;

        public int getMaxHostTags() {
            return this.maxHostTags;
        }

        public void setMaxHostTags(int maxHostTags) {
            this.maxHostTags = maxHostTags;
        }
    }
}
