package io.github.pooledtransport.core.internal;

import java.util.List;

import org.apache.hc.core5.http.Header;

import io.github.pooledtransport.core.Headers;

/**
 * Turns a decoded HTTP/2 header list into a response head or trailers, enforcing what RFC 9113 8.1.1, 8.2 and 8.3.2
 * call malformed: pseudo-header fields other than one {@code :status} or after a regular field, upper-case names,
 * connection-specific fields, and a {@code Content-Length} that is not one non-negative number. A malformed
 * head fails its stream only.
 */
final class H2ResponseHeads {

    /** A head the protocol calls malformed: the stream is reset with PROTOCOL_ERROR. */
    static final class Malformed extends Exception {

        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** A head larger than {@code maxResponseHeaderBytes}, counted as HTTP/2 counts a header list. */
    static final class TooLarge extends Exception {

        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null, false, false);
        }
    }

    private H2ResponseHeads() {
    }

    /**
     * @param fields the decoded list
     * @param limit {@code maxResponseHeaderBytes}: the most the list may hold, 32 bytes per field included
     *     (RFC 9113 6.5.2)
     * @return the status and the regular fields
     */
    static H2Stream.Head head(List<Header> fields, int limit) throws Malformed, TooLarge {
        int status = -1;
        boolean regularSeen = false;
        long size = 0;
        Headers.Builder headers = new Headers.Builder();
        for (Header field : fields) {
            String name = field.getName();
            String value = field.getValue();
            size += name.length() + value.length() + 32L;
            if (size > limit) {
                throw new TooLarge();
            }
            if (name.startsWith(":")) {
                if (regularSeen) {
                    throw new Malformed("pseudo-header field " + ResponseFraming.echo(name) + " after a regular one");
                }
                if (!name.equals(":status") || status != -1) {
                    throw new Malformed("unexpected pseudo-header field " + ResponseFraming.echo(name));
                }
                status = status(value);
                continue;
            }
            regularSeen = true;
            add(headers, name, value);
        }
        if (status == -1) {
            throw new Malformed("no :status");
        }
        return new H2Stream.Head(status, headers.build());
    }

    /**
     * Checks trailers, which are discarded: the transport's {@code Response} has no trailers, on HTTP/1.1 either.
     *
     * @param fields the decoded list
     * @param limit {@code maxResponseHeaderBytes}
     */
    static void trailers(List<Header> fields, int limit) throws Malformed, TooLarge {
        long size = 0;
        Headers.Builder ignored = new Headers.Builder();
        for (Header field : fields) {
            size += field.getName().length() + field.getValue().length() + 32L;
            if (size > limit) {
                throw new TooLarge();
            }
            if (field.getName().startsWith(":")) {
                throw new Malformed("pseudo-header field " + ResponseFraming.echo(field.getName()) + " in trailers");
            }
            add(ignored, field.getName(), field.getValue());
        }
    }

    /**
     * @param headers the final head's fields
     * @return the declared body length, -1 when none is declared
     */
    static long contentLength(Headers headers) throws Malformed {
        long length = -1;
        for (String value : headers.values("Content-Length")) {
            for (String part : value.split(",", -1)) {
                long parsed;
                try {
                    parsed = Long.parseLong(part.trim());
                }
                catch (NumberFormatException ex) {
                    throw new Malformed("content-length " + ResponseFraming.echo(value));
                }
                if (parsed < 0 || (length >= 0 && parsed != length)) {
                    throw new Malformed("content-length " + ResponseFraming.echo(value));
                }
                length = parsed;
            }
        }
        return length;
    }

    private static int status(String value) throws Malformed {
        if (value.length() != 3) {
            throw new Malformed(":status " + ResponseFraming.echo(value));
        }
        int status = 0;
        for (int i = 0; i < 3; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new Malformed(":status " + ResponseFraming.echo(value));
            }
            status = status * 10 + (c - '0');
        }
        if (status < 100) {
            throw new Malformed(":status " + status);
        }
        return status;
    }

    private static void add(Headers.Builder headers, String name, String value) throws Malformed {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                throw new Malformed("upper-case field name " + ResponseFraming.echo(name));
            }
        }
        switch (name) {
            case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade" ->
                throw new Malformed("connection-specific field " + name);
            default -> {
            }
        }
        try {
            headers.add(name, value);
        }
        catch (IllegalArgumentException ex) {
            throw new Malformed("field " + ResponseFraming.echo(name) + ": " + ex.getMessage());
        }
    }
}
