package io.github.pooledtransport.core;

/**
 * The server's response could not be framed safely (RFC 9112 6.3): contradictory {@code Content-Length} values,
 * a malformed length, a transfer coding other than {@code chunked}, {@code Transfer-Encoding} in an HTTP/1.0
 * response, or a malformed chunk. The connection is closed; none of the response is trusted.
 */
public class ResponseFramingException extends TransportException {

    private static final long serialVersionUID = 1L;

    /**
     * @param hostKey the host that sent the response
     * @param message what was wrong, without echoing more than the offending header's name and a bounded value
     * @param cause the underlying failure, or {@code null}
     */
    public ResponseFramingException(HostKey hostKey, String message, Throwable cause) {
        super(hostKey, message, cause);
    }
}
