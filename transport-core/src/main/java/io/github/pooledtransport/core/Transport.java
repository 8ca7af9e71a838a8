package io.github.pooledtransport.core;

import java.io.Closeable;
import java.io.IOException;
import java.lang.ref.Cleaner;

import io.github.pooledtransport.core.internal.TransportEngine;

/**
 * A pooled HTTP/1.1 transport in the manner of Go's {@code net/http.Transport}: it keeps persistent
 * connections per {@link HostKey}, reuses idle ones most-recently-used first, caps what it keeps idle per
 * host and in total, closes what idles too long, and queues requests beyond {@code maxConnsPerHost}.
 *
 * <p>Create one transport and share it: it is thread-safe, made for hundreds of concurrent callers
 * (virtual threads included). A transport per request defeats the pool, and is reported in
 * {@link #stats()} and by a WARN log.
 *
 * <p>A connection goes back to the pool when its response body has been read to the end or closed; always
 * close responses, ideally with try-with-resources.
 */
public final class Transport implements RoundTripper, Closeable {

    private static final Cleaner CLEANER = Cleaner.create();

    private final TransportEngine engine;

    private final Cleaner.Cleanable cleanable;

    /**
     * Creates a transport.
     *
     * @param config its settings
     */
    public Transport(TransportConfig config) {
        this.engine = new TransportEngine(config);
        TransportEngine engine = this.engine;
        this.cleanable = CLEANER.register(this, () -> engine.close(true));
    }

    /** @return a transport with the default settings */
    public static Transport create() {
        return new Transport(TransportConfig.defaults());
    }

    /**
     * Sends the request on a pooled connection (or a new one) and returns once the response head arrived.
     *
     * @param request the request
     * @return the response, which the caller must close
     * @throws TransportClosedException after {@link #close()}
     * @throws AcquireTimeoutException when the host stayed at {@code maxConnsPerHost} for
     *     {@code acquireTimeout}
     * @throws TransportCancelledException when the call ran past its {@code callTimeout} or the thread was
     *     interrupted; for a cancel handle, use {@link #newCall(Request)}
     * @throws IOException on any other failure; a request is replayed only when that is safe
     */
    @Override
    public Response roundTrip(Request request) throws IOException {
        return this.engine.roundTrip(request);
    }

    /**
     * Prepares a call that can be cancelled from any thread, before or while it runs (see {@link Call}).
     *
     * @param request the request
     * @return the call, to execute once
     */
    public Call newCall(Request request) {
        return new Call(this.engine, request);
    }

    /** @return an immutable snapshot of the pool: totals and per host key */
    public TransportStats stats() {
        return this.engine.stats();
    }

    /**
     * A snapshot of one host key, without walking the others: what per-host gauges read.
     *
     * @param key the host key
     * @return its stats, or {@code null} when no request has used it
     */
    public HostStats hostStats(HostKey key) {
        return this.engine.hostStats(key);
    }

    /**
     * A snapshot of one host key's open connections, each with its protocol and the requests it carries: what the
     * Actuator endpoint lists. It walks the host's connections (unlike {@link #hostStats}, which meters read).
     *
     * @param key the host key
     * @return its open connections, newest first; empty when none is open or no request has used it
     */
    public java.util.List<ConnectionStats> connections(HostKey key) {
        return this.engine.connections(key);
    }

    /**
     * Adds a listener to those of the configuration, for frameworks that observe a transport they did not create
     * (the Spring starter binds its meters to every {@code Transport} bean this way). It hears every event from
     * now on, after the configured listeners; an event already being delivered may or may not reach it. Like
     * theirs, its exceptions are logged once and never break a request.
     *
     * @param listener the listener
     */
    public void addListener(TransportListener listener) {
        this.engine.addListener(listener);
    }

    /** @return the settings this transport was created with */
    public TransportConfig config() {
        return this.engine.config();
    }

    /**
     * Closes every idle connection now, as Go's {@code CloseIdleConnections}, and stops the dials nobody waits
     * for any more; connections in use are not affected.
     *
     * @return how many connections were closed
     */
    public int closeIdleConnections() {
        return this.engine.closeIdleConnections();
    }

    /**
     * Closes the transport: idle connections at once, active ones when their responses are closed. Requests
     * waiting for a connection, and every later request, fail with {@link TransportClosedException}.
     */
    @Override
    public void close() {
        this.engine.close(false);
        this.cleanable.clean();
    }

    /** Runs an eviction pass now; for tests that walk the clock. */
    int evictExpiredIdleConnections() {
        return this.engine.evictExpired();
    }

    /** @return the engine, for invariant checks in tests */
    TransportEngine engine() {
        return this.engine;
    }
}
