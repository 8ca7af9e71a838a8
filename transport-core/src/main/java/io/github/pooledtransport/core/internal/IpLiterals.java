package io.github.pooledtransport.core.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Recognises IP literals in host names without ever resolving a name: SNI, SOCKS5, NO_PROXY and loopback checks
 * all need to tell "an address" from "a name".
 */
public final class IpLiterals {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private IpLiterals() {
    }

    /**
     * @param host a host (IPv6 without brackets)
     * @return whether it is an IPv4 or IPv6 literal rather than a name
     */
    public static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    /**
     * @param host a host (IPv6 without brackets)
     * @return its address bytes, or {@code null} when it is a name or malformed
     */
    public static byte[] parse(String host) {
        if (!isIpLiteral(host)) {
            return null;
        }
        try {
            return InetAddress.getByName(host).getAddress(); // a literal: no DNS lookup
        }
        catch (UnknownHostException ex) {
            return null;
        }
    }

    /**
     * @param host a host (IPv6 without brackets)
     * @return whether it is a loopback literal
     */
    public static boolean isLoopbackLiteral(String host) {
        byte[] address = parse(host);
        try {
            return address != null && InetAddress.getByAddress(address).isLoopbackAddress();
        }
        catch (UnknownHostException ex) {
            return false;
        }
    }
}
