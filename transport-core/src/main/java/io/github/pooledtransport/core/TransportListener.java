package io.github.pooledtransport.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Receives the events of each request and connection, like Go's {@code httptrace.ClientTrace}; metrics and
 * diagnostics are built on it.
 *
 * <p>For a request the events arrive in this order:
 * {@code getConn}, then for a new connection {@code dnsStart}/{@code dnsDone},
 * {@code connectStart}/{@code connectDone} (once per address tried) and for HTTPS
 * {@code tlsHandshakeStart}/{@code tlsHandshakeDone}; then {@code gotConn}, {@code wroteHeaders},
 * {@code wroteRequest}, {@code gotFirstResponseByte}, and when the body is finished {@code putIdleConn} or
 * {@code connectionClosed}. Every {@code ...Start} has a matching {@code ...Done}, with an error when the step
 * failed. A new connection is dialed apart from the request (late binding): its dial events come from the
 * dial's thread, may overlap the request's own events, and may come after {@code gotConn} when the request got
 * a connection released meanwhile (the dial's connection then goes to the pool).
 *
 * <p>Threads. Events may arrive on threads other than the caller's, and a listener must not keep per-request
 * state in thread-locals. {@code gotFirstResponseByte} comes from the transport's reader when a stuck upload is
 * watched for an early response, and may then come before, or while, {@code wroteRequest} is delivered.
 * {@code putIdleConn} and {@code connectionClosed} come from whichever thread ends the response: a thread that
 * closes it, a {@code Call.cancel()}, the timer thread of a {@code callTimeout} or {@code writeTimeout}, a dial
 * whose connection goes to the pool, or the evictor. Durations a listener would measure between two events are measured by the transport and passed in:
 * {@link ConnectionInfo#waited()} for the wait for a connection and the {@code elapsed} of the
 * keyed {@code dnsDone}, {@code connectDone} and {@code tlsHandshakeDone} for the steps of a dial. Apart from these cases (a
 * dial, a watched upload, a response ended from another thread), the events of one request do not run
 * concurrently with each other.
 *
 * <p>Implementations must be fast and thread-safe. An exception thrown by a listener is caught and logged
 * once; it never breaks a request.
 */
public interface TransportListener {

    /** A listener that ignores every event. */
    TransportListener NONE = new TransportListener() {
    };

    /**
     * A request asks the pool for a connection.
     *
     * @param key the host key
     */
    default void getConn(HostKey key) {
    }

    /**
     * The request got a connection, from the pool or freshly dialed.
     *
     * @param key the host key
     * @param info which connection and whether it was reused
     */
    default void gotConn(HostKey key, ConnectionInfo info) {
    }

    /**
     * Name resolution starts.
     *
     * @param host the host name
     */
    default void dnsStart(String host) {
    }

    /**
     * Name resolution ended.
     *
     * @param host the host name
     * @param addresses the addresses found, empty on error
     * @param error the failure, or {@code null}
     */
    default void dnsDone(String host, List<InetAddress> addresses, IOException error) {
    }

    /**
     * A lookup ended, for a host key, with how long it took; by default calls
     * {@link #dnsDone(String, List, IOException)}.
     *
     * @param key the host key the lookup is for
     * @param host the name looked up (the proxy's, when it is reached by name)
     * @param addresses the addresses found, empty on failure
     * @param error why it failed, or {@code null}
     * @param elapsed how long the caller waited for it
     */
    default void dnsDone(HostKey key, String host, List<InetAddress> addresses, IOException error,
            java.time.Duration elapsed) {
        dnsDone(host, addresses, error);
    }

    /**
     * A TCP connect starts.
     *
     * @param address the address being dialed
     */
    default void connectStart(InetSocketAddress address) {
    }

    /**
     * A TCP connect ended.
     *
     * @param address the address dialed
     * @param error the failure, or {@code null}
     */
    default void connectDone(InetSocketAddress address, IOException error) {
    }

    /**
     * A connection attempt ended, for a host key, with how long it took; by default calls
     * {@link #connectDone(InetSocketAddress, IOException)}. Override this one to time connects per host without
     * keeping state between events (which may come from other threads).
     *
     * @param key the host key the connection is for
     * @param address the address tried (the proxy's, when there is one)
     * @param error why it failed, or {@code null} when it connected
     * @param elapsed how long the attempt took
     */
    default void connectDone(HostKey key, InetSocketAddress address, IOException error, java.time.Duration elapsed) {
        connectDone(address, error);
    }

    /**
     * A TLS handshake starts.
     *
     * @param key the host key
     */
    default void tlsHandshakeStart(HostKey key) {
    }

    /**
     * A TLS handshake ended.
     *
     * @param key the host key
     * @param protocol the negotiated protocol, for example {@code TLSv1.3}, or {@code null} on error
     * @param cipherSuite the negotiated cipher suite, or {@code null} on error
     * @param error the failure, or {@code null}
     */
    default void tlsHandshakeDone(HostKey key, String protocol, String cipherSuite, IOException error) {
    }

    /**
     * A TLS handshake ended, with how long it took; by default calls
     * {@link #tlsHandshakeDone(HostKey, String, String, IOException)}.
     *
     * @param key the host key
     * @param protocol the negotiated protocol, or {@code null} on failure
     * @param cipherSuite the negotiated cipher suite, or {@code null} on failure
     * @param error why it failed, or {@code null}
     * @param elapsed how long the handshake took
     */
    default void tlsHandshakeDone(HostKey key, String protocol, String cipherSuite, IOException error,
            java.time.Duration elapsed) {
        tlsHandshakeDone(key, protocol, cipherSuite, error);
    }

    /**
     * The request line and headers were written (possibly still buffered).
     *
     * @param key the host key
     */
    default void wroteHeaders(HostKey key) {
    }

    /**
     * The whole request, body included, was written and flushed, or writing failed.
     *
     * @param key the host key
     * @param error the failure, or {@code null}
     */
    default void wroteRequest(HostKey key, IOException error) {
    }

    /**
     * The first byte of the response arrived.
     *
     * @param key the host key
     */
    default void gotFirstResponseByte(HostKey key) {
    }

    /**
     * A connection went back to the idle pool (or straight to a waiting request).
     *
     * @param key the host key
     * @param connectionId the connection
     */
    default void putIdleConn(HostKey key, long connectionId) {
    }

    /**
     * A connection was closed.
     *
     * @param key the host key
     * @param connectionId the connection
     * @param reason why
     */
    default void connectionClosed(HostKey key, long connectionId, CloseReason reason) {
    }

    /**
     * A host key's entry was dropped: it had no connections, waiting requests or dials for the transport's
     * {@code idleConnTimeout} (90 s when that is 0). Its counts live on in the totals; a later request to it
     * starts a new entry. Per-host state a listener keeps (meters, tags) can go with it. Comes from the evictor,
     * after the entry was dropped: a request may have made a new entry for the key meanwhile.
     *
     * @param last the entry's final counts (its key is {@code last.key()})
     */
    default void hostRemoved(HostStats last) {
    }
}
