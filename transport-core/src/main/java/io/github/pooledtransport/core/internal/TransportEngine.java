package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.github.pooledtransport.core.CallListener;
import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.ConnectionInfo;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.HostOverrides;
import io.github.pooledtransport.core.HostStats;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.ProxyResolver;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestOptions;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.ResponseFramingException;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportListener;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.TransportStats;

/**
 * The request path behind {@link io.github.pooledtransport.core.Transport}: lease a connection (idle and
 * checked, dialed, or after waiting), run the exchange through the connection's codec, and replay once on a
 * fresh connection when {@link RetryPolicy} says the failure allows it.
 *
 * <p>It holds no reference to the public {@code Transport}, so an abandoned transport can be garbage
 * collected and its engine closed by a cleaner.
 */
public final class TransportEngine {

    private final TransportConfig config;

    private final SafeListener listener;

    private final CallListeners callListeners;

    private final ConnectionPool pool;

    private final Dialer dialer;

    private final ExchangeCodec http1;

    private final ExchangeCodec h2;

    private final LeakTracker leaks;

    private final long acquireTimeoutNanos;

    private final long staleCheckNanos;

    private final long createdAt;

    private final AtomicLong connectionIds = new AtomicLong();

    private final ProxyResolver proxyResolver;

    /** Proxy identities come from a JVM-wide registry: looked up once per proxy, not per request. */
    private final java.util.concurrent.ConcurrentHashMap<Proxy, String> proxyIdentities =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param config the settings
     */
    public TransportEngine(TransportConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = SafeListener.of(config.listeners());
        this.callListeners = new CallListeners(config.callListenerFactories());
        this.pool = new ConnectionPool(config.maxIdleConns(), this::newHostPool, config.timeSource(), this.listener,
                EvictionScheduler.SHARED, this::launch,
                config.idleConnTimeout().isZero() ? Duration.ofSeconds(90) : config.idleConnTimeout());
        this.dialer = new Dialer(config, this.listener);
        this.leaks = new LeakTracker(config.leakDetection());
        this.http1 = new Http1ExchangeCodec(config, this.listener, this.leaks);
        this.h2 = new H2ExchangeCodec(config, this.listener, this.leaks);
        this.acquireTimeoutNanos = config.acquireTimeout().toNanos();
        this.staleCheckNanos = config.staleCheckAfterIdle().toNanos();
        this.proxyResolver = config.proxyResolver();
        this.createdAt = TransportRegistry.created();
        if (config.insecureSkipTlsVerify()) {
            org.slf4j.LoggerFactory.getLogger(TransportEngine.class).warn("Transport created with TLS verification "
                    + "OFF (insecureSkipTlsVerify): certificates and host names of https servers are not checked.");
        }
    }

    /** The pool key: origin, plus the proxy's identity and the TLS identity where they apply. */
    private HostKey hostKey(java.net.URI uri, Proxy proxy, RequestOptions options) {
        HostKey origin = HostKey.of(uri);
        boolean tls = origin.isTls() || (proxy != null && proxy.type() == Proxy.Type.HTTPS);
        String tlsIdentity = !tls ? null
                : (options.tlsIdentity() != null) ? options.tlsIdentity() : this.config.tlsIdentity();
        if (proxy == null && tlsIdentity == null) {
            return origin;
        }
        String proxyIdentity = (proxy != null) ? this.proxyIdentities.computeIfAbsent(proxy, Proxy::identity) : null;
        return new HostKey(origin.scheme(), origin.host(), origin.port(), proxyIdentity, tlsIdentity);
    }

    private HostPool newHostPool(HostKey key, Proxy proxy, javax.net.ssl.SSLContext sslContext) {
        HostPool host = newHostPool(key);
        host.proxy = proxy;
        host.sslContext = sslContext;
        // Whether its connections may be multiplexed: over TLS when h2 is offered (until the first ALPN answer says
        // otherwise, one dial at a time), in cleartext with prior knowledge (never through a forwarding proxy).
        host.multiplexed = key.isTls() ? host.protocols.contains(io.github.pooledtransport.core.Protocol.H2)
                : !(proxy != null && proxy.isHttp())
                        && io.github.pooledtransport.core.Protocol.cleartextIsH2(host.protocols);
        return host;
    }

