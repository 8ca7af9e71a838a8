package io.github.pooledtransport.core;

import java.io.IOException;

/**
 * Executes a single HTTP transaction: one {@link Request} in, one {@link Response} out.
 *
 * <p>Like Go's {@code http.RoundTripper}, an implementation does not follow redirects, retry on
 * status codes or interpret the response; it only moves bytes. The caller owns the returned response
 * and must close it (or read its body to the end) so the underlying connection can be reused.
 */
@FunctionalInterface
public interface RoundTripper {

    /**
     * Sends the request and returns the response once its status line and headers have arrived. The
     * body is streamed afterwards from {@link Response#body()}.
     *
     * @param request the request to send
     * @return the response; never {@code null}
     * @throws IOException when no response could be obtained
     */
    Response roundTrip(Request request) throws IOException;
}
