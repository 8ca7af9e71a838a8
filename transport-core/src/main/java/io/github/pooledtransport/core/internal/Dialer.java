package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.pooledtransport.core.AddressDeniedException;
import io.github.pooledtransport.core.AddressFilter;
import io.github.pooledtransport.core.DnsResolver;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.TimeSource;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;

/**
 * Opens sockets: to the target directly, or to a proxy and through it (HTTP forwarding, CONNECT tunnel,
 * SOCKS5). Every address of the host being dialed is tried in turn within the dial timeout, which also bounds
 * the tunnel set-up; then TLS is negotiated for {@code https} targets (and {@code https} proxies) within the
 * TLS handshake timeout. It speaks no HTTP to the target: the engine builds the connection for the protocol
 * the returned socket carries.
 */
final class Dialer {

    private static final Logger logger = LoggerFactory.getLogger(Dialer.class);


    private final TransportConfig config;

    private final SafeListener listener;

    private final TimeSource time;

    private final DnsResolver resolver;

    private final AddressFilter filter;

    private final SSLContext sslContext;

    private final AtomicBoolean insecureUseWarned = new AtomicBoolean();

    /** How long the first address family races alone; negative when racing is off. */
    private final long fallbackDelayNanos;

    Dialer(TransportConfig config, SafeListener listener) {
        this.config = config;
        this.listener = listener;
        this.time = config.timeSource();
        this.resolver = config.dnsResolver();
        this.filter = config.addressFilter();
        this.sslContext = TlsContexts.contextFor(config);
        java.time.Duration fallback = config.fallbackDelay();
        this.fallbackDelayNanos = fallback.isNegative() ? -1 : fallback.isZero() ? 300_000_000L : fallback.toNanos();
    }

    /**
     * @param host the host pool
     * @param connectTimeout the request's connect timeout, or {@code null} for the dial timeout
     * @param call the call the dial is for: a stop closes the socket being dialed and stops waiting for DNS
     * @return the connected socket, now the caller's
     * @throws IOException when the dial failed; the call's cancellation when it was stopped
     */
    DialedSocket dial(HostPool host, java.time.Duration connectTimeout, CallState call) throws IOException {
        HostKey key = host.key;
        Proxy proxy = host.proxy;
        java.time.Duration timeout = (connectTimeout != null) ? connectTimeout : this.config.dialTimeout();
        long deadline = timeout.isZero() ? 0 : System.nanoTime() + timeout.toNanos();
        if (proxy == null) {
            List<InetAddress> addresses = allowed(key, resolve(key, key.host(), call));
            SocketChannel channel = connectAny(host, null, addresses, key.port(), deadline, connectTimeout, call);
            Socket socket = channel.socket();
            boolean handedOver = false;
            try {
                if (key.isTls()) {
                    socket = handshake(host, socket, key.host(), key.port(), call, targetProtocols(host));
                }
                DialedSocket dialed = new DialedSocket(channel, socket, key.isTls(), null);
                handedOver = true;
                return dialed;
            }
            finally {
                if (!handedOver) {
                    DialedSocket.close(channel, socket);
                }
            }
        }
        SocketChannel channel = connectAny(host, proxy, resolve(key, proxy.host(), call), proxy.port(), deadline,
                connectTimeout, call);
        Socket socket = channel.socket();
        // Until the dialed socket is returned, this method owns it: whatever is thrown, including
        // runtime exceptions from a resolver, filter or TLS provider, the finally block closes it.
        boolean handedOver = false;
        try {
            String forwardAuthorization = null;
            boolean tls = false;
            if (proxy.isHttp()) {
                if (proxy.type() == Proxy.Type.HTTPS) {
                    // To the proxy itself only HTTP/1.1: CONNECT and forwarding are HTTP/1.1 requests.
                    socket = handshake(host, socket, proxy.host(), proxy.port(), call, HTTP1_ONLY);
                    tls = true;
                }
                if (key.isTls()) {
                    call.phase("setting up the tunnel through proxy " + proxy);
                    tunnelTimeout(socket, deadline, key, proxy);
                    ProxyTunnels.connect(socket, key, proxy, this.config.proxyConnectHeaders());
                }
                else {
                    forwardAuthorization = ProxyTunnels.basicAuthorization(proxy);
                }
            }
            else {
                InetAddress resolved = null;
                if (proxy.type() == Proxy.Type.SOCKS5 && !IpLiterals.isIpLiteral(key.host())) {
                    resolved = allowed(key, resolve(key, key.host(), call)).get(0);
                    // The lookup was a step of its own: a stop closes the proxy's socket again from here.
                    call.enter("setting up the tunnel through proxy " + proxy, () -> closeQuietly(channel));
                }
                else if (IpLiterals.isIpLiteral(key.host())) {
                    allowed(key, List.of(InetAddress.getByName(key.host())));
                }
                call.phase("setting up the tunnel through proxy " + proxy);
                tunnelTimeout(socket, deadline, key, proxy);
                ProxyTunnels.socks5(socket, key, proxy, resolved);
            }
            socket.setSoTimeout(0);
            if (key.isTls()) {
                socket = handshake(host, socket, key.host(), key.port(), call, targetProtocols(host));
                tls = true;
            }
            DialedSocket dialed = new DialedSocket(channel, socket, tls, forwardAuthorization);
            handedOver = true;
            return dialed;
        }
        catch (TransportCancelledException ex) {
            throw ex;
        }
        catch (SocketTimeoutException ex) {
            closeQuietly(socket);
            throw new TransportException(key, "Setting up the tunnel to " + key.authority() + " through proxy "
                    + proxy + " exceeded " + dialLimit(connectTimeout), ex, dialSetting(connectTimeout));
        }
        catch (TransportException ex) {
            closeQuietly(socket);
            throw ex;
        }
        catch (IOException ex) {
            closeQuietly(socket);
            TransportCancelledException stopped = call.stoppedFailure(ex);
            if (stopped != null) {
                throw stopped;
            }
            throw new TransportException(key, "Proxy " + proxy + " failed while connecting to " + key.authority()
                    + ": " + ex.getMessage(), ex);
        }
        finally {
            if (!handedOver) {
                DialedSocket.close(channel, socket);
            }
        }
    }