    private HostPool newHostPool(HostKey key) {
        HostOverrides o = this.config.overridesFor(key);
        HostPool host = ConnectionPool.newHostPool(key,
                (o.maxIdleConnsPerHost() != null) ? o.maxIdleConnsPerHost() : this.config.maxIdleConnsPerHost(),
                (o.maxConnsPerHost() != null) ? o.maxConnsPerHost() : this.config.maxConnsPerHost(),
                (o.idleConnTimeout() != null) ? o.idleConnTimeout() : this.config.idleConnTimeout(),
                (o.responseHeaderTimeout() != null) ? o.responseHeaderTimeout() : this.config.responseHeaderTimeout());
        Duration callTimeout = (o.callTimeout() != null) ? o.callTimeout() : this.config.callTimeout();
        host.callTimeoutNanos = callTimeout.toNanos();
        host.callTimeoutSource = "callTimeout=" + callTimeout.toMillis() + " ms"
                + ((o.callTimeout() != null) ? " (this host's override)" : "");
        host.stopCounter = timedOut -> this.pool.countStopped(host, timedOut);
        host.protocols = this.config.protocolsFor(key);
        host.strict = this.config.strictMaxConcurrentStreams();
        return host;
    }

    /**
     * @param request the request
     * @return the response
     * @throws IOException when it fails
     */
    public Response roundTrip(Request request) throws IOException {
        return roundTrip(request, newCallState(request));
    }

    /**
     * @param request the request of a new call
     * @return the call's state, with its own listener made on this (the creating) thread
     */
    public CallState newCallState(Request request) {
        return new CallState(this.callListeners.forCall(request));
    }

    /**
     * @param request the request
     * @param call the call's cancellation, which may be stopped from any thread until the response is done
     * @return the response
     * @throws IOException when it fails; {@link io.github.pooledtransport.core.TransportCancelledException} when
     *     the call was stopped
     */
    public Response roundTrip(Request request, CallState call) throws IOException {
        Objects.requireNonNull(request, "request");
        long framing = RequestFraming.of(request);
        Proxy proxy = this.proxyResolver.proxyFor(request.uri());
        RequestOptions options = request.options();
        HostKey key = hostKey(request.uri(), proxy, options);
        HostPool host = host(key, proxy, options);
        Throwable site = this.leaks.withStackTraces() ? new Throwable("Response obtained here: " + request) : null;
        startClock(call, key, host, options);
        try {
            return exchange(request, call, host, proxy, framing, site);
        }
        catch (IOException | RuntimeException | Error ex) {
            call.finish(); // the call is over (a response ends it when its body does)
            throw ex;
        }
    }

    private HostPool host(HostKey key, Proxy proxy, RequestOptions options) {
        HostPool host = this.pool.existingHost(key);
        return (host != null) ? host : this.pool.host(key, k -> newHostPool(k, proxy, options.sslContext()));
    }

    /** Arms the call timeout that applies: the request's, else the host's override, else the transport's. */
    private void startClock(CallState call, HostKey key, HostPool host, RequestOptions options) {
        Duration requested = options.callTimeout();
        CallState.StopCounter counter = host.stopCounter;
        if (requested != null) {
            call.start(key, requested.toNanos(), "callTimeout=" + requested.toMillis() + " ms (this request's option)",
                    counter);
        }
        else if (host.callTimeoutNanos > 0) {
            call.start(key, host.callTimeoutNanos, host.callTimeoutSource, counter);
        }
        else {
            call.start(key, 0, null, counter);
        }
    }

