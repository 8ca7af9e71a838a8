package io.github.pooledtransport.core.internal;

import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;

/**
 * How a request's body is framed on the wire, decided (and validated) before a connection is taken so that
 * a bad request never costs one.
 */
final class RequestFraming {

    /** No body and no framing header (GET, HEAD, DELETE… without a body). */
    static final long NONE = -2;

    /** {@code Transfer-Encoding: chunked}. */
    static final long CHUNKED = -1;

    private RequestFraming() {
    }

    /**
     * @param request the request
     * @return a content length ({@code >= 0}), {@link #CHUNKED} or {@link #NONE}
     * @throws IllegalArgumentException when the caller's {@code Content-Length} contradicts the body
     */
    static long of(Request request) {
        RequestBody body = request.body();
        Headers headers = request.headers();
        String declared = headers.get("Content-Length");
        if (body == null) {
            // As Go: methods that normally carry a body announce an empty one, so servers do not wait.
            String method = request.method();
            return (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) ? 0 : NONE;
        }
        long length = body.contentLength();
        if (declared != null) {
            long declaredLength;
            try {
                declaredLength = Long.parseLong(declared.trim());
            }
            catch (NumberFormatException ex) {
                throw new IllegalArgumentException("Invalid Content-Length header for " + request + ": " + declared);
            }
            if (declaredLength < 0 || (length >= 0 && length != declaredLength)) {
                throw new IllegalArgumentException(String.format(
                        "Content-Length header (%s) contradicts the body's length (%d) for %s", declared, length,
                        request));
            }
            return declaredLength;
        }
        return (length >= 0) ? length : CHUNKED;
    }
}