    private void tunnelTimeout(Socket socket, long deadline, HostKey key, Proxy proxy) throws IOException {
        if (deadline == 0) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("dial deadline passed before the tunnel to " + key + " via " + proxy);
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
    }

    /** Names the dial limit that applied: the request's own connectTimeout replaces the transport's dialTimeout. */
    private String dialLimit(java.time.Duration connectTimeout) {
        return (connectTimeout != null)
                ? "connectTimeout=" + connectTimeout.toMillis() + " ms (this request's option, in place of dialTimeout)"
                : "dialTimeout=" + this.config.dialTimeout().toMillis() + " ms";
    }

    private static String dialSetting(java.time.Duration connectTimeout) {
        return (connectTimeout != null) ? "connectTimeout" : "dialTimeout";
    }

    private SocketChannel connectAny(HostPool host, Proxy proxy, List<InetAddress> addresses, int port,
            long deadline, java.time.Duration connectTimeout, CallState call) throws IOException {
        HostKey key = host.key;
        if (this.fallbackDelayNanos >= 0 && HappyEyeballs.bothFamilies(addresses)) {
            return race(host, proxy, addresses, port, deadline, connectTimeout, call);
        }
        IOException last = null;
        List<String> tried = new ArrayList<>(addresses.size());
        for (int i = 0; i < addresses.size(); i++) {
            long perAddress = 0;
            if (deadline != 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                perAddress = HappyEyeballs.shareOf(left, addresses.size() - i);
            }
            InetSocketAddress address = new InetSocketAddress(addresses.get(i), port);
            tried.add(address.getAddress().getHostAddress());
            SocketChannel channel = null;
            call.label("connecting to " + address.getAddress().getHostAddress()); // before listeners hear of it
            this.listener.connectStart(address);
            long connectStarted = System.nanoTime();
            try {
                channel = SocketChannel.open();
                SocketChannel dialing = channel;
                // The dial's one resource from here to the hand-over: a stop closes it, whatever stage it is in.
                call.enter("connecting to " + address.getAddress().getHostAddress(), () -> closeQuietly(dialing));
                channel.socket().connect(address, (int) Math.max(perAddress > 0 ? 1 : 0, perAddress / 1_000_000));
                configure(channel);
                this.listener.connectDone(key, address, null, sinceNanos(connectStarted));
                return channel;
            }
            catch (IOException ex) {
                closeQuietly(channel);
                this.listener.connectDone(key, address, ex, sinceNanos(connectStarted));
                TransportCancelledException stopped = call.stoppedFailure(ex);
                if (stopped != null) {
                    throw stopped; // no other address: the call is over
                }
                last = ex;
            }
            catch (RuntimeException | Error ex) {
                closeQuietly(channel);
                this.listener.connectDone(key, address, unexpected(ex), sinceNanos(connectStarted));
                throw ex;
            }
        }
        throw cannotConnect(key, proxy, tried, last, connectTimeout);
    }

