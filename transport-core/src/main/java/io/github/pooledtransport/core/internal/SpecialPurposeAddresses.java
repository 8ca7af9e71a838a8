package io.github.pooledtransport.core.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Addresses that are not on the public internet: the IANA IPv4 and IPv6 special-purpose address registries
 * (RFC 6890 and its updates, NAT64's {@code 64:ff9b::/96} included), plus what Java itself calls wildcard,
 * loopback, link-local, site-local (private) and multicast. The same set Spring Boot 4.1's
 * {@code InetAddressFilter.externalAddresses()} denies; a table shared by the core's and the starter's tests holds
 * both to it.
 */
public final class SpecialPurposeAddresses {

    /** Registry blocks, as (address, prefix length). */
    private static final List<Block> BLOCKS = List.of(block("0.0.0.0", 8), block("100.64.0.0", 10),
            block("127.0.0.0", 8), block("169.254.0.0", 16), block("192.0.0.0", 24), block("192.0.2.0", 24),
            block("192.88.99.0", 24), block("198.18.0.0", 15), block("198.51.100.0", 24), block("203.0.113.0", 24),
            block("240.0.0.0", 4), block("255.255.255.255", 32), block("::1", 128), block("::", 128),
            block("64:ff9b::", 96), block("100::", 64), block("2001::", 23), block("2001:db8::", 32),
            block("2002::", 16), block("fc00::", 7), block("fe80::", 10));

    private SpecialPurposeAddresses() {
    }

    /**
     * @param address a resolved address
     * @return whether it is not a public internet address
     */
    public static boolean contains(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        for (Block block : BLOCKS) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    private static Block block(String literal, int prefix) {
        try {
            return new Block(InetAddress.getByName(literal).getAddress(), prefix);
        }
        catch (UnknownHostException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A CIDR block of one family. */
    private record Block(byte[] base, int prefix) {

        boolean contains(byte[] address) {
            if (address.length != this.base.length) {
                return false;
            }
            int full = this.prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != this.base[i]) {
                    return false;
                }
            }
            int rest = this.prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (this.base[full] & mask);
        }
    }
}
