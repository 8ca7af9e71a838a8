package io.github.pooledtransport.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The immutable settings of a {@link Transport}, made with {@link #builder()}.
 *
 * <p>The defaults differ from Go's {@code DefaultTransport} where Go's invite connection churn: Go keeps
 * only 2 idle connections per host, so any burst above 2 concurrent requests closes and reopens
 * connections and fills the machine with TIME_WAIT sockets. Here a burst of a few hundred concurrent
 * requests to one host reuses the connections it opened.
 */
public final class TransportConfig {

    private final int maxIdleConns;

    private final int maxIdleConnsPerHost;

    private final int maxConnsPerHost;

    private final Duration idleConnTimeout;

    private final Duration maxConnLifetime;

    private final Duration acquireTimeout;

    private final Duration dialTimeout;

    private final Duration keepAlive;

    private final Duration tlsHandshakeTimeout;

    private final Duration responseHeaderTimeout;

    private final Duration readTimeout;

    private final Duration callTimeout;

    private final Duration writeTimeout;

    private final Duration fallbackDelay;

    private final Duration expectContinueTimeout;

    private final int maxResponseHeaderBytes;

    private final boolean disableKeepAlives;

    private final boolean disableCompression;

    private final long drainOnCloseBytes;

    private final Duration drainTimeout;

    private final Duration staleCheckAfterIdle;

    private final LeakDetection leakDetection;

    private final int bufferSize;

    private final Map<String, HostOverrides> hostOverrides;

    private final List<TransportListener> listeners;

    private final List<CallListener.Factory> callListenerFactories;

    private final TimeSource timeSource;

    private final DnsResolver dnsResolver;

    private final ProxyResolver proxyResolver;

    private final Headers proxyConnectHeaders;

    private final javax.net.ssl.SSLContext sslContext;

    private final String tlsIdentity;

    private final boolean insecureSkipTlsVerify;

    private final AddressFilter addressFilter;

    private final java.util.Set<Protocol> protocols;

    private final boolean strictMaxConcurrentStreams;

    private final Duration http2ReadIdleTimeout;

    private final Duration http2PingTimeout;

    private TransportConfig(Builder b) {
        this.maxIdleConns = b.maxIdleConns;
        this.maxIdleConnsPerHost = b.maxIdleConnsPerHost;
        this.maxConnsPerHost = b.maxConnsPerHost;
        this.idleConnTimeout = b.idleConnTimeout;
        this.maxConnLifetime = b.maxConnLifetime;
        this.acquireTimeout = b.acquireTimeout;
        this.dialTimeout = b.dialTimeout;
        this.keepAlive = b.keepAlive;
        this.tlsHandshakeTimeout = b.tlsHandshakeTimeout;
        this.responseHeaderTimeout = b.responseHeaderTimeout;
        this.readTimeout = b.readTimeout;
        this.callTimeout = b.callTimeout;
        this.writeTimeout = b.writeTimeout;
        this.fallbackDelay = b.fallbackDelay;
        this.expectContinueTimeout = b.expectContinueTimeout;
        this.maxResponseHeaderBytes = b.maxResponseHeaderBytes;
        this.disableKeepAlives = b.disableKeepAlives;
        this.disableCompression = b.disableCompression;
        this.drainOnCloseBytes = b.drainOnCloseBytes;
        this.drainTimeout = b.drainTimeout;
        this.staleCheckAfterIdle = b.staleCheckAfterIdle;
        this.leakDetection = b.leakDetection;
        this.bufferSize = b.bufferSize;
        this.hostOverrides = Map.copyOf(b.hostOverrides);
        this.listeners = List.copyOf(b.listeners);
        this.callListenerFactories = List.copyOf(b.callListenerFactories);
        this.timeSource = b.timeSource;
        this.dnsResolver = b.dnsResolver;
        this.proxyResolver = b.proxyResolver;
        this.proxyConnectHeaders = b.proxyConnectHeaders;
        this.sslContext = b.sslContext;
        this.tlsIdentity = b.tlsIdentity;
        this.insecureSkipTlsVerify = b.insecureSkipTlsVerify;
        this.addressFilter = b.addressFilter;
        this.protocols = b.protocols;
        this.strictMaxConcurrentStreams = b.strictMaxConcurrentStreams;
        this.http2ReadIdleTimeout = b.http2ReadIdleTimeout;
        this.http2PingTimeout = b.http2PingTimeout;
    }

    /** @return a builder with every default */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults */
    public static TransportConfig defaults() {
        return builder().build();
    }

    /** @return a builder that starts from these settings */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return see {@link Builder#maxIdleConns(int)} */
    public int maxIdleConns() {
        return this.maxIdleConns;
    }

    /** @return see {@link Builder#maxIdleConnsPerHost(int)} */
    public int maxIdleConnsPerHost() {
        return this.maxIdleConnsPerHost;
    }

    /** @return see {@link Builder#maxConnsPerHost(int)} */
    public int maxConnsPerHost() {
        return this.maxConnsPerHost;
    }

    /** @return see {@link Builder#idleConnTimeout(Duration)} */
    public Duration idleConnTimeout() {
        return this.idleConnTimeout;
    }

    /** @return see {@link Builder#maxConnLifetime(Duration)} */
    public Duration maxConnLifetime() {
        return this.maxConnLifetime;
    }

    /** @return see {@link Builder#acquireTimeout(Duration)} */
    public Duration acquireTimeout() {
        return this.acquireTimeout;
    }

    /** @return see {@link Builder#dialTimeout(Duration)} */
    public Duration dialTimeout() {
        return this.dialTimeout;
    }

    /** @return see {@link Builder#keepAlive(Duration)} */
    public Duration keepAlive() {
        return this.keepAlive;
    }

    /** @return see {@link Builder#tlsHandshakeTimeout(Duration)} */
    public Duration tlsHandshakeTimeout() {
        return this.tlsHandshakeTimeout;
    }

    /** @return see {@link Builder#responseHeaderTimeout(Duration)} */
    public Duration responseHeaderTimeout() {
        return this.responseHeaderTimeout;
    }

    /** @return see {@link Builder#readTimeout(Duration)} */
    public Duration readTimeout() {
        return this.readTimeout;
    }

    /** @return see {@link Builder#callTimeout(Duration)} */
    public Duration callTimeout() {
        return this.callTimeout;
    }

    /** @return see {@link Builder#fallbackDelay(Duration)}: as set, 0 standing for 300 ms, negative for no race */
    public Duration fallbackDelay() {
        return this.fallbackDelay;
    }

    /** @return see {@link Builder#writeTimeout(Duration)} */
    public Duration writeTimeout() {
        return this.writeTimeout;
    }

    /** @return see {@link Builder#expectContinueTimeout(Duration)} */
    public Duration expectContinueTimeout() {
        return this.expectContinueTimeout;
    }

    /** @return see {@link Builder#maxResponseHeaderBytes(int)} */
    public int maxResponseHeaderBytes() {
        return this.maxResponseHeaderBytes;
    }

    /** @return see {@link Builder#disableKeepAlives(boolean)} */
    public boolean disableKeepAlives() {
        return this.disableKeepAlives;
    }

    /** @return see {@link Builder#disableCompression(boolean)} */
    public boolean disableCompression() {
        return this.disableCompression;
    }

    /** @return see {@link Builder#drainOnCloseBytes(long)} */
    public long drainOnCloseBytes() {
        return this.drainOnCloseBytes;
    }

    /** @return see {@link Builder#drainTimeout(Duration)} */
    public Duration drainTimeout() {
        return this.drainTimeout;
    }

    /** @return see {@link Builder#staleCheckAfterIdle(Duration)} */
    public Duration staleCheckAfterIdle() {
        return this.staleCheckAfterIdle;
    }

    /** @return see {@link Builder#leakDetection(LeakDetection)} */
    public LeakDetection leakDetection() {
        return this.leakDetection;
    }

    /** @return see {@link Builder#bufferSize(int)} */
    public int bufferSize() {
        return this.bufferSize;
    }

    /** @return per-host overrides keyed by lower-case {@code host} or {@code host:port} */
    public Map<String, HostOverrides> hostOverrides() {
        return this.hostOverrides;
    }

    /** @return the listeners, in the order they are called */
    public List<TransportListener> listeners() {
        return this.listeners;
    }

    /** @return the factories of per-call listeners, in the order their listeners are called */
    public List<CallListener.Factory> callListenerFactories() {
        return this.callListenerFactories;
    }

    /** @return the clock for every timeout and eviction decision */
    public TimeSource timeSource() {
        return this.timeSource;
    }

    /** @return the resolver for host names */
    public DnsResolver dnsResolver() {
        return this.dnsResolver;
    }

    /** @return see {@link Builder#proxyResolver(ProxyResolver)} */
    public ProxyResolver proxyResolver() {
        return this.proxyResolver;
    }

    /** @return see {@link Builder#proxyConnectHeaders(Headers)} */
    public Headers proxyConnectHeaders() {
        return this.proxyConnectHeaders;
    }

    /** @return the TLS context, or {@code null} for the JVM's default */
    public javax.net.ssl.SSLContext sslContext() {
        return this.sslContext;
    }

    /**
     * @return the name of the TLS trust and key material, part of every https host key; {@code null} for the
     *     JVM's default
     */
    public String tlsIdentity() {
        if (this.insecureSkipTlsVerify) {
            return "insecure";
        }
        return this.tlsIdentity;
    }

    /** @return see {@link Builder#insecureSkipTlsVerify(boolean)} */
    public boolean insecureSkipTlsVerify() {
        return this.insecureSkipTlsVerify;
    }

    /** @return see {@link Builder#http2ReadIdleTimeout(Duration)} */
    public Duration http2ReadIdleTimeout() {
        return this.http2ReadIdleTimeout;
    }

    /** @return see {@link Builder#http2PingTimeout(Duration)} */
    public Duration http2PingTimeout() {
        return this.http2PingTimeout;
    }

    /** @return see {@link Builder#strictMaxConcurrentStreams(boolean)} */
    public boolean strictMaxConcurrentStreams() {
        return this.strictMaxConcurrentStreams;
    }

    /** @return see {@link Builder#protocols(java.util.Set)} */
    public java.util.Set<Protocol> protocols() {
        return this.protocols;
    }

    /**
     * @param key a host
     * @return the protocols allowed for it: its override's, else the transport's
     */
    public java.util.Set<Protocol> protocolsFor(HostKey key) {
        java.util.Set<Protocol> own = overridesFor(key).protocols();
        return (own != null) ? own : this.protocols;
    }

    /** @return see {@link Builder#addressFilter(AddressFilter)} */
    public AddressFilter addressFilter() {
        return this.addressFilter;
    }

    /**
     * Finds the overrides for a host: {@code host:port} first, then {@code host}.
     *
     * @param key the host key
     * @return the overrides, {@link HostOverrides#NONE} when none match
     */
    public HostOverrides overridesFor(HostKey key) {
        if (this.hostOverrides.isEmpty()) {
            return HostOverrides.NONE;
        }
        HostOverrides exact = this.hostOverrides.get(key.host() + ":" + key.port());
        if (exact != null) {
            return exact;
        }
        return this.hostOverrides.getOrDefault(key.host(), HostOverrides.NONE);
    }

    static void requireNonNegative(String setting, Integer value) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(setting + " must be >= 0 but was " + value);
        }
    }

    static void requireNonNegative(String setting, Duration value) {
        if (value != null && value.isNegative()) {
            throw new IllegalArgumentException(setting + " must not be negative but was " + value);
        }
    }

    static void requirePositive(String setting, Duration value) {
        Objects.requireNonNull(value, setting);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(setting + " must be positive but was " + value);
        }
    }

    /** Builds a {@link TransportConfig}; every setter validates its argument and names it in the error. */
    public static final class Builder {

        private int maxIdleConns = 1024;

        private int maxIdleConnsPerHost = 256;

        private int maxConnsPerHost = 0;

        private Duration idleConnTimeout = Duration.ofSeconds(90);

        private Duration maxConnLifetime = Duration.ZERO;

        private Duration acquireTimeout = Duration.ofSeconds(30);

        private Duration dialTimeout = Duration.ofSeconds(30);

        private Duration keepAlive = Duration.ofSeconds(15);

        private Duration tlsHandshakeTimeout = Duration.ofSeconds(10);

        private Duration responseHeaderTimeout = Duration.ZERO;

        private Duration readTimeout = Duration.ZERO;

        private Duration callTimeout = Duration.ZERO;

        private Duration writeTimeout = Duration.ZERO;

        private Duration fallbackDelay = Duration.ZERO;

        private Duration expectContinueTimeout = Duration.ofSeconds(1);

        private int maxResponseHeaderBytes = 1024 * 1024;

        private boolean disableKeepAlives;

        private boolean disableCompression;

        private long drainOnCloseBytes = 256 * 1024;

        private Duration drainTimeout = Duration.ofMillis(250);

        private Duration staleCheckAfterIdle = Duration.ofSeconds(1);

        private LeakDetection leakDetection = LeakDetection.ON;

        private int bufferSize = 8 * 1024;

        private final Map<String, HostOverrides> hostOverrides = new LinkedHashMap<>();

        private final List<TransportListener> listeners = new ArrayList<>();

        private final List<CallListener.Factory> callListenerFactories = new ArrayList<>();

        private TimeSource timeSource = TimeSource.SYSTEM;

        private DnsResolver dnsResolver = DnsResolver.SYSTEM;

        private ProxyResolver proxyResolver = ProxyResolver.DIRECT;

        private Headers proxyConnectHeaders = Headers.EMPTY;

        private javax.net.ssl.SSLContext sslContext;

        private String tlsIdentity;

        private boolean insecureSkipTlsVerify;

        private AddressFilter addressFilter = AddressFilter.ALLOW_ALL;

        private boolean strictMaxConcurrentStreams;

        private Duration http2ReadIdleTimeout = Duration.ZERO;

        private Duration http2PingTimeout = Duration.ofSeconds(15);

        private java.util.Set<Protocol> protocols = Protocol.checked("protocols",
                java.util.EnumSet.of(Protocol.HTTP1, Protocol.H2));

        private Builder() {
        }

        private Builder(TransportConfig c) {
            this.maxIdleConns = c.maxIdleConns;
            this.maxIdleConnsPerHost = c.maxIdleConnsPerHost;
            this.maxConnsPerHost = c.maxConnsPerHost;
            this.idleConnTimeout = c.idleConnTimeout;
            this.maxConnLifetime = c.maxConnLifetime;
            this.acquireTimeout = c.acquireTimeout;
            this.dialTimeout = c.dialTimeout;
            this.keepAlive = c.keepAlive;
            this.tlsHandshakeTimeout = c.tlsHandshakeTimeout;
            this.responseHeaderTimeout = c.responseHeaderTimeout;
            this.readTimeout = c.readTimeout;
            this.callTimeout = c.callTimeout;
            this.writeTimeout = c.writeTimeout;
            this.fallbackDelay = c.fallbackDelay;
            this.expectContinueTimeout = c.expectContinueTimeout;
            this.maxResponseHeaderBytes = c.maxResponseHeaderBytes;
            this.disableKeepAlives = c.disableKeepAlives;
            this.disableCompression = c.disableCompression;
            this.drainOnCloseBytes = c.drainOnCloseBytes;
            this.drainTimeout = c.drainTimeout;
            this.staleCheckAfterIdle = c.staleCheckAfterIdle;
            this.leakDetection = c.leakDetection;
            this.bufferSize = c.bufferSize;
            this.hostOverrides.putAll(c.hostOverrides);
            this.listeners.addAll(c.listeners);
            this.callListenerFactories.addAll(c.callListenerFactories);
            this.timeSource = c.timeSource;
            this.dnsResolver = c.dnsResolver;
            this.proxyResolver = c.proxyResolver;
            this.proxyConnectHeaders = c.proxyConnectHeaders;
            this.sslContext = c.sslContext;
            this.tlsIdentity = c.tlsIdentity;
            this.insecureSkipTlsVerify = c.insecureSkipTlsVerify;
            this.addressFilter = c.addressFilter;
            this.protocols = c.protocols;
            this.strictMaxConcurrentStreams = c.strictMaxConcurrentStreams;
            this.http2ReadIdleTimeout = c.http2ReadIdleTimeout;
            this.http2PingTimeout = c.http2PingTimeout;
        }

        /**
         * Caps idle connections kept across all hosts. When a connection going idle would exceed it, the
         * idle connection unused for the longest time, whichever host it belongs to, is closed
         * ({@link CloseReason#IDLE_GLOBAL_CAP}). 0 means no global cap. Default 1024: enough for a few hosts
         * at full per-host idle capacity, while bounding the sockets a long-lived client holds open.
         *
         * @param maxIdleConns the cap, {@code >= 0}
         * @return this builder
         */
        public Builder maxIdleConns(int maxIdleConns) {
            requireNonNegative("maxIdleConns", maxIdleConns);
            this.maxIdleConns = maxIdleConns;
            return this;
        }

        /**
         * Caps idle connections kept per host key. A released connection beyond it is closed
         * ({@link CloseReason#IDLE_PER_HOST_CAP}). Set it at least to the number of concurrent requests you
         * send to one host: below that, every burst closes connections only to open new ones. 0 keeps no
         * idle connection at all. Default 256, so a burst of 200 concurrent requests reuses what it opened
         * (Go's default of 2 is the classic cause of TIME_WAIT storms).
         *
         * @param maxIdleConnsPerHost the cap, {@code >= 0}
         * @return this builder
         */
        public Builder maxIdleConnsPerHost(int maxIdleConnsPerHost) {
            requireNonNegative("maxIdleConnsPerHost", maxIdleConnsPerHost);
            this.maxIdleConnsPerHost = maxIdleConnsPerHost;
            return this;
        }

        /**
         * Caps connections per host key, counting dialing, active and idle ones. Requests beyond it wait,
         * first come first served, for a connection to be released or closed, for at most
         * {@link #acquireTimeout(Duration)}. 0 (the default) means no limit, as in Go.
         *
         * @param maxConnsPerHost the cap, {@code >= 0}
         * @return this builder
         */
        public Builder maxConnsPerHost(int maxConnsPerHost) {
            requireNonNegative("maxConnsPerHost", maxConnsPerHost);
            this.maxConnsPerHost = maxConnsPerHost;
            return this;
        }

        /**
         * How long a connection may sit idle in the pool; the clock starts when it is released and stops
         * when it is reused. Expired connections are closed by one background evictor
         * ({@link CloseReason#IDLE_TIMEOUT}). {@link Duration#ZERO} keeps idle connections indefinitely.
         * Default 90 s, as Go. It is also how long a host key's entry is kept once it has no connection, waiter or
         * dial (90 s when this is 0).
         *
         * @param idleConnTimeout the timeout, not negative
         * @return this builder
         */
        public Builder idleConnTimeout(Duration idleConnTimeout) {
            requireNonNegative("idleConnTimeout", Objects.requireNonNull(idleConnTimeout, "idleConnTimeout"));
            this.idleConnTimeout = idleConnTimeout;
            return this;
        }

        /**
         * The longest a connection is used from the moment it was opened. An older connection is not
         * reused; it is closed when released ({@link CloseReason#LIFETIME_EXPIRED}). Each connection's
         * lifetime is shortened by a random jitter of up to 10% so that a fleet does not reconnect in
         * lockstep. Use it to follow DNS changes behind long-lived pools. {@link Duration#ZERO} (the
         * default) means no limit.
         *
         * @param maxConnLifetime the lifetime, not negative
         * @return this builder
         */
        public Builder maxConnLifetime(Duration maxConnLifetime) {
            requireNonNegative("maxConnLifetime", Objects.requireNonNull(maxConnLifetime, "maxConnLifetime"));
            this.maxConnLifetime = maxConnLifetime;
            return this;
        }

        /**
         * How long a request waits in line for a connection when its host is at {@code maxConnsPerHost}; the
         * clock starts when it joins the line. On expiry the request fails with {@link AcquireTimeoutException}
         * naming the host, the limit and the queue. Once a slot frees up and a dial starts for the request, it
         * waits for that dial, which its own timeouts bound. {@link Duration#ZERO} waits indefinitely. Default
         * 30 s.
         *
         * @param acquireTimeout the timeout, not negative
         * @return this builder
         */
        public Builder acquireTimeout(Duration acquireTimeout) {
            requireNonNegative("acquireTimeout", Objects.requireNonNull(acquireTimeout, "acquireTimeout"));
            this.acquireTimeout = acquireTimeout;
            return this;
        }

        /**
         * Bounds opening a connection: name resolution is not included, every address tried is. The time
         * left is shared among the remaining addresses so one unreachable address cannot use it all.
         * {@link Duration#ZERO} means no limit beyond the operating system's. Default 30 s, as Go.
         *
         * @param dialTimeout the timeout, not negative
         * @return this builder
         */
        public Builder dialTimeout(Duration dialTimeout) {
            requireNonNegative("dialTimeout", Objects.requireNonNull(dialTimeout, "dialTimeout"));
            this.dialTimeout = dialTimeout;
            return this;
        }

        /**
         * The TCP keep-alive probe period (idle time before the first probe, and between probes) on every
         * connection, so that a peer that vanished without closing is noticed. {@link Duration#ZERO} turns
         * TCP keep-alive off. Default 15 s, as Go's dialer. Where the platform cannot set the period, TCP
         * keep-alive is enabled with the operating system's period.
         *
         * @param keepAlive the period, not negative
         * @return this builder
         */
        public Builder keepAlive(Duration keepAlive) {
            requireNonNegative("keepAlive", Objects.requireNonNull(keepAlive, "keepAlive"));
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * Bounds the TLS handshake, from the first ClientHello to the finished handshake.
         * {@link Duration#ZERO} means no limit. Default 10 s, as Go.
         *
         * @param tlsHandshakeTimeout the timeout, not negative
         * @return this builder
         */
        public Builder tlsHandshakeTimeout(Duration tlsHandshakeTimeout) {
            requireNonNegative("tlsHandshakeTimeout",
                    Objects.requireNonNull(tlsHandshakeTimeout, "tlsHandshakeTimeout"));
            this.tlsHandshakeTimeout = tlsHandshakeTimeout;
            return this;
        }

        /**
         * Bounds the wait for the response's status line and headers; the clock starts when the request,
         * body included, has been written and stops when the headers have been read. Reading the body is
         * not included (see {@link #readTimeout(Duration)}). {@link Duration#ZERO} (the default) means no
         * limit, as Go.
         *
         * @param responseHeaderTimeout the timeout, not negative
         * @return this builder
         */
        public Builder responseHeaderTimeout(Duration responseHeaderTimeout) {
            requireNonNegative("responseHeaderTimeout",
                    Objects.requireNonNull(responseHeaderTimeout, "responseHeaderTimeout"));
            this.responseHeaderTimeout = responseHeaderTimeout;
            return this;
        }

        /**
         * Bounds each read of the response body: the clock restarts with every read, so a body that keeps
         * flowing never times out. {@link Duration#ZERO} (the default) means no limit.
         *
         * @param readTimeout the timeout, not negative
         * @return this builder
         */
        public Builder readTimeout(Duration readTimeout) {
            requireNonNegative("readTimeout", Objects.requireNonNull(readTimeout, "readTimeout"));
            this.readTimeout = readTimeout;
            return this;
        }

        /**
         * Bounds a whole call, as OkHttp's {@code callTimeout} and a Go request context's deadline: waiting for a
         * connection, DNS, the dial and TLS handshake, writing the request, the response head, reading the body
         * to its end, and any replay. When it elapses the call fails with
         * {@link TransportCancelledException} (a read under way is stopped by closing its socket) and its
         * connection is closed. A host's {@link HostOverrides#callTimeout()} and a request's
         * {@link RequestOptions#callTimeout()} replace it. {@link Duration#ZERO} (the default) means no limit.
         *
         * @param callTimeout the timeout, not negative
         * @return this builder
         */
        public Builder callTimeout(Duration callTimeout) {
            requireNonNegative("callTimeout", Objects.requireNonNull(callTimeout, "callTimeout"));
            this.callTimeout = callTimeout;
            return this;
        }

        /**
         * Bounds each write of a request body to the socket: a write that makes no progress for this long (the
         * server stopped reading and the socket's buffers are full) fails, and the connection is closed; the
         * request is not replayed. Java socket timeouts cover reads only, so the transport's shared timer thread
         * closes the socket under the blocked writer. The first 64 KiB of a request are not timed: they fit in
         * the socket buffers of both ends, so writing them never waits for the server. {@link Duration#ZERO} (the
         * default) means no limit, as Go.
         *
         * @param writeTimeout the timeout, not negative
         * @return this builder
         */
        public Builder writeTimeout(Duration writeTimeout) {
            requireNonNegative("writeTimeout", Objects.requireNonNull(writeTimeout, "writeTimeout"));
            this.writeTimeout = writeTimeout;
            return this;
        }

        /**
         * Happy eyeballs, as Go's {@code Dialer.FallbackDelay}: when a name resolves to both IPv6 and IPv4
         * addresses, the family of the first address is tried first, and the other joins the race after this
         * delay (or at once when every address of the first failed); the first TCP connection wins and the
         * others are closed. {@link Duration#ZERO} (the default) means Go's 300 ms; a negative value turns the
         * race off, trying all addresses in order. The JDK's resolver returns IPv4 addresses first unless
         * {@code java.net.preferIPv6Addresses} is set, so IPv4 is usually primary.
         *
         * @param fallbackDelay the delay, 0 for 300 ms, negative for no race
         * @return this builder
         */
        public Builder fallbackDelay(Duration fallbackDelay) {
            this.fallbackDelay = Objects.requireNonNull(fallbackDelay, "fallbackDelay");
            return this;
        }

        /**
         * For a request with {@code Expect: 100-continue} and a body: how long to wait for the server's
         * first response after writing the headers before sending the body anyway. A final status received
         * in that time is returned without sending the body. {@link Duration#ZERO} sends the body at once.
         * Default 1 s, as Go's {@code DefaultTransport}.
         *
         * @param expectContinueTimeout the timeout, not negative
         * @return this builder
         */
        public Builder expectContinueTimeout(Duration expectContinueTimeout) {
            requireNonNegative("expectContinueTimeout",
                    Objects.requireNonNull(expectContinueTimeout, "expectContinueTimeout"));
            this.expectContinueTimeout = expectContinueTimeout;
            return this;
        }

        /**
         * Caps the bytes of a response's status line and headers (line terminators included); a larger
         * head fails with {@link ResponseHeadersTooLargeException}. Default 1 MiB.
         *
         * @param maxResponseHeaderBytes the cap, {@code >= 256}
         * @return this builder
         */
        public Builder maxResponseHeaderBytes(int maxResponseHeaderBytes) {
            if (maxResponseHeaderBytes < 256) {
                throw new IllegalArgumentException(
                        "maxResponseHeaderBytes must be >= 256 but was " + maxResponseHeaderBytes);
            }
            this.maxResponseHeaderBytes = maxResponseHeaderBytes;
            return this;
        }

        /**
         * Sends {@code Connection: close} and uses each connection for one request only. Every request then
         * opens a new connection: use it only when a server mishandles persistent connections. Default
         * {@code false}.
         *
         * @param disableKeepAlives whether to turn persistent connections off
         * @return this builder
         */
        public Builder disableKeepAlives(boolean disableKeepAlives) {
            this.disableKeepAlives = disableKeepAlives;
            return this;
        }

        /**
         * Turns off transparent gzip. When it is on (the default) and the caller set no
         * {@code Accept-Encoding} (nor {@code Range}), the transport asks for gzip and decodes a gzip
         * response, removing {@code Content-Encoding} and {@code Content-Length}. A caller that sets
         * {@code Accept-Encoding} itself always gets the body untouched.
         *
         * @param disableCompression whether to turn transparent gzip off
         * @return this builder
         */
        public Builder disableCompression(boolean disableCompression) {
            this.disableCompression = disableCompression;
            return this;
        }

        /**
         * When a response body is closed before its end, up to this many remaining bytes are read and
         * discarded (within {@link #drainTimeout(Duration)}) so the connection can be reused; a larger
         * remainder closes the connection ({@link CloseReason#BODY_NOT_CONSUMED}). 0 closes the connection
         * whenever a body is abandoned. Default 256 KiB.
         *
         * @param drainOnCloseBytes the allowance, {@code >= 0}
         * @return this builder
         */
        public Builder drainOnCloseBytes(long drainOnCloseBytes) {
            if (drainOnCloseBytes < 0) {
                throw new IllegalArgumentException("drainOnCloseBytes must be >= 0 but was " + drainOnCloseBytes);
            }
            this.drainOnCloseBytes = drainOnCloseBytes;
            return this;
        }

        /**
         * Bounds the draining of an abandoned response body (see {@link #drainOnCloseBytes(long)}); the
         * clock starts at {@code close()}. A body not drained in time closes the connection. Default 250 ms.
         *
         * @param drainTimeout the timeout, positive
         * @return this builder
         */
        public Builder drainTimeout(Duration drainTimeout) {
            requirePositive("drainTimeout", drainTimeout);
            this.drainTimeout = drainTimeout;
            return this;
        }

        /**
         * Idle time from which a pooled connection is also checked for a close that left no bytes (a server's
         * FIN). Every connection handed out from the pool is first checked, whatever its idle time and without
         * blocking, for bytes the server sent unasked (a late response, a {@code 408} before a close): such a
         * connection is closed as {@code unsolicited-response} and the request goes to another one. Over plain
         * TCP the check for a close is a non-blocking read: on every reuse for requests that cannot be replayed
         * ({@link Request#isReplayable()} is false: a POST without an {@code Idempotency-Key}, a one-shot body),
         * which could not be sent again if the connection turned out to be dead, and for replayable ones (replayed
         * once on a fresh connection when a reused one fails before any response byte) only after this idle
         * time. Over TLS the connection is read through TLS with a 1 ms timeout only when bytes wait (a TLS 1.3
         * session ticket, a {@code close_notify}, data) or after this idle time, whatever the request: a timed
         * read on every reuse would cost each request that cannot be replayed up to 1 ms. Zero checks for a close
         * on every reuse. Default 1 s.
         *
         * @param staleCheckAfterIdle the idle time, not negative
         * @return this builder
         */
        public Builder staleCheckAfterIdle(Duration staleCheckAfterIdle) {
            requireNonNegative("staleCheckAfterIdle",
                    Objects.requireNonNull(staleCheckAfterIdle, "staleCheckAfterIdle"));
            this.staleCheckAfterIdle = staleCheckAfterIdle;
            return this;
        }

        /**
         * How responses that are never closed are detected. Default {@link LeakDetection#ON}.
         *
         * @param leakDetection the mode
         * @return this builder
         */
        public Builder leakDetection(LeakDetection leakDetection) {
            this.leakDetection = Objects.requireNonNull(leakDetection, "leakDetection");
            return this;
        }

        /**
         * The size of each connection's read and write buffers, allocated once per connection and reused by
         * every request on it. Default 8 KiB.
         *
         * @param bufferSize the size in bytes, {@code >= 1024}
         * @return this builder
         */
        public Builder bufferSize(int bufferSize) {
            if (bufferSize < 1024) {
                throw new IllegalArgumentException("bufferSize must be >= 1024 but was " + bufferSize);
            }
            this.bufferSize = bufferSize;
            return this;
        }

        /**
         * Overrides settings for one host.
         *
         * @param host {@code host} (every port) or {@code host:port}; case-insensitive
         * @param overrides the settings that differ from the transport-wide ones
         * @return this builder
         */
        public Builder hostOverrides(String host, HostOverrides overrides) {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(overrides, "overrides");
            if (host.isBlank()) {
                throw new IllegalArgumentException("hostOverrides key must be a host or host:port, not blank");
            }
            this.hostOverrides.put(host.toLowerCase(Locale.ROOT), overrides);
            return this;
        }

        /**
         * Adds a listener; listeners are called in the order they were added.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(TransportListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Adds a factory of per-call listeners ({@link CallListener}), called for every call on the thread that
         * creates it; their listeners are called in the order the factories were added.
         *
         * @param factory the factory
         * @return this builder
         */
        public Builder callListenerFactory(CallListener.Factory factory) {
            this.callListenerFactories.add(Objects.requireNonNull(factory, "factory"));
            return this;
        }

        /**
         * Replaces the clock, for tests that walk time instead of sleeping.
         *
         * @param timeSource the clock
         * @return this builder
         */
        public Builder timeSource(TimeSource timeSource) {
            this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
            return this;
        }

        /**
         * Replaces name resolution.
         *
         * @param dnsResolver the resolver
         * @return this builder
         */
        public Builder dnsResolver(DnsResolver dnsResolver) {
            this.dnsResolver = Objects.requireNonNull(dnsResolver, "dnsResolver");
            return this;
        }

        /**
         * Chooses the proxy for each request, as Go's {@code Transport.Proxy}. Default
         * {@link ProxyResolver#DIRECT}: no proxy unless configured, so that nothing in the environment
         * changes where requests go without the application asking for it. Use
         * {@link ProxyResolver#fromEnvironment()} for Go's and curl's behaviour.
         *
         * @param proxyResolver the resolver
         * @return this builder
         */
        public Builder proxyResolver(ProxyResolver proxyResolver) {
            this.proxyResolver = Objects.requireNonNull(proxyResolver, "proxyResolver");
            return this;
        }

        /**
         * Extra headers sent on every {@code CONNECT} request to an HTTP proxy, never to the origin (Go's
         * {@code ProxyConnectHeader}).
         *
         * @param proxyConnectHeaders the headers
         * @return this builder
         * @throws IllegalArgumentException when a value holds a control character other than HTAB or a character
         *     above U+00FF (the same rule as request headers)
         */
        public Builder proxyConnectHeaders(Headers proxyConnectHeaders) {
            Objects.requireNonNull(proxyConnectHeaders, "proxyConnectHeaders").requireSendable();
            this.proxyConnectHeaders = proxyConnectHeaders;
            return this;
        }

        /**
         * The TLS trust and key material for https targets and https proxies. Host names are always
         * verified (endpoint identification {@code HTTPS}) unless {@link #insecureSkipTlsVerify(boolean)}.
         * The identity names the material in host keys, so connections made with different material never
         * mix. Default: the JVM's default context.
         *
         * @param sslContext the context
         * @param identity a stable name for it, such as a Spring SSL bundle name
         * @return this builder
         */
        public Builder sslContext(javax.net.ssl.SSLContext sslContext, String identity) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            this.tlsIdentity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /**
         * Turns certificate and host name verification off. Anyone on the network path can then read and
         * change the traffic: use it only against test servers. A WARN is logged when the transport is
         * created and on its first TLS handshake. Default {@code false}.
         *
         * @param insecureSkipTlsVerify whether to skip verification
         * @return this builder
         */
        public Builder insecureSkipTlsVerify(boolean insecureSkipTlsVerify) {
            this.insecureSkipTlsVerify = insecureSkipTlsVerify;
            return this;
        }

        /**
         * Go's {@code ReadIdleTimeout}: when an HTTP/2 connection receives no frame for this long, it sends a PING,
         * and closes if that is not answered within {@link #http2PingTimeout}, so a connection a middlebox dropped
         * silently is found before a request is lost on it. Default 0: off, as in Go.
         *
         * @param http2ReadIdleTimeout the timeout, zero for none
         * @return this builder
         */
        public Builder http2ReadIdleTimeout(Duration http2ReadIdleTimeout) {
            requireNonNegative("http2ReadIdleTimeout",
                    Objects.requireNonNull(http2ReadIdleTimeout, "http2ReadIdleTimeout"));
            this.http2ReadIdleTimeout = http2ReadIdleTimeout;
            return this;
        }

        /**
         * Go's {@code PingTimeout}: how long a health-check PING ({@link #http2ReadIdleTimeout}) may go unanswered
         * before the connection is closed as {@code ping-timeout}. Default 15 s.
         *
         * @param http2PingTimeout the timeout, positive
         * @return this builder
         */
        public Builder http2PingTimeout(Duration http2PingTimeout) {
            requirePositive("http2PingTimeout", http2PingTimeout);
            this.http2PingTimeout = http2PingTimeout;
            return this;
        }

        /**
         * Go's {@code StrictMaxConcurrentStreams}: when every HTTP/2 connection to a host carries as many requests
         * as its server allows, a request waits for a stream (within {@code acquireTimeout}) instead of opening
         * another connection. Default {@code false}: another connection opens, as Go's default. A host's
         * {@code maxConnsPerHost} caps connections either way.
         *
         * @param strictMaxConcurrentStreams whether requests wait for a stream
         * @return this builder
         */
        public Builder strictMaxConcurrentStreams(boolean strictMaxConcurrentStreams) {
            this.strictMaxConcurrentStreams = strictMaxConcurrentStreams;
            return this;
        }

        /**
         * The application protocols the transport may speak (Go's {@code Transport.Protocols}); a host may have its
         * own ({@link HostOverrides#protocols()}). Default {@code http1, h2}: over TLS both are offered through ALPN
         * and the server picks; with {@link Protocol#H2C} and without {@link Protocol#HTTP1}, {@code http://} URLs
         * speak HTTP/2 with prior knowledge.
         *
         * @param protocols the protocols, not empty
         * @return this builder
         */
        public Builder protocols(java.util.Set<Protocol> protocols) {
            this.protocols = Protocol.checked("protocols", Objects.requireNonNull(protocols, "protocols"));
            return this;
        }

        /**
         * Restricts the addresses the transport connects to (see {@link AddressFilter}). Default: every
         * address allowed.
         *
         * @param addressFilter the filter
         * @return this builder
         */
        public Builder addressFilter(AddressFilter addressFilter) {
            this.addressFilter = Objects.requireNonNull(addressFilter, "addressFilter");
            return this;
        }

        /**
         * Checks settings that depend on each other and builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException when a per-host idle cap exceeds the global idle cap
         */
        public TransportConfig build() {
            checkIdleCaps("maxIdleConnsPerHost", this.maxIdleConnsPerHost);
            this.hostOverrides.forEach((host, overrides) -> {
                if (overrides.maxIdleConnsPerHost() != null) {
                    checkIdleCaps("hostOverrides[" + host + "].maxIdleConnsPerHost", overrides.maxIdleConnsPerHost());
                }
            });
            return new TransportConfig(this);
        }

        private void checkIdleCaps(String setting, int perHost) {
            if (this.maxIdleConns > 0 && perHost > this.maxIdleConns) {
                throw new IllegalArgumentException(String.format(
                        "%s (%d) must not exceed maxIdleConns (%d): raise maxIdleConns or lower %s", setting,
                        perHost, this.maxIdleConns, setting));
            }
        }
    }
}