    private TransportException cannotConnect(HostKey key, Proxy proxy, List<String> tried, IOException last,
            java.time.Duration connectTimeout) {
        boolean timedOut = last instanceof SocketTimeoutException || last == null;
        String why = timedOut ? dialLimit(connectTimeout) + " elapsed" : String.valueOf(last.getMessage());
        String what = (proxy == null) ? key.toString() : "proxy " + proxy + " for " + key.scheme() + "://" + key.authority();
        return new TransportException(key, "Cannot connect to " + what + " (tried " + String.join(", ", tried) + "): "
                + why, last, timedOut ? dialSetting(connectTimeout) : null);
    }

    /**
     * Races the two address families ({@link HappyEyeballs}); every attempt is a {@code connectStart} and a
     * {@code connectDone}, the losers' with the error that they were abandoned.
     */
    private SocketChannel race(HostPool host, Proxy proxy, List<InetAddress> addresses, int port, long deadline,
            java.time.Duration connectTimeout, CallState call) throws IOException {
        HostKey key = host.key;
        HappyEyeballs race = new HappyEyeballs(addresses, port, deadline, this.fallbackDelayNanos,
                new HappyEyeballs.Attempts() {
                    @Override
                    public void started(InetSocketAddress address) {
                        call.label("connecting to " + address.getAddress().getHostAddress());
                        Dialer.this.listener.connectStart(address);
                    }

                    @Override
                    public void ended(InetSocketAddress address, IOException error, long startedNanos) {
                        Dialer.this.listener.connectDone(key, address, error, sinceNanos(startedNanos));
                    }
                });
        SocketChannel channel;
        try {
            channel = race.race(call);
        }
        catch (IOException ex) {
            TransportCancelledException stopped = call.stoppedFailure(ex);
            if (stopped != null) {
                throw stopped;
            }
            throw cannotConnect(key, proxy, race.tried(), ex, connectTimeout);
        }
        finally {
            if (race.fellBack()) {
                host.fallbacks.increment();
            }
        }
        try {
            // From here to the hand-over, as after a plain connect: a stop closes the winner.
            call.enter("connected to " + channel.socket().getInetAddress().getHostAddress(),
                    () -> closeQuietly(channel));
            configure(channel);
            return channel;
        }
        catch (IOException | RuntimeException | Error ex) {
            closeQuietly(channel);
            throw ex;
        }
    }

    private List<InetAddress> resolve(HostKey key, String host, CallState call) throws IOException {
        this.listener.dnsStart(host);
        long started = System.nanoTime();
        try {
            List<InetAddress> addresses = lookUp(host, call);
            if (addresses == null || addresses.isEmpty()) {
                throw new UnknownHostException(host + ": no addresses");
            }
            this.listener.dnsDone(key, host, addresses, null, sinceNanos(started));
            return addresses;
        }
        catch (UnknownHostException ex) {
            this.listener.dnsDone(key, host, List.of(), ex, sinceNanos(started));
            throw new TransportException(key, "Cannot resolve host '" + host + "' for " + key, ex);
        }
        catch (TransportCancelledException ex) {
            this.listener.dnsDone(key, host, List.of(), ex, sinceNanos(started));
            throw ex;
        }
        catch (RuntimeException | Error ex) {
            this.listener.dnsDone(key, host, List.of(), unexpected(ex), sinceNanos(started));
            throw ex;
        }
    }

