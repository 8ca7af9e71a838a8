package io.github.pooledtransport.core;

/**
 * The response's status line and headers exceeded {@code maxResponseHeaderBytes}.
 */
public class ResponseHeadersTooLargeException extends TransportException {

    private static final long serialVersionUID = 1L;

    /**
     * @param hostKey the host
     * @param limit the configured limit in bytes
     */
    public ResponseHeadersTooLargeException(HostKey hostKey, long limit) {
        super(hostKey, "Response headers from " + hostKey + " exceed maxResponseHeaderBytes=" + limit
                + "; raise the limit if the server legitimately sends that much", null);
    }
}
