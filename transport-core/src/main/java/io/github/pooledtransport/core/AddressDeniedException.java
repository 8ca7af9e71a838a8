package io.github.pooledtransport.core;

import java.util.List;

/**
 * Every address the target resolved to was denied by the configured {@link AddressFilter}; nothing was sent.
 */
public class AddressDeniedException extends TransportException {

    private static final long serialVersionUID = 1L;

    /**
     * @param hostKey the target
     * @param addresses the denied addresses, as text
     */
    public AddressDeniedException(HostKey hostKey, List<String> addresses) {
        super(hostKey, "Refusing to connect to " + hostKey + ": every address it resolves to " + addresses
                + " is denied by the transport's address filter", null);
    }
}
