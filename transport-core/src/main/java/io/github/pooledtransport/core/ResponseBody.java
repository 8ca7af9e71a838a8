package io.github.pooledtransport.core;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The streaming body of a {@link Response}.
 *
 * <p>Read it to the end or close it: only then can the connection serve another request. Closing early
 * drains a bounded remainder so the connection can still be reused; a larger remainder closes the
 * connection instead.
 */
public abstract class ResponseBody extends InputStream {

    /** For subclasses. */
    protected ResponseBody() {
    }

    /**
     * @return the number of bytes this stream will yield, or {@code -1} when unknown (chunked, decoded or
     *     close-delimited bodies)
     */
    public abstract long contentLength();

    /**
     * Reads what remains and closes the body.
     *
     * @return the remaining bytes
     * @throws IOException when reading fails
     */
    public byte[] bytes() throws IOException {
        try (ResponseBody body = this) {
            return body.readAllBytes();
        }
    }

    /**
     * @param bytes the content
     * @return a body over these bytes, for tests and decorators; it supports {@code mark}/{@code reset}
     */
    public static ResponseBody of(byte[] bytes) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        return new ResponseBody() {
            @Override
            public long contentLength() {
                return bytes.length;
            }

            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public int available() {
                return in.available();
            }

            @Override
            public boolean markSupported() {
                return true;
            }

            @Override
            public void mark(int readlimit) {
                in.mark(readlimit);
            }

            @Override
            public void reset() {
                in.reset();
            }
        };
    }

    /** @return an empty body */
    public static ResponseBody empty() {
        return of(new byte[0]);
    }
}
