package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLSocket;

/**
 * What the dialer hands over: a connected socket, through any proxy and TLS, before any protocol runs on it. The
 * engine then builds the connection for the protocol the socket carries; whoever holds this owns the socket
 * and closes it if that fails.
 *
 * @param channel the TCP channel underneath (under TLS and tunnels too)
 * @param socket the socket to speak on: the channel's own, or TLS layered on it
 * @param tls whether {@code socket} is TLS to the target (or to an https proxy forwarding plain requests)
 * @param forwardAuthorization the {@code Proxy-Authorization} value for each request sent to a forwarding
 *     HTTP proxy, or {@code null}
 */
record DialedSocket(SocketChannel channel, Socket socket, boolean tls, String forwardAuthorization) {

    /**
     * The application protocol the TLS handshake agreed on (ALPN), or HTTP/1.1 when none was negotiated or
     * the socket is plain: the codec is chosen from this once the connection is made.
     *
     * @return for example {@code http/1.1}
     */
    String applicationProtocol() {
        if (this.socket instanceof SSLSocket ssl) {
            String protocol = ssl.getApplicationProtocol();
            if (protocol != null && !protocol.isEmpty()) {
                return protocol;
            }
        }
        return "http/1.1";
    }

    /** Closes the TCP channel first (never blocks), then the TLS layer on it, which has nothing left to wait for. */
    void close() {
        close(this.channel, this.socket);
    }

    /**
     * Closes a socket that is being given up, without waiting for the peer: the TCP channel first, then the TLS
     * layer on it, if any ({@code SSLSocket.close()} alone may wait for the server's close_notify).
     *
     * @param channel the TCP channel
     * @param socket the channel's own socket, or TLS layered on it
     */
    static void close(SocketChannel channel, Socket socket) {
        try {
            channel.close();
        }
        catch (IOException ex) {
            // giving the socket up: nothing more to do
        }
        if (socket != channel.socket()) {
            try {
                socket.close();
            }
            catch (IOException ex) {
                // giving the socket up: nothing more to do
            }
        }
    }
}
