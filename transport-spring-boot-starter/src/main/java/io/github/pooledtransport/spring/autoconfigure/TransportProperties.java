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
 * Settings of the application's single pooled transport, bound from {@code transport.*}. Each default is the
 * transport's own and is explained in {@code docs/configuration.md}.
 */
@ConfigurationProperties("transport")
public class TransportProperties {

    /**
     * Whether the pooled transport backs Spring's RestClient, RestTemplate and HTTP service clients.
     */
    private boolean enabled = true;

    /**
     * Idle connections kept across all hosts; when exceeded, the least recently used idle connection is closed,
     * whichever host it belongs to. 0 means no global cap.
     */
    private int maxIdleConns = 1024;

    /**
     * Idle connections kept per host. Set it at least to the concurrency you send to one host: below that,
     * bursts close connections only to open new ones (TIME_WAIT churn). 0 keeps none.
     */
    private int maxIdleConnsPerHost = 256;

    /**
     * Connections per host (dialing, active and idle). Requests beyond it wait, first come first served, for at
     * most acquire-timeout. 0 means no limit.
     */
    private int maxConnsPerHost = 0;

    /**
     * How long a connection may sit idle in the pool before it is closed, from its release to its reuse. 0 keeps
     * idle connections indefinitely.
     */
    private Duration idleConnTimeout = Duration.ofSeconds(90);

    /**
     * Age after which a connection is no longer reused (jittered up to 10% early so a fleet does not reconnect in
     * lockstep); follows DNS changes behind long-lived pools. 0 means no limit.
     */
    private Duration maxConnLifetime = Duration.ZERO;

    /**
     * How long a request waits for a connection when its host is at max-conns-per-host. 0 waits indefinitely.
     */
    private Duration acquireTimeout = Duration.ofSeconds(30);

    /**
     * Bounds opening a connection (all addresses of the host, and any proxy tunnel). Spring's
     * spring.http.clients.connect-timeout, when set, replaces it for the clients it applies to.
     */
    private Duration dialTimeout = Duration.ofSeconds(30);

    /**
     * TCP keep-alive probe period on every connection. 0 turns TCP keep-alive off.
     */
    private Duration keepAlive = Duration.ofSeconds(15);

    /**
     * Bounds the TLS handshake. 0 means no limit.
     */
    private Duration tlsHandshakeTimeout = Duration.ofSeconds(10);

    /**
     * Bounds the wait for a response's status line and headers, from the request fully written to the headers
     * read; the body is not included. 0 means no limit.
     */
    private Duration responseHeaderTimeout = Duration.ZERO;

    /**
     * For requests with "Expect: 100-continue": how long to wait for the server's go-ahead before sending the
     * body anyway.
     */
    private Duration expectContinueTimeout = Duration.ofSeconds(1);

    /**
     * Maximum size of a response's status line and headers.
     */
    private DataSize maxResponseHeaderBytes = DataSize.ofMegabytes(1);

    /**
     * Sends "Connection: close" and uses each connection for one request only. Every request then opens a new
     * connection and leaves a TIME_WAIT socket: use only for servers that mishandle persistent connections.
     */
    private boolean disableKeepAlives = false;

    /**
     * Turns off transparent gzip (asking for gzip and decoding it when the caller set no Accept-Encoding).
     */
    private boolean disableCompression = false;

    /**
     * When a response body is closed before its end, up to this much of the remainder is read and discarded so
     * the connection can be reused; a larger remainder closes the connection.
     */
    private DataSize drainOnClose = DataSize.ofKilobytes(256);

    /**
     * How responses that are never closed are detected: off, on (WARN with the request line, connection closed
     * and its slot freed), or with-stack-traces (the WARN also says where the response was obtained).
     */
    private LeakDetection leakDetection = LeakDetection.ON;

    /**
     * Proxy settings.
     */
    private final Proxy proxy = new Proxy();

    /**
     * Per-host overrides, keyed by host or host:port. In YAML quote the key ("[api.example.com:443]"); in a
     * .properties file escape the colon: transport.hosts[api.example.com\:443].max-conns-per-host=10.
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

    /** Proxy settings. Precedence: url (explicit), then JVM system properties, then the environment. */
    public static class Proxy {

        /**
         * Proxy for every host not in no-proxy, loopback included: http://, https://, socks5:// or socks5h://,
         * optionally with user:password@.
         */
        private String url;

        /**
         * Proxy user name; overrides one given in the url.
         */
        private String username;

        /**
         * Proxy password; overrides one given in the url. Never logged nor shown by the actuator endpoint.
         */
        private String password;

        /**
         * Hosts to reach directly: host names (with subdomains), .domain (subdomains only), IP addresses, CIDR
         * ranges, optionally with :port, or *.
         */
        private List<String> noProxy = new ArrayList<>();

        /**
         * Extra headers sent on CONNECT requests to an HTTP proxy, never to the origin.
         */
        private Map<String, String> connectHeaders = new LinkedHashMap<>();

        /**
         * Whether HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY are honoured when no url is configured
         * (loopback is never proxied from the environment).
         */
        private boolean fromEnvironment = true;

        /**
         * Whether the JVM's http.proxyHost, https.proxyHost, http.nonProxyHosts and socksProxyHost are honoured
         * when no url is configured.
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
         * Idle connections kept for this host.
         */
        private Integer maxIdleConnsPerHost;

        /**
         * Connections allowed for this host, 0 for no limit.
         */
        private Integer maxConnsPerHost;

        /**
         * How long an idle connection to this host is kept.
         */
        private Duration idleConnTimeout;

        /**
         * How long to wait for this host's response headers after the request was written.
         */
        private Duration responseHeaderTimeout;

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
    }

    /** TLS settings. */
    public static class Ssl {

        /**
         * Name of a Spring Boot SSL bundle (spring.ssl.bundle.*) with the trust and key material for https
         * hosts. Unset: the JVM's default trust store.
         */
        private String bundle;

        /**
         * Turns certificate and host name verification off. Only for test servers: a WARN is logged at start-up
         * and on first use.
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
         * Reports OUT_OF_SERVICE while requests are timing out waiting for a connection (some timed out since
         * the previous health check). Off by default: such timeouts then only appear in the details.
         */
        private boolean outOfServiceOnAcquireTimeouts = false;

        public boolean isOutOfServiceOnAcquireTimeouts() {
            return this.outOfServiceOnAcquireTimeouts;
        }

        public void setOutOfServiceOnAcquireTimeouts(boolean outOfServiceOnAcquireTimeouts) {
            this.outOfServiceOnAcquireTimeouts = outOfServiceOnAcquireTimeouts;
        }
    }

    /** Metrics settings. */
    public static class Metrics {

        /**
         * Most distinct host tag values on transport.pool.* meters; further hosts are tagged "other".
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
