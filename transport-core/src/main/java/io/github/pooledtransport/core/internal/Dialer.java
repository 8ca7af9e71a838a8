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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import jdk.net.ExtendedSocketOptions;

import io.github.pooledtransport.core.DnsResolver;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.TimeSource;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;

/**
 * Opens connections: resolves every address of the host and tries them in turn within the dial timeout,
 * sets TCP options, and performs the TLS handshake for {@code https}.
 */
final class Dialer {

    /** Each address gets at least this much of the remaining dial time, as Go's partial deadlines. */
    private static final long MIN_PER_ADDRESS_NANOS = 2_000_000_000L;

    private final TransportConfig config;

    private final SafeListener listener;

    private final TimeSource time;

    private final DnsResolver resolver;

    private final AtomicLong ids = new AtomicLong();

    private volatile SSLContext sslContext;

    Dialer(TransportConfig config, SafeListener listener) {
        this.config = config;
        this.listener = listener;
        this.time = config.timeSource();
        this.resolver = config.dnsResolver();
    }

    Http1Connection dial(HostPool host) throws IOException {
        HostKey key = host.key;
        List<InetAddress> addresses = resolve(key);
        long timeout = this.config.dialTimeout().toNanos();
        long start = System.nanoTime();
        IOException last = null;
        List<String> tried = new ArrayList<>(addresses.size());
        for (int i = 0; i < addresses.size(); i++) {
            long perAddress = 0;
            if (timeout > 0) {
                long left = timeout - (System.nanoTime() - start);
                if (left <= 0) {
                    break;
                }
                perAddress = Math.min(left, Math.max(MIN_PER_ADDRESS_NANOS, left / (addresses.size() - i)));
            }
            InetSocketAddress address = new InetSocketAddress(addresses.get(i), key.port());
            tried.add(address.getAddress().getHostAddress());
            SocketChannel channel = null;
            this.listener.connectStart(address);
            try {
                channel = SocketChannel.open();
                Socket socket = channel.socket();
                socket.connect(address, (int) Math.max(perAddress > 0 ? 1 : 0, perAddress / 1_000_000));
                configure(channel);
                this.listener.connectDone(address, null);
                return open(host, channel, socket);
            }
            catch (IOException ex) {
                closeQuietly(channel);
                this.listener.connectDone(address, ex);
                last = ex;
            }
        }
        String why = (last instanceof SocketTimeoutException || last == null)
                ? "dialTimeout=" + this.config.dialTimeout().toMillis() + " ms elapsed"
                : String.valueOf(last.getMessage());
        throw new TransportException(key, "Cannot connect to " + key + " (tried " + String.join(", ", tried)
                + "): " + why, last);
    }

    private List<InetAddress> resolve(HostKey key) throws TransportException {
        this.listener.dnsStart(key.host());
        try {
            List<InetAddress> addresses = this.resolver.resolve(key.host());
            if (addresses == null || addresses.isEmpty()) {
                throw new UnknownHostException(key.host() + ": no addresses");
            }
            this.listener.dnsDone(key.host(), addresses, null);
            return addresses;
        }
        catch (UnknownHostException ex) {
            this.listener.dnsDone(key.host(), List.of(), ex);
            throw new TransportException(key, "Cannot resolve host '" + key.host() + "' for " + key, ex);
        }
    }

    private void configure(SocketChannel channel) throws IOException {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        long keepAliveSeconds = this.config.keepAlive().toSeconds();
        if (!this.config.keepAlive().isZero()) {
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            int period = (int) Math.max(1, Math.min(Integer.MAX_VALUE, keepAliveSeconds));
            if (channel.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)) {
                channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, period);
            }
            if (channel.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPINTERVAL)) {
                channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, period);
            }
        }
    }

    private Http1Connection open(HostPool host, SocketChannel channel, Socket socket) throws IOException {
        Socket transportSocket = socket;
        if (host.key.isTls()) {
            transportSocket = handshake(host.key, socket);
        }
        long now = this.time.nanoTime();
        long lifetime = this.config.maxConnLifetime().toNanos();
        long expiresAt = Long.MAX_VALUE;
        if (lifetime > 0) {
            // Up to 10% early, so connections opened together do not all expire together.
            long jitter = (long) (lifetime * 0.1 * ThreadLocalRandom.current().nextDouble());
            expiresAt = now + lifetime - jitter;
        }
        return new Http1Connection(host, this.ids.incrementAndGet(), now, expiresAt, transportSocket, channel,
                host.key.isTls(), this.config.bufferSize(), this.config.maxResponseHeaderBytes());
    }

    private Socket handshake(HostKey key, Socket plain) throws IOException {
        this.listener.tlsHandshakeStart(key);
        SSLSocket ssl = null;
        try {
            ssl = (SSLSocket) sslContext().getSocketFactory().createSocket(plain, key.host(), key.port(), true);
            SSLParameters parameters = ssl.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setApplicationProtocols(new String[] { "http/1.1" });
            if (!isIpLiteral(key.host())) { // RFC 6066 3: SNI carries host names only, never IP literals
                parameters.setServerNames(List.of(new SNIHostName(key.host())));
            }
            ssl.setSSLParameters(parameters);
            ssl.setSoTimeout((int) this.config.tlsHandshakeTimeout().toMillis());
            ssl.startHandshake();
            ssl.setSoTimeout(0);
            this.listener.tlsHandshakeDone(key, ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite(),
                    null);
            return ssl;
        }
        catch (IOException ex) {
            closeQuietly(ssl != null ? ssl : plain);
            this.listener.tlsHandshakeDone(key, null, null, ex);
            String message = (ex instanceof SocketTimeoutException)
                    ? "TLS handshake with " + key + " timed out after tlsHandshakeTimeout="
                            + this.config.tlsHandshakeTimeout().toMillis() + " ms"
                    : "TLS handshake with " + key + " failed: " + ex.getMessage();
            throw new TransportException(key, message, ex);
        }
    }

    private SSLContext sslContext() throws IOException {
        SSLContext context = this.sslContext;
        if (context == null) {
            try {
                context = SSLContext.getDefault();
            }
            catch (java.security.NoSuchAlgorithmException ex) {
                throw new IOException("No default SSLContext", ex);
            }
            this.sslContext = context;
        }
        return context;
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            }
            catch (IOException ex) {
                // already failing; the original error is what matters
            }
        }
    }
}