    /**
     * Resolves on the {@link BlockingTasks} so that the call can stop waiting, which an {@code InetAddress}
     * lookup itself does not allow; IP literals need no lookup and resolve here.
     */
    private List<InetAddress> lookUp(String host, CallState call) throws IOException {
        if (IpLiterals.isIpLiteral(host)) {
            return this.resolver.resolve(host);
        }
        call.throwIfStopped();
        call.label("resolving " + host); // named before the lookup starts, for a stop that comes as it does
        java.util.concurrent.Future<List<InetAddress>> lookup =
                BlockingTasks.LOOKUPS.submit(() -> this.resolver.resolve(host));
        call.enter("resolving " + host, () -> lookup.cancel(false));
        try {
            return lookup.get();
        }
        catch (java.util.concurrent.ExecutionException ex) {
            throw BlockingTasks.rethrow(ex);
        }
        catch (java.util.concurrent.CancellationException ex) {
            throw call.cancelled(null);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            lookup.cancel(false);
            throw call.stoppedFailure(new java.io.InterruptedIOException("interrupted while resolving " + host));
        }
        finally {
            call.leave();
        }
    }

    /** Applies the address filter to what will actually be dialed. */
    private List<InetAddress> allowed(HostKey key, List<InetAddress> addresses) throws AddressDeniedException {
        if (this.filter == AddressFilter.ALLOW_ALL) {
            return addresses;
        }
        List<InetAddress> allowed = new ArrayList<>(addresses.size());
        for (InetAddress address : addresses) {
            if (this.filter.allows(address)) {
                allowed.add(address);
            }
        }
        if (allowed.isEmpty()) {
            throw new AddressDeniedException(key, addresses.stream().map(InetAddress::getHostAddress).toList());
        }
        return allowed;
    }

