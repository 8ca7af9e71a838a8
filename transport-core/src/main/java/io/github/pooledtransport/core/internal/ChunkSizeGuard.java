package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;

import org.apache.hc.core5.http.io.SessionInputBuffer;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * Checks each chunk-size line that HttpCore's {@code ChunkedInputStream} reads: RFC 9112 7.1 allows only
 * hexadecimal digits, but HttpCore parses the size with {@code Long.parseLong}, which also takes a sign
 * ({@code +5}). A size the parser and the server might read differently is a framing error, not a guess.
 * Lines are told apart by their order: a size line, then (after a non-empty chunk's data) the CRLF that ends
 * the data, then the next size line; after the last (zero) chunk come trailers, which pass unchecked.
 */
final class ChunkSizeGuard extends ForwardingSessionInputBuffer {

    /** Thrown for a malformed size line; translated by the body into a public exception. */
    static final class MalformedChunkSize extends IOException {

        private static final long serialVersionUID = 1L;

        MalformedChunkSize(String line) {
            super("Malformed chunk size line '" + ResponseFraming.echo(line) + "'");
        }
    }

    private boolean sizeLineNext = true;

    private boolean inTrailers;

    ChunkSizeGuard(SessionInputBuffer delegate) {
        super(delegate);
    }

    @Override
    public int readLine(CharArrayBuffer buffer, InputStream in) throws IOException {
        int start = buffer.length();
        int n = super.readLine(buffer, in);
        if (n < 0 || this.inTrailers) {
            return n;
        }
        if (!this.sizeLineNext) {
            this.sizeLineNext = true; // that was the CRLF after a chunk's data
            return n;
        }
        int end = buffer.indexOf(';', start, buffer.length());
        String size = buffer.substringTrimmed(start, (end < 0) ? buffer.length() : end);
        boolean zero = !size.isEmpty();
        for (int i = 0; i < size.length(); i++) {
            char c = size.charAt(i);
            // ASCII only: parseLong would also take other scripts' digits.
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                throw new MalformedChunkSize(buffer.substring(start, buffer.length()));
            }
            zero &= c == '0';
        }
        if (size.isEmpty()) {
            throw new MalformedChunkSize(buffer.substring(start, buffer.length()));
        }
        this.inTrailers = zero;
        this.sizeLineNext = false;
        return n;
    }
}
