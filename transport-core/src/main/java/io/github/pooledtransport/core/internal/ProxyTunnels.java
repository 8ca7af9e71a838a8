package io.github.pooledtransport.core.internal;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentLengthStrategy;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.impl.DefaultContentLengthStrategy;
import org.apache.hc.core5.http.impl.io.ChunkedInputStream;
import org.apache.hc.core5.http.impl.io.ContentLengthInputStream;
import org.apache.hc.core5.http.impl.io.DefaultHttpRequestWriter;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.impl.io.SessionInputBufferImpl;
import org.apache.hc.core5.http.impl.io.SessionOutputBufferImpl;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;

import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.ProxyConnectException;
import io.github.pooledtransport.core.TransportException;

/**
 * Opens tunnels through proxies on an already connected socket: HTTP {@code CONNECT} and SOCKS5 (RFC 1928)
 * with user name and password authentication (RFC 1929). Credentials come from the transport's own
 * configuration; the JVM-wide {@code Authenticator} is never consulted.
 */
final class ProxyTunnels {

    /** How much of a refusing proxy's body goes into the error message. */
    private static final int BODY_EXCERPT = 512;

    private ProxyTunnels() {
    }

    /** @return the {@code Proxy-Authorization} value for a proxy with credentials, or {@code null} */
    static String basicAuthorization(Proxy proxy) {
        if (proxy.username() == null) {
            return null;
        }
        String pair = proxy.username() + ":" + (proxy.password() != null ? proxy.password() : "");
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Asks an HTTP proxy to open a tunnel to the target; returns when the proxy answered 2xx.
     *
     * @throws ProxyConnectException with the proxy's status line and a body excerpt on any other answer
     */
    static void connect(Socket socket, HostKey target, Proxy proxy, Headers extraHeaders) throws IOException {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        SessionOutputBufferImpl outBuffer = new SessionOutputBufferImpl(1024);
        SessionInputBufferImpl inBuffer = new SessionInputBufferImpl(8192, 8192);
        // The authority-form verbatim: the (method, String) constructor would parse "host:443" as a URI with
        // scheme "host" and send "CONNECT /".
        BasicClassicHttpRequest request = new BasicClassicHttpRequest("CONNECT", null, null, target.authority());
        request.addHeader("Host", target.authority());
        String authorization = basicAuthorization(proxy);
        if (authorization != null) {
            request.addHeader("Proxy-Authorization", authorization);
        }
        for (int i = 0; i < extraHeaders.size(); i++) {
            request.addHeader(extraHeaders.name(i), extraHeaders.value(i));
        }
        ClassicHttpResponse response;
        try {
            new DefaultHttpRequestWriter().write(request, outBuffer, out);
            outBuffer.flush(out);
            response = new DefaultHttpResponseParser().parse(inBuffer, in);
        }
        catch (HttpException ex) {
            throw new TransportException(target, "Malformed answer from proxy " + proxy + " to CONNECT "
                    + target.authority() + ": " + ex.getMessage(), ex);
        }
        if (response == null) {
            throw new TransportException(target, "Proxy " + proxy + " closed the connection instead of answering "
                    + "CONNECT " + target.authority(), null);
        }
        int status = response.getCode();
        if (status >= 200 && status < 300) {
            if (inBuffer.hasBufferedData()) {
                throw new TransportException(target, "Proxy " + proxy + " sent data after accepting CONNECT "
                        + target.authority() + " before the client spoke", null);
            }
            return;
        }
        String excerpt = bodyExcerpt(response, inBuffer, in);
        throw new ProxyConnectException(target, String.format("Proxy %s refused CONNECT %s: %s %d %s%s", proxy,
                target.authority(), response.getVersion(), status, response.getReasonPhrase(),
                excerpt.isEmpty() ? "" : " (body: " + excerpt + ")"), status);
    }

    private static String bodyExcerpt(ClassicHttpResponse response, SessionInputBufferImpl buffer, InputStream in) {
        try {
            long length = DefaultContentLengthStrategy.INSTANCE.determineLength(response);
            InputStream body;
            if (length == ContentLengthStrategy.CHUNKED) {
                body = new ChunkedInputStream(buffer, in);
            }
            else if (length == ContentLengthStrategy.UNDEFINED) {
                // A close-delimited body may only end when the proxy gives up on us: not worth the wait.
                return "";
            }
            else {
                body = new ContentLengthInputStream(buffer, in, length);
            }
            byte[] bytes = body.readNBytes(BODY_EXCERPT);
            return new String(bytes, StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
        }
        catch (IOException | HttpException | RuntimeException ex) {
            return "";
        }
    }

    /**
     * Opens a SOCKS5 tunnel. For {@code socks5h} the proxy resolves the target's name; for {@code socks5}
     * the caller passes the locally resolved (and filtered) address.
     *
     * @param resolved the target's address for {@code socks5}, or {@code null} to send the name
     */
    static void socks5(Socket socket, HostKey target, Proxy proxy, InetAddress resolved) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 512));
        DataInputStream in = new DataInputStream(socket.getInputStream());
        boolean withPassword = proxy.username() != null;
        out.write(withPassword ? new byte[] { 5, 2, 0, 2 } : new byte[] { 5, 1, 0 });
        out.flush();
        if (in.readUnsignedByte() != 5) {
            throw socksError(target, proxy, "it does not speak SOCKS5", -1);
        }
        int method = in.readUnsignedByte();
        if (method == 2 && withPassword) {
            byte[] user = proxy.username().getBytes(StandardCharsets.UTF_8);
            byte[] pass = (proxy.password() != null ? proxy.password() : "").getBytes(StandardCharsets.UTF_8);
            if (user.length > 255 || pass.length > 255) {
                throw socksError(target, proxy, "user name or password longer than 255 bytes", -1);
            }
            out.write(1); // RFC 1929 sub-negotiation version
            out.write(user.length);
            out.write(user);
            out.write(pass.length);
            out.write(pass);
            out.flush();
            in.readUnsignedByte();
            int status = in.readUnsignedByte();
            if (status != 0) {
                throw socksError(target, proxy, "it rejected the user name or password", status);
            }
        }
        else if (method == 0xFF) {
            throw socksError(target, proxy, withPassword ? "it accepted none of our authentication methods"
                    : "it requires authentication and no user name is configured", 0xFF);
        }
        else if (method != 0) {
            throw socksError(target, proxy, "it chose an authentication method we did not offer (" + method + ")", -1);
        }
        out.write(new byte[] { 5, 1, 0 }); // version, CONNECT, reserved
        InetAddress address = resolved;
        if (address == null && IpLiterals.isIpLiteral(target.host())) {
            address = InetAddress.getByName(target.host()); // a literal: no lookup
        }
        if (address == null) {
            byte[] name = target.host().getBytes(StandardCharsets.US_ASCII);
            if (name.length > 255) {
                throw socksError(target, proxy, "host name longer than 255 bytes", -1);
            }
            out.write(3);
            out.write(name.length);
            out.write(name);
        }
        else {
            out.write(address instanceof Inet4Address ? 1 : 4);
            out.write(address.getAddress());
        }
        out.writeShort(target.port());
        out.flush();
        in.readUnsignedByte();
        int reply = in.readUnsignedByte();
        in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int skip = switch (type) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> in.readUnsignedByte();
            default -> throw socksError(target, proxy, "malformed reply (address type " + type + ")", -1);
        };
        in.readNBytes(skip + 2);
        if (reply != 0) {
            throw socksError(target, proxy, "it failed to connect: " + socksReply(reply), reply);
        }
    }

    private static ProxyConnectException socksError(HostKey target, Proxy proxy, String why, int code) {
        return new ProxyConnectException(target, "SOCKS5 proxy " + proxy + " could not open a tunnel to "
                + target.authority() + ": " + why, code);
    }

    private static String socksReply(int code) {
        return switch (code) {
            case 1 -> "general failure (1)";
            case 2 -> "connection not allowed by ruleset (2)";
            case 3 -> "network unreachable (3)";
            case 4 -> "host unreachable (4)";
            case 5 -> "connection refused (5)";
            case 6 -> "TTL expired (6)";
            case 7 -> "command not supported (7)";
            case 8 -> "address type not supported (8)";
            default -> "reply code " + code;
        };
    }
}
