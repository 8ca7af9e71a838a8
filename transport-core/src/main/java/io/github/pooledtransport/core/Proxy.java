package io.github.pooledtransport.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * A proxy to reach a host through: its protocol, address and optional credentials. {@link #toString()} and
 * {@link #identity()} never show the password.
 *
 * @param type the protocol spoken to the proxy
 * @param host the proxy's host name or IP literal
 * @param port the proxy's port
 * @param username the user name, or {@code null} for none
 * @param password the password, or {@code null} for none
 */
public record Proxy(Type type, String host, int port, String username, String password) {

    /** The protocol spoken to a proxy. */
    public enum Type {

        /** Plain HTTP: forwards {@code http} requests, tunnels {@code https} with CONNECT. */
        HTTP("http", 80),

        /** As {@link #HTTP}, over TLS to the proxy itself. */
        HTTPS("https", 443),

        /** SOCKS5 (RFC 1928); the target's name is resolved locally. */
        SOCKS5("socks5", 1080),

        /** SOCKS5 (RFC 1928); the target's name is resolved by the proxy. */
        SOCKS5H("socks5h", 1080);

        private final String scheme;

        private final int defaultPort;

        Type(String scheme, int defaultPort) {
            this.scheme = scheme;
            this.defaultPort = defaultPort;
        }

        /** @return the URL scheme, for example {@code socks5h} */
        public String scheme() {
            return this.scheme;
        }

        /** @return the port assumed when a proxy URL has none */
        public int defaultPort() {
            return this.defaultPort;
        }

        static Type ofScheme(String scheme, String url) {
            for (Type type : values()) {
                if (type.scheme.equals(scheme)) {
                    return type;
                }
            }
            throw new IllegalArgumentException("Unsupported proxy scheme '" + scheme + "' in " + url
                    + ": use http, https, socks5 or socks5h");
        }
    }

    /** Validates the components. */
    public Proxy {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("Proxy host is blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Proxy port out of range for " + host + ": " + port);
        }
        if (password != null && username == null) {
            throw new IllegalArgumentException("Proxy password given without a user name for " + host);
        }
        host = host.toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a proxy URL such as {@code http://user:secret@proxy.internal:3128} or {@code socks5h://proxy:1080}.
     * A URL without a scheme is taken as {@code http://}, as curl and Go do. User name and password may be
     * percent-encoded.
     *
     * @param url the proxy URL
     * @return the proxy
     * @throws IllegalArgumentException for an unsupported scheme or a malformed URL; the message never shows
     *     the password
     */
    public static Proxy parse(String url) {
        Objects.requireNonNull(url, "url");
        String text = url.trim();
        if (!text.contains("://")) {
            text = "http://" + text;
        }
        String masked = mask(text);
        URI uri;
        try {
            uri = new URI(text);
        }
        catch (URISyntaxException ex) {
            throw new IllegalArgumentException("Malformed proxy URL: " + masked);
        }
        Type type = Type.ofScheme(uri.getScheme().toLowerCase(Locale.ROOT), masked);
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("Proxy URL has no host: " + masked);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = (uri.getPort() != -1) ? uri.getPort() : type.defaultPort();
        String username = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            username = decode((colon >= 0) ? userInfo.substring(0, colon) : userInfo);
            password = (colon >= 0) ? decode(userInfo.substring(colon + 1)) : null;
        }
        return new Proxy(type, host, port, username, password);
    }

    /**
     * @param user the user name, not {@code null}
     * @param secret the password, possibly {@code null}
     * @return a copy of this proxy with these credentials
     */
    public Proxy withCredentials(String user, String secret) {
        return new Proxy(this.type, this.host, this.port, user, secret);
    }

    /** @return whether the proxy speaks HTTP (forwarding and CONNECT) rather than SOCKS */
    public boolean isHttp() {
        return this.type == Type.HTTP || this.type == Type.HTTPS;
    }

    /** @return {@code host:port}, with brackets around an IPv6 literal */
    public String authority() {
        return (this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host) + ":" + this.port;
    }

    /**
     * What the pool keys connections by, and what endpoints, metric tags and messages show: the proxy URL
     * with the user name and without the password. Nothing in it is derived from the password. Connections
     * made with different passwords still never mix: when one URL and user name is used with a second
     * password in this JVM, that credential's identity gets a number, in first-use order.
     *
     * @return for example {@code http://alice@proxy:3128}, or {@code http://alice@proxy:3128#2} for the second
     *     password seen with that URL and user name
     */
    public String identity() {
        return ProxyIdentities.JVM.identityOf(this);
    }

    /** @return the proxy URL with the password masked */
    @Override
    public String toString() {
        String credentials = "";
        if (this.username != null) {
            credentials = this.username + (this.password != null ? ":***" : "") + "@";
        }
        return this.type.scheme() + "://" + credentials + authority();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Masks the password of a proxy URL for error messages. */
    static String mask(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return url;
        }
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        return (colon < 0) ? url : url.substring(0, scheme + 3) + userInfo.substring(0, colon) + ":***" + url.substring(at);
    }
}