    private Response exchange(Request request, CallState call, HostPool found, Proxy proxy, long framing,
            Throwable site) throws IOException {
        HostPool host = found;
        HostKey key = host.key;
        call.throwIfStopped(); // cancelled before it ran: not even counted as a request
        this.listener.getConn(key);
        CallListener events = call.events;
        boolean measured = !this.listener.isEmpty() || events != CallListener.NONE;
        boolean replay = false;
        boolean replayFresh = false;
        int refusedRetries = 0;
        while (true) {
            long getConnAt = measured ? System.nanoTime() : 0; // a replay waits anew
            events.connectionRequested(key);
            Lease lease;
            try {
                while (true) {
                    try {
                        lease = obtain(host, request, !replay && refusedRetries == 0, replayFresh, call);
                        break;
                    }
                    catch (ConnectionPool.StaleHostException ex) {
                        // The key's entry expired as the request found it: the key's new entry serves it, and counts
                        // a stop of it from now on. Nothing was asked of the pool yet, so listeners see nothing.
                        host = host(key, proxy, request.options());
                        call.countWith(host.stopCounter);
                    }
                }
            }
            catch (IOException | RuntimeException | Error ex) {
                events.connectionFailed(key, ex);
                throw ex;
            }
            PooledConnection conn = lease.connection;
            if (measured) {
                ConnectionInfo info = new ConnectionInfo(conn.id, conn.isReused(), conn.lastWasIdle,
                        Duration.ofNanos(conn.lastIdleNanos), Duration.ofNanos(System.nanoTime() - getConnAt));
                this.listener.gotConn(key, info);
                events.connectionAcquired(key, info);
            }
            try {
                call.enter(CallPhases.WRITING, lease.abortTarget());
            }
            catch (IOException ex) {
                lease.finish(null); // stopped before the exchange began: the connection is as it was
                throw ex;
            }
            try {
                return codecFor(conn).exchange(lease, request, framing, host.responseHeaderTimeout, site);
            }
            catch (ExchangeFailure failure) {
                IOException stopped = call.stoppedFailure(failure.getCause());
                if (stopped != null) {
                    lease.finish(CloseReason.CANCELLED);
                    throw stopped; // never replayed
                }
                long delay = RetryPolicy.refusedRetryDelayNanos(failure, request, refusedRetries);
                if (delay >= 0) {
                    // Not processed by the server: the stream ends, and any usable connection carries it again.
                    lease.finishForRetry();
                    this.pool.countReplay(host);
                    refusedRetries++;
                    backOff(call, delay, failure);
                    continue;
                }
                if (RetryPolicy.shouldReplay(failure, request, lease.reused(), replay)) {
                    this.pool.countReplay(host);
                    if (lease.stream != null) {
                        // The stream ends; the connection's own state decides its fate. Any usable connection
                        // may carry the request again: the server did not process it (RFC 9113 8.7).
                        lease.finishForRetry();
                    }
                    else {
                        // The dead connection served nothing, so it does not count as reused.
                        lease.discardUnused(failure.closeReason);
                        replayFresh = true;
                    }
                    replay = true;
                    continue;
                }
                lease.finish(failure.closeReason);
                throw failure.toCaller();
            }
            catch (IOException ex) {
                IOException stopped = call.stoppedFailure(ex);
                if (stopped != null) {
                    lease.finish(CloseReason.CANCELLED);
                    throw stopped;
                }
                lease.finish((ex instanceof ResponseFramingException) ? CloseReason.FRAMING_ERROR : CloseReason.ERROR);
                throw ex;
            }
            catch (RuntimeException | Error ex) {
                lease.finish(CloseReason.ERROR);
                throw ex;
            }
        }
    }

