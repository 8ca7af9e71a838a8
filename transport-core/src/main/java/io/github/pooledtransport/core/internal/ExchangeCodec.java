package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.time.Duration;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;

/**
 * Carries one request and its response over a leased connection, in the connection's protocol. The pool and
 * the request path see only this seam: the protocol is chosen once a connection is made (today HTTP/1.1 only,
 * {@link Http1ExchangeCodec}; a multiplexed protocol would lease streams instead of connections).
 */
interface ExchangeCodec {

    /**
     * Writes the request and reads the response head.
     *
     * <p>On success the lease has passed to the returned response's body, or was finished when the response has
     * no body. On failure the caller still holds the lease and must finish it; an {@link ExchangeFailure} says
     * that the request may not have been acted on, for the retry policy.
     *
     * @param lease the connection
     * @param request the request
     * @param framing the request body's framing, from {@link RequestFraming}
     * @param responseHeaderTimeout the host's response header timeout, zero for none
     * @param site where the response was obtained, for leak reports, or {@code null}
     * @return the response
     * @throws ExchangeFailure when the exchange failed before any response byte arrived
     * @throws IOException when it failed otherwise; the caller's own {@code RequestBody} failure unchanged
     */
    Response exchange(Lease lease, Request request, long framing, Duration responseHeaderTimeout, Throwable site)
            throws IOException;
}
