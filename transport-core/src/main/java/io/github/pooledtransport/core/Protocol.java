package io.github.pooledtransport.core;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * An application protocol the transport may speak to a host, as Go's {@code http.Protocols}: a transport or a
 * host allows a set of them ({@link TransportConfig.Builder#protocols}).
 * <ul>
 * <li>{@link #HTTP1}: HTTP/1.1, over TLS or cleartext.</li>
 * <li>{@link #H2}: HTTP/2 over TLS, chosen by the server through ALPN.</li>
 * <li>{@link #H2C}: HTTP/2 over cleartext with prior knowledge (RFC 9113 3.3), no {@code Upgrade}. As in Go, it is
 * used for {@code http://} URLs only when {@link #HTTP1} is not allowed, since nothing tells whether a cleartext
 * server speaks it.</li>
 * </ul>
 */
public enum Protocol {

    /** HTTP/1.1. */
    HTTP1("http1"),

    /** HTTP/2 over TLS (ALPN {@code h2}). */
    H2("h2"),

    /** HTTP/2 over cleartext TCP with prior knowledge. */
    H2C("h2c");

    private final String token;

    Protocol(String token) {
        this.token = token;
    }

    /** @return the name used in settings: {@code http1}, {@code h2} or {@code h2c} */
    public String token() {
        return this.token;
    }

    /**
     * Parses a comma-separated list such as {@code "http1,h2"}.
     *
     * @param setting the setting's name, for the error
     * @param list the list
     * @return the protocols, never empty
     * @throws IllegalArgumentException for an unknown name or an empty list, naming the setting
     */
    public static Set<Protocol> parse(String setting, String list) {
        EnumSet<Protocol> protocols = EnumSet.noneOf(Protocol.class);
        for (String part : list.split(",")) {
            String token = part.trim().toLowerCase(Locale.ROOT);
            if (token.isEmpty()) {
                continue;
            }
            Protocol found = null;
            for (Protocol protocol : values()) {
                if (protocol.token.equals(token)) {
                    found = protocol;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException(setting + " lists '" + part.trim()
                        + "', which is not a protocol: use http1, h2 or h2c");
            }
            protocols.add(found);
        }
        return checked(setting, protocols);
    }

    /**
     * @param setting the setting's name, for the error
     * @param protocols a set of protocols
     * @return an unmodifiable copy
     * @throws IllegalArgumentException when it is empty
     */
    static Set<Protocol> checked(String setting, Set<Protocol> protocols) {
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException(setting + " must allow at least one of http1, h2, h2c");
        }
        return Collections.unmodifiableSet(EnumSet.copyOf(protocols));
    }

    /**
     * Go's rule for a cleartext connection: HTTP/2 with prior knowledge only when it is allowed and HTTP/1.1 is
     * not.
     *
     * @param protocols the allowed protocols
     * @return whether a cleartext connection speaks HTTP/2 from its first byte
     */
    public static boolean cleartextIsH2(Set<Protocol> protocols) {
        return protocols.contains(H2C) && !protocols.contains(HTTP1);
    }

    /**
     * @param protocols a set of protocols
     * @return the set in settings form, such as {@code "http1,h2"}
     */
    public static String format(Set<Protocol> protocols) {
        StringBuilder text = new StringBuilder();
        for (Protocol protocol : values()) {
            if (protocols.contains(protocol)) {
                text.append((text.length() > 0) ? "," : "").append(protocol.token);
            }
        }
        return text.toString();
    }
}
