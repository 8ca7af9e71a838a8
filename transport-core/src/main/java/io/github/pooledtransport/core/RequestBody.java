package io.github.pooledtransport.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The body of a {@link Request}, streamed to the connection when the request is sent.
 *
 * <p>A repeatable body can be written more than once; only requests with a repeatable body (or none) may be
 * replayed on a fresh connection after a reused one turned out to be dead.
 */
public abstract class RequestBody {

    /** For subclasses. */
    protected RequestBody() {
    }

    /**
     * @return the exact number of bytes {@link #writeTo} will write, or {@code -1} when unknown (the body
     *     is then sent with chunked transfer coding)
     */
    public abstract long contentLength();

    /** @return whether {@link #writeTo} may be called again after a failed attempt */
    public abstract boolean isRepeatable();

    /**
     * Writes the body. The stream must not be closed by the implementation.
     *
     * @param out where the body goes; framing is done by the transport
     * @throws IOException when the body cannot be produced or written
     */
    public abstract void writeTo(OutputStream out) throws IOException;

    /**
     * @param bytes the content, not copied
     * @return a repeatable body of known length
     */
    public static RequestBody of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new RequestBody() {
            @Override
            public long contentLength() {
                return bytes.length;
            }

            @Override
            public boolean isRepeatable() {
                return true;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(bytes);
            }
        };
    }

    /**
     * @param text the content
     * @param charset how to encode it
     * @return a repeatable body of known length
     */
    public static RequestBody of(String text, Charset charset) {
        return of(text.getBytes(charset));
    }

    /**
     * A body read from a stream once. It is not repeatable, so a request carrying it is never replayed.
     *
     * @param in the content, closed after it was written
     * @param contentLength the number of bytes, or {@code -1} if unknown
     * @return a one-shot body
     */
    public static RequestBody ofStream(InputStream in, long contentLength) {
        Objects.requireNonNull(in, "in");
        return new RequestBody() {
            @Override
            public long contentLength() {
                return contentLength;
            }

            @Override
            public boolean isRepeatable() {
                return false;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                try (InputStream source = in) {
                    source.transferTo(out);
                }
            }
        };
    }

    /**
     * A repeatable body that opens a new stream for each attempt.
     *
     * @param streams opens the content afresh
     * @param contentLength the number of bytes, or {@code -1} if unknown
     * @return a repeatable body
     */
    public static RequestBody ofStreams(Supplier<? extends InputStream> streams, long contentLength) {
        Objects.requireNonNull(streams, "streams");
        return new RequestBody() {
            @Override
            public long contentLength() {
                return contentLength;
            }

            @Override
            public boolean isRepeatable() {
                return true;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                try (InputStream source = streams.get()) {
                    source.transferTo(out);
                }
            }
        };
    }
}
