package io.github.pooledtransport.core;

/**
 * The server sent more non-final ({@code 1xx}) responses before its final one than the transport reads (five,
 * {@code 100 Continue} included, as Go before 1.24). Each of them also counts toward
 * {@code maxResponseHeaderBytes}, with the final head.
 */
public class TooManyInterimResponsesException extends TransportException {

    private static final long serialVersionUID = 1L;

    /**
     * @param hostKey the host
     * @param limit how many interim responses are read
     */
    public TooManyInterimResponsesException(HostKey hostKey, int limit) {
        super(hostKey, hostKey + " sent more than " + limit + " interim (1xx) responses before a final one", null);
    }
}
