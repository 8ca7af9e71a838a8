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

    /**
     * Allows public internet addresses only: denies the IANA special-purpose registries (loopback, private,
     * shared (CGNAT), link-local, documentation, benchmarking, reserved, 6to4, Teredo, NAT64's {@code 64:ff9b::/96},
     * unique-local, ...) and multicast; exactly what Spring Boot's {@code InetAddressFilter.externalAddresses()}
     * denies.
     */
    AddressFilter PUBLIC_ONLY = address -> !io.github.pooledtransport.core.internal.SpecialPurposeAddresses
            .contains(address);

    /**
     * @param address a resolved address
     * @return whether the transport may connect to it
     */
    boolean allows(InetAddress address);
}
