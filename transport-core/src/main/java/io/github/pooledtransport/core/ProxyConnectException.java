package io.github.pooledtransport.core;

/**
 * A proxy refused to open a tunnel (a non-2xx answer to {@code CONNECT}, or a SOCKS5 failure reply). The
 * message carries the proxy (credentials masked), the target, and the proxy's status line with an excerpt of
 * its body.
 */
public class ProxyConnectException extends TransportException {

    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * @param hostKey the target
     * @param message what the proxy answered
     * @param status the HTTP status the proxy answered, or the SOCKS5 reply code
     */
    public ProxyConnectException(HostKey hostKey, String message, int status) {
        super(hostKey, message, null);
        this.status = status;
    }

    /** @return the proxy's HTTP status (for example 407), or the SOCKS5 reply code */
    public int status() {
        return this.status;
    }
}
