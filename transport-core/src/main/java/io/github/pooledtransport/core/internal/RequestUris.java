package io.github.pooledtransport.core.internal;

import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Puts a request URI into the form that goes on the wire, once, when the request is built, so that the
 * request target, the {@code Host} header, DNS, SNI and the pool key all see the same ASCII text.
 *
 * <p>{@link URI} keeps non-ASCII "other" characters raw in {@link URI#getRawPath()} and
 * {@link URI#getRawQuery()}, and holds a non-ASCII host as a registry-based authority with no
 * {@link URI#getHost() host} at all. {@link URI#toASCIIString()} is no way out: it applies Unicode NFC
 * normalization first, so a decomposed {@code e\u0301} would be sent as the bytes of {@code \u00e9} (a different
 * object key to S3 or a file name from macOS), and it throws a {@code NullPointerException} on an unpaired
 * surrogate. Hence the encoding here: UTF-8, code point by code point, nothing else touched.
 */
public final class RequestUris {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private RequestUris() {
    }

    /**
     * Returns the URI with its host in ASCII (IDNA punycode, {@link IDN#toASCII(String)}) and every non-ASCII
     * character of path, query and fragment percent-encoded as UTF-8. Percent-escapes already present are kept
     * as they are. A URI that is already ASCII with a host is returned as it is, after a single scan.
     *
     * @param uri an absolute URI with an authority and no user-info
     * @return the URI in wire form, with a {@linkplain URI#getHost() host}
     * @throws IllegalArgumentException when there is no valid host or a component is not well-formed UTF-16
     */
    public static URI toAscii(URI uri) {
        if (uri.getHost() != null && isAscii(uri.toString())) {
            return uri;
        }
        String host = uri.getHost();
        int port = uri.getPort();
        if (host == null) {
            // java.net.URI reads a non-ASCII host name as a registry-based authority: split off the port
            // ourselves and convert the name.
            String authority = uri.getRawAuthority();
            if (authority == null || authority.isEmpty()) {
                throw new IllegalArgumentException("Request URI has no host: " + Uris.withoutUserInfo(uri));
            }
            int colon = portColon(authority);
            String name = (colon >= 0) ? authority.substring(0, colon) : authority;
            if (colon >= 0 && colon < authority.length() - 1) {
                port = parsePort(authority.substring(colon + 1), uri);
            }
            host = idn(name, uri);
        }
        String path = uri.getRawPath();
        String query = uri.getRawQuery();
        String fragment = uri.getRawFragment();
        StringBuilder ascii = new StringBuilder(uri.toString().length() + 32);
        ascii.append(uri.getScheme()).append("://").append(host);
        if (port != -1) {
            ascii.append(':').append(port);
        }
        appendEncoded(ascii, path, "path", uri);
        if (query != null) {
            appendEncoded(ascii.append('?'), query, "query", uri);
        }
        if (fragment != null) {
            appendEncoded(ascii.append('#'), fragment, "fragment", uri);
        }
        URI result;
        try {
            result = new URI(ascii.toString());
        }
        catch (URISyntaxException ex) {
            throw new IllegalArgumentException("Request URI has no valid host: " + Uris.withoutUserInfo(uri), ex);
        }
        if (result.getHost() == null) {
            throw new IllegalArgumentException("Request URI has no valid host: " + Uris.withoutUserInfo(uri));
        }
        return result;
    }

    /**
     * Returns a {@code Host} header value with a non-ASCII host name converted to punycode, as Go's
     * {@code PunycodeHostPort} does for {@code Request.Host}; an ASCII value is returned as it is.
     *
     * @param value {@code host} or {@code host:port}, or {@code null}
     * @return the value in ASCII, or {@code null}
     * @throws IllegalArgumentException when the name is not a valid internationalized domain name; the message
     * does not repeat the value
     */
    public static String asciiHostHeader(String value) {
        if (value == null || isAscii(value)) {
            return value;
        }
        int colon = portColon(value);
        String name = (colon >= 0) ? value.substring(0, colon) : value;
        try {
            return IDN.toASCII(name) + ((colon >= 0) ? value.substring(colon) : "");
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("Header 'Host' is not a valid internationalized host name");
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The index of the colon before an all-digit (possibly empty) port, or -1. */
    private static int portColon(String authority) {
        int colon = authority.lastIndexOf(':');
        if (colon < 0) {
            return -1;
        }
        for (int i = colon + 1; i < authority.length(); i++) {
            char c = authority.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return colon;
    }

    private static int parsePort(String digits, URI uri) {
        try {
            return Integer.parseInt(digits);
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("Request URI has an invalid port: " + Uris.withoutUserInfo(uri), ex);
        }
    }

    private static String idn(String name, URI uri) {
        try {
            return IDN.toASCII(name);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(
                    "Request URI host is not a valid internationalized domain name: " + Uris.withoutUserInfo(uri), ex);
        }
    }

    private static void appendEncoded(StringBuilder out, String raw, String component, URI uri) {
        if (raw == null) {
            return;
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x80) {
                out.append(c);
                continue;
            }
            int codePoint = c;
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < raw.length() && Character.isLowSurrogate(raw.charAt(i + 1))) {
                    codePoint = Character.toCodePoint(c, raw.charAt(++i));
                }
                else {
                    // No UTF-8 encoding exists; sending '?' or dropping it would change the target.
                    throw new IllegalArgumentException(String.format("Request URI %s has an unpaired surrogate "
                            + "U+%04X at index %d and cannot be encoded as UTF-8", component, (int) c, i));
                }
            }
            appendUtf8(out, codePoint);
        }
    }

    private static void appendUtf8(StringBuilder out, int codePoint) {
        if (codePoint < 0x800) {
            appendByte(out, 0xC0 | (codePoint >> 6));
            appendByte(out, 0x80 | (codePoint & 0x3F));
        }
        else if (codePoint < 0x10000) {
            appendByte(out, 0xE0 | (codePoint >> 12));
            appendByte(out, 0x80 | ((codePoint >> 6) & 0x3F));
            appendByte(out, 0x80 | (codePoint & 0x3F));
        }
        else {
            appendByte(out, 0xF0 | (codePoint >> 18));
            appendByte(out, 0x80 | ((codePoint >> 12) & 0x3F));
            appendByte(out, 0x80 | ((codePoint >> 6) & 0x3F));
            appendByte(out, 0x80 | (codePoint & 0x3F));
        }
    }

    private static void appendByte(StringBuilder out, int b) {
        out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
    }
}
