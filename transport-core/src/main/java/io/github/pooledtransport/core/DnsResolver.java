package io.github.pooledtransport.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Resolves a host name to the addresses the transport dials, in the order they should be tried.
 */
@FunctionalInterface
public interface DnsResolver {

    /** Resolves with {@link InetAddress#getAllByName(String)}, honouring the JVM's DNS cache settings. */
    DnsResolver SYSTEM = host -> Arrays.asList(InetAddress.getAllByName(host));

    /**
     * Resolves {@code host}.
     *
     * @param host a host name or IP literal (IPv6 literals without brackets)
     * @return at least one address
     * @throws UnknownHostException when the name cannot be resolved
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
