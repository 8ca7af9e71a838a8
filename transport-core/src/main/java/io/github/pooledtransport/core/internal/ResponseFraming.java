package io.github.pooledtransport.core.internal;

import java.util.Iterator;

import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolVersion;

import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.ResponseFramingException;

/**
 * How a response body is delimited (RFC 9112 6.3), decided from the head before a byte of the body is read.
 * Where the head leaves doubt, it is resolved on the safe side: a response with both {@code Transfer-Encoding}
 * and {@code Content-Length} is read by its transfer coding and its connection is not reused (Go reuses it);
 * whatever cannot be framed exactly fails with {@link ResponseFramingException}.
 *
 * @param length the body's length, {@link #CHUNKED}, or {@link #UNTIL_CLOSE}
 * @param doubtful whether the connection must not be reused because the framing was ambiguous
 */
record ResponseFraming(long length, boolean doubtful) {

    /** {@code Transfer-Encoding: chunked}. */
    static final long CHUNKED = -1;

    /** Neither header: the body ends when the server closes the connection. */
    static final long UNTIL_CLOSE = -2;

    private static final int MAX_ECHO = 40;

    /**
     * @param key the host, for messages
     * @param response the response head; it has a body (not HEAD, 1xx, 204 or 304)
     * @param version the response's protocol version
     * @return the framing
     * @throws ResponseFramingException when the body cannot be framed exactly
     */
    static ResponseFraming of(HostKey key, ClassicHttpResponse response, ProtocolVersion version)
            throws ResponseFramingException {
        Header[] codings = response.getHeaders("Transfer-Encoding");
        long contentLength = contentLength(key, response);
        if (codings.length > 0) {
            if (version.lessEquals(HttpVersion.HTTP_1_0)) {
                // RFC 9112 6.1: an HTTP/1.0 recipient cannot have meant it; the framing may be anything.
                throw new ResponseFramingException(key, "HTTP/1.0 response from " + key
                        + " carries Transfer-Encoding, which HTTP/1.0 does not define", null);
            }
            requireChunkedOnly(key, codings);
            return new ResponseFraming(CHUNKED, contentLength >= 0);
        }
        return new ResponseFraming((contentLength >= 0) ? contentLength : UNTIL_CLOSE, false);
    }

    /** Like Go, the only transfer coding accepted is a single {@code chunked}. */
    private static void requireChunkedOnly(HostKey key, Header[] codings) throws ResponseFramingException {
        int count = 0;
        String last = null;
        for (Header header : codings) {
            for (String token : header.getValue().split(",", -1)) {
                String coding = token.trim();
                if (!coding.isEmpty()) {
                    count++;
                    last = coding;
                }
            }
        }
        if (count != 1 || !"chunked".equalsIgnoreCase(last)) {
            throw new ResponseFramingException(key, "Response from " + key + " uses an unsupported transfer "
                    + "coding (Transfer-Encoding: " + echo(String.join(", ", values(codings)))
                    + "); only a single 'chunked' coding is accepted", null);
        }
    }

    /** @return the declared length, or -1 when there is none */
    private static long contentLength(HostKey key, ClassicHttpResponse response) throws ResponseFramingException {
        long length = -1;
        for (Iterator<Header> it = response.headerIterator("Content-Length"); it.hasNext();) {
            for (String token : it.next().getValue().split(",", -1)) {
                long value = parseLength(key, token.trim());
                if (length >= 0 && value != length) {
                    throw new ResponseFramingException(key, "Response from " + key
                            + " declares differing Content-Length values (" + length + " and " + value + ")", null);
                }
                length = value;
            }
        }
        return length;
    }

    /** RFC 9110 8.6: {@code 1*DIGIT}; no sign, no spaces inside, no overflow. */
    private static long parseLength(HostKey key, String value) throws ResponseFramingException {
        boolean valid = !value.isEmpty() && value.length() <= 18;
        for (int i = 0; valid && i < value.length(); i++) {
            char c = value.charAt(i);
            valid = c >= '0' && c <= '9';
        }
        if (!valid) {
            throw new ResponseFramingException(key, "Response from " + key + " has an invalid Content-Length: '"
                    + echo(value) + "'", null);
        }
        return Long.parseLong(value);
    }

    private static String[] values(Header[] headers) {
        String[] values = new String[headers.length];
        for (int i = 0; i < headers.length; i++) {
            values[i] = headers[i].getValue();
        }
        return values;
    }

    /** A server's value quoted in a message: bounded, and without control characters. */
    static String echo(String value) {
        String bounded = (value.length() > MAX_ECHO) ? value.substring(0, MAX_ECHO) + "..." : value;
        StringBuilder out = new StringBuilder(bounded.length());
        for (int i = 0; i < bounded.length(); i++) {
            char c = bounded.charAt(i);
            out.append((c < 0x20 || c == 0x7f) ? '?' : c);
        }
        return out.toString();
    }
}