    private void configure(SocketChannel channel) throws IOException {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (!this.config.keepAlive().isZero()) {
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            int period = (int) Math.max(1, Math.min(Integer.MAX_VALUE, this.config.keepAlive().toSeconds()));
            if (channel.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)) {
                channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, period);
            }
            if (channel.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPINTERVAL)) {
                channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, period);
            }
        }
    }

    private static final String[] HTTP1_ONLY = { "http/1.1" };

    private static final String[] H2_AND_HTTP1 = { "h2", "http/1.1" };

    private static final String[] H2_ONLY = { "h2" };

    /**
     * The ALPN protocols offered to an https host, from its protocols (Go's {@code TLSNextProto}): {@code h2} first
     * when HTTP/2 is allowed, {@code http/1.1} when HTTP/1.1 is.
     */
    private static String[] targetProtocols(HostPool host) throws TransportException {
        boolean h2 = host.protocols.contains(io.github.pooledtransport.core.Protocol.H2);
        boolean http1 = host.protocols.contains(io.github.pooledtransport.core.Protocol.HTTP1);
        if (!h2 && !http1) {
            throw new TransportException(host.key, "No protocol for " + host.key + ": https needs http1 or h2 in "
                    + "protocols, which are " + io.github.pooledtransport.core.Protocol.format(host.protocols), null,
                    "protocols");
        }
        return h2 ? (http1 ? H2_AND_HTTP1 : H2_ONLY) : HTTP1_ONLY;
    }

    /** Builds the connection, which owns the socket from then on; on failure the caller still owns it. */
    private Socket handshake(HostPool host, Socket under, String peerHost, int peerPort, CallState call,
            String[] applicationProtocols) throws IOException {
        HostKey key = host.key;
        SSLContext context = (host.sslContext != null) ? host.sslContext : this.sslContext;
        call.label("in the TLS handshake with " + peerHost + ":" + peerPort); // before listeners hear of it
        this.listener.tlsHandshakeStart(key);
        long started = System.nanoTime();
        if (this.config.insecureSkipTlsVerify() && this.insecureUseWarned.compareAndSet(false, true)) {
            logger.warn("TLS verification is OFF (insecureSkipTlsVerify): connecting to {} without checking its "
                    + "certificate or host name. Anyone on the network path can intercept this traffic.", key);
        }
        SSLSocket ssl = null;
        try {
            call.phase("in the TLS handshake with " + peerHost + ":" + peerPort);
            // The name the certificate must match and SNI carries: that of a fully qualified "example.com." is
            // "example.com", as in Go's crypto/tls (RFC 6066 3 forbids the trailing dot in SNI).
            String tlsName = withoutTrailingDot(peerHost);
            ssl = (SSLSocket) context.getSocketFactory().createSocket(under, tlsName, peerPort, true);
            SSLParameters parameters = ssl.getSSLParameters();
            if (!this.config.insecureSkipTlsVerify()) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            parameters.setApplicationProtocols(applicationProtocols);
            SNIHostName serverName = serverName(tlsName);
            if (serverName != null) {
                parameters.setServerNames(List.of(serverName));
            }
            ssl.setSSLParameters(parameters);
            ssl.setSoTimeout((int) this.config.tlsHandshakeTimeout().toMillis());
            ssl.startHandshake();
            ssl.setSoTimeout(0);
            this.listener.tlsHandshakeDone(key, ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite(),
                    null, sinceNanos(started));
            return ssl;
        }
        catch (IOException ex) {
            closeQuietly(ssl != null ? ssl : under);
            this.listener.tlsHandshakeDone(key, null, null, ex, sinceNanos(started));
            TransportCancelledException stopped = call.stoppedFailure(ex);
            if (stopped != null) {
                throw stopped;
            }
            String peer = peerHost + ":" + peerPort;
            String message = (ex instanceof SocketTimeoutException)
                    ? "TLS handshake with " + peer + " for " + key + " timed out after tlsHandshakeTimeout="
                            + this.config.tlsHandshakeTimeout().toMillis() + " ms"
                    : "TLS handshake with " + peer + " for " + key + " failed: " + ex.getMessage();
            throw new TransportException(key, message, ex,
                    (ex instanceof SocketTimeoutException) ? "tlsHandshakeTimeout" : null);
        }
        catch (RuntimeException | Error ex) {
            // A TLS provider, socket factory or trust manager that fails unexpectedly: the socket is still
            // closed and the handshake still ends for listeners; the exception itself goes up unchanged.
            closeQuietly(ssl != null ? ssl : under);
            this.listener.tlsHandshakeDone(key, null, null, unexpected(ex), sinceNanos(started));
            throw ex;
        }
    }

    /** @return the name without one trailing dot; DNS may use it, TLS names never carry it */
    static String withoutTrailingDot(String host) {
        return (host.length() > 1 && host.endsWith(".")) ? host.substring(0, host.length() - 1) : host;
    }

    /**
     * @return the SNI name for a host, or {@code null} when SNI cannot carry it: IP literals (RFC 6066 3) and
     *     names outside the LDH rules, such as {@code my_service}; the JDK leaves those out of its own default
     *     SNI too, and the certificate is still checked against the name
     */
    private static SNIHostName serverName(String host) {
        if (IpLiterals.isIpLiteral(host)) {
            return null;
        }
        try {
            return new SNIHostName(host);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

    private static java.time.Duration sinceNanos(long started) {
        return java.time.Duration.ofNanos(System.nanoTime() - started);
    }

    /** For listener events, which report failures as {@code IOException}s. */
    private static IOException unexpected(Throwable ex) {
        return new IOException("Unexpected " + ex, ex);
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            }
            catch (IOException | RuntimeException ex) {
                // already failing; the original error is what matters
            }
        }
    }
}
