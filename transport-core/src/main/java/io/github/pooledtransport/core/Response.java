package io.github.pooledtransport.core;

import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;

/**
 * An HTTP response: status, headers and a streaming body. Close it (or read the body to the end) to give
 * the connection back to the pool.
 */
public final class Response implements Closeable {

    private final int status;

    private final String reasonPhrase;

    private final String protocol;

    private final Headers headers;

    private final ResponseBody body;

    /**
     * @param status the status code
     * @param reasonPhrase the reason phrase, possibly empty
     * @param protocol for example {@code HTTP/1.1}
     * @param headers the response headers
     * @param body the body; use {@link ResponseBody#empty()} for none
     */
    public Response(int status, String reasonPhrase, String protocol, Headers headers, ResponseBody body) {
        this.status = status;
        this.reasonPhrase = Objects.requireNonNullElse(reasonPhrase, "");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.headers = Objects.requireNonNull(headers, "headers");
        this.body = Objects.requireNonNull(body, "body");
    }

    /** @return the status code, for example 200 */
    public int status() {
        return this.status;
    }

    /** @return the reason phrase the server sent, possibly empty */
    public String reasonPhrase() {
        return this.reasonPhrase;
    }

    /** @return the protocol version of the status line, for example {@code HTTP/1.1} */
    public String protocol() {
        return this.protocol;
    }

    /** @return the response headers */
    public Headers headers() {
        return this.headers;
    }

    /** @return the body stream; empty for HEAD, 204 and 304 responses */
    public ResponseBody body() {
        return this.body;
    }

    /** Closes the body, draining a bounded remainder so the connection can be reused. */
    @Override
    public void close() throws IOException {
        this.body.close();
    }

    @Override
    public String toString() {
        return this.protocol + " " + this.status + (this.reasonPhrase.isEmpty() ? "" : " " + this.reasonPhrase);
    }
}
