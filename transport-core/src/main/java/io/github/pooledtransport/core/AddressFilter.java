package io.github.pooledtransport.core;

import java.net.InetAddress;

/**
 * Decides which resolved addresses the transport may connect to: a guard against server-side request
 * forgery (SSRF). It is applied to the very address that is dialed, after name resolution, so a name that
 * resolves to an allowed address for a check and a denied one for the connection (DNS rebinding) cannot slip
 * through. It applies to targets reached directly or through a {@code socks5} proxy (which is given the
 * address the transport resolved), never to the proxy's own address; through an HTTP or {@code socks5h}
 * proxy, the proxy resolves the target and must enforce its own rules.
 */
@FunctionalInterface
public interface AddressFilter {

    /** Allows every address. */
    AddressFilter ALLOW_ALL = address -> true;

    /** Denies loopback, link-local, site-local (private) and wildcard addresses. */
    AddressFilter PUBLIC_ONLY = address -> !(address.isLoopbackAddress() || address.isLinkLocalAddress()
            || address.isSiteLocalAddress() || address.isAnyLocalAddress() || address.isMulticastAddress()
            || (address.getAddress().length == 16 && (address.getAddress()[0] & 0xfe) == 0xfc));

    /**
     * @param address a resolved address
     * @return whether the transport may connect to it
     */
    boolean allows(InetAddress address);
}