    /**
     * Waits before sending a refused request again; a stop of the call, its timeout included, ends the wait.
     */
    private static void backOff(CallState call, long delayNanos, ExchangeFailure refused) throws IOException {
        if (delayNanos == 0) {
            return;
        }
        java.util.concurrent.CountDownLatch woken = new java.util.concurrent.CountDownLatch(1);
        call.enter("waiting to send the request again after " + refused.getMessage(), woken::countDown);
        try {
            woken.await(delayNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            call.leave();
        }
        call.throwIfStopped();
    }

    /**
     * Builds the connection for the protocol the dialed socket carries, and takes ownership of the socket: HTTP/2
     * when the TLS handshake chose {@code h2}, or on a cleartext connection to a host whose protocols say so (never
     * through a proxy that forwards plain-http requests: it speaks HTTP/1.1); else HTTP/1.1.
     */
    private PooledConnection newConnection(HostPool host, DialedSocket dialed) throws IOException {
        boolean handedOver = false;
        try {
            String protocol = dialed.applicationProtocol();
            boolean multiplexed = dialed.tls() ? protocol.equals("h2")
                    : !(host.proxy != null && host.proxy.isHttp())
                            && io.github.pooledtransport.core.Protocol.cleartextIsH2(host.protocols);
            if (multiplexed) {
                H2Connection h2 = new H2Connection(host, this.connectionIds.incrementAndGet(),
                        this.config.timeSource().nanoTime(), expiresAt(), dialed, this.config.maxResponseHeaderBytes(),
                        this.config.disableKeepAlives(), this.config.writeTimeout(), this.config.http2ReadIdleTimeout(),
                        this.config.http2PingTimeout(), this.pool);
                handedOver = true; // from here the connection closes its socket (after a GOAWAY of ours, if any)
                h2.start(this.config.dialTimeout());
                return h2;
            }
            if (!protocol.equals("http/1.1")) {
                // A server that picks a protocol we did not offer breaks ALPN (RFC 7301 3.2).
                throw new TransportException(host.key, host.key + " negotiated the unsupported application protocol '"
                        + ResponseFraming.echo(protocol) + "'", null);
            }
            if (!host.protocols.contains(io.github.pooledtransport.core.Protocol.HTTP1)) {
                throw new TransportException(host.key, host.key + " answered with HTTP/1.1 (no ALPN h2), which "
                        + "protocols=" + io.github.pooledtransport.core.Protocol.format(host.protocols)
                        + " does not allow", null, "protocols");
            }
            return new Http1Connection(host, this.connectionIds.incrementAndGet(),
                    this.config.timeSource().nanoTime(), expiresAt(), dialed, this.config.bufferSize(),
                    this.config.maxResponseHeaderBytes());
        }
        catch (IOException | RuntimeException | Error ex) {
            if (!handedOver) {
                dialed.close();
            }
            throw ex;
        }
    }

    /** When a connection opened now stops being reused ({@code maxConnLifetime}), or never. */
    private long expiresAt() {
        long lifetime = this.config.maxConnLifetime().toNanos();
        if (lifetime <= 0) {
            return Long.MAX_VALUE;
        }
        // Up to 10% early, so connections opened together do not all expire together.
        long jitter = (long) (lifetime * 0.1 * ThreadLocalRandom.current().nextDouble());
        return this.config.timeSource().nanoTime() + lifetime - jitter;
    }

    /** The codec for a connection's protocol, chosen once the connection is made. */
    private ExchangeCodec codecFor(PooledConnection conn) {
        return (conn instanceof H2Connection) ? this.h2 : this.http1;
    }

    /**
     * A leased connection: an idle one that passed its check ({@link PooledConnection#checkIdle}), or a new one.
     */
    private Lease obtain(HostPool host, Request request, boolean countRequest, boolean fresh, CallState call)
            throws IOException {
        boolean count = countRequest;
        DialSpec spec = new DialSpec(request.options().connectTimeout(), call.events);
        while (true) {
            PooledConnection pooled = this.pool.acquire(host, count, fresh, this.acquireTimeoutNanos, call, spec);
            count = false;
            Lease lease = new Lease(this.pool, pooled, call);
            if (pooled.multiplexed) {
                // A stream is checked by opening it: a connection that can take none (failed, or retired, even
                // fresh from this request's own dial) fails it as refused, and the retry backs off (Go's rule)
                // instead of dialing again at once in a loop.
                return lease;
            }
            CloseReason unusable = pooled.checkIdle(!request.isReplayable(),
                    pooled.lastIdleNanos >= this.staleCheckNanos);
            if (unusable != null) {
                lease.discardUnused(unusable);
                continue;
            }
            return lease;
        }
    }

    /**
     * Runs a dial the pool started, on a thread of its own ({@link BlockingTasks#DIALS}): the requesting call's
     * listener hears it, and its end goes to the pool, which hands the connection to whoever waits.
     */
    private void runDial(Dial dial) {
        HostPool host = dial.host;
        CallListener events = dial.spec.events();
        CallState state = dial.state;
        events.dialStarted(host.key, dial.id);
        PooledConnection conn;
        InetSocketAddress remote;
        try {
            DialedSocket dialed = this.dialer.dial(host, dial.spec.connectTimeout(), state);
            if (state.leave()) {
                // Stopped as the dial completed: the stop closed the socket underneath.
                dialed.close();
                throw state.cancelled(null);
            }
            remote = (InetSocketAddress) dialed.channel().socket().getRemoteSocketAddress();
            conn = newConnection(host, dialed);
        }
        catch (IOException ex) {
            state.leave();
            IOException stopped = state.stoppedFailure(ex);
            IOException failure = (stopped != null) ? stopped : ex;
            events.dialFailed(host.key, dial.id, failure);
            this.pool.dialFailed(dial, failure);
            return;
        }
        catch (RuntimeException | Error ex) {
            state.leave();
            events.dialFailed(host.key, dial.id, ex);
            this.pool.dialFailed(dial, ex); // its requester throws it
            return;
        }
        events.dialSucceeded(host.key, dial.id, conn.id, remote);
        this.pool.dialSucceeded(dial, conn);
    }

    /** Starts a dial on a thread of its own; a dial that cannot start fails as it would have. */
    private void launch(Dial dial) {
        try {
            BlockingTasks.DIALS.execute(() -> runDial(dial));
        }
        catch (RuntimeException | Error ex) {
            // No thread for it (rejected, or none could be created): its requester must not wait for ever.
            IOException failure = new TransportException(dial.host.key, "Could not start a dial to " + dial.host.key
                    + ": " + ex, ex);
            this.pool.dialFailed(dial, failure); // never started: no dial events; its requester fails with it
        }
    }

    /** @return a consistent snapshot */
    public TransportStats stats() {
        PoolStats[] totals = new PoolStats[1];
        List<HostStats> hosts = this.pool.snapshot(totals);
        return new TransportStats(totals[0], hosts, this.pool.isClosed(), TransportRegistry.stats());
    }

    /**
     * @param key a host key
     * @return that host's snapshot, or {@code null} if unused
     */
    public HostStats hostStats(HostKey key) {
        return this.pool.snapshot(key);
    }

    /**
     * @param key a host key
     * @return that host's open connections, newest first
     */
    public java.util.List<io.github.pooledtransport.core.ConnectionStats> connections(HostKey key) {
        return this.pool.connections(key);
    }

    /** @return how many idle connections were closed */
    public int closeIdleConnections() {
        return this.pool.closeIdle();
    }

    /** @return how many idle connections the eviction pass closed */
    public int evictExpired() {
        return this.pool.evictExpired();
    }

    /**
     * Closes the pool and records the end of this transport.
     *
     * @param unclosed whether the transport was garbage collected without being closed
     */
    public void close(boolean unclosed) {
        if (!this.pool.isClosed()) {
            this.pool.close();
            TransportRegistry.ended(this.createdAt, unclosed);
        }
    }

    /** @return whether it was closed */
    public boolean isClosed() {
        return this.pool.isClosed();
    }

    /** @return the pool, for invariant checks in tests */
    public ConnectionPool pool() {
        return this.pool;
    }

    /** @param listener hears events from now on, after the configured listeners */
    public void addListener(TransportListener listener) {
        this.listener.add(listener);
    }

    /** @return the settings */
    public TransportConfig config() {
        return this.config;
    }
}
