package io.github.pooledtransport.core;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.github.pooledtransport.core.internal.IpLiterals;

/**
 * A list of hosts to reach directly, as in the {@code NO_PROXY} environment variable. Entries are separated
 * by commas or spaces and match like Go's {@code httpproxy} package:
 * <ul>
 * <li>{@code *} matches every host;</li>
 * <li>{@code example.com} matches {@code example.com} and every subdomain;</li>
 * <li>{@code .example.com} (or {@code *.example.com}) matches subdomains only;</li>
 * <li>an IP address matches that address; a CIDR range such as {@code 10.0.0.0/8} or {@code fd00::/8}
 * matches IP literals in it (names are never resolved for this);</li>
 * <li>any entry may end in {@code :port} (IPv6 in brackets: {@code [::1]:8080}) to match that port
 * only.</li>
 * </ul>
 */
public final class NoProxy {

    /** Matches nothing. */
    public static final NoProxy NONE = new NoProxy(List.of(), false);

    private final List<Entry> entries;

    private final boolean all;

    private NoProxy(List<Entry> entries, boolean all) {
        this.entries = entries;
        this.all = all;
    }

    /**
     * @param list comma- or space-separated entries; {@code null} or blank for none
     * @return the matcher
     */
    public static NoProxy parse(String list) {
        if (list == null || list.isBlank()) {
            return NONE;
        }
        return of(Arrays.asList(list.split("[,\\s]+")));
    }

    /**
     * @param items one entry each, in any of the forms listed on this class
     * @return the matcher
     */
    public static NoProxy of(List<String> items) {
        List<Entry> entries = new ArrayList<>();
        boolean all = false;
        for (String item : items) {
            String s = item.trim().toLowerCase(Locale.ROOT);
            if (s.isEmpty()) {
                continue;
            }
            if (s.equals("*")) {
                all = true;
                continue;
            }
            entries.add(Entry.parse(s));
        }
        return new NoProxy(List.copyOf(entries), all);
    }

    /** @return whether this list matches nothing */
    public boolean isEmpty() {
        return !this.all && this.entries.isEmpty();
    }

    /**
     * @param host a host name or IP literal (IPv6 without brackets), any case
     * @param port the target port
     * @return whether the host must be reached directly
     */
    public boolean matches(String host, int port) {
        if (this.all) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        byte[] ip = IpLiterals.parse(h);
        for (Entry entry : this.entries) {
            if (entry.matches(h, ip, port)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return this.all ? "NoProxy[*]" : "NoProxy" + this.entries;
    }

    private record Entry(String domain, boolean subdomainsOnly, byte[] network, int prefix, int port) {

        static Entry parse(String s) {
            int port = -1;
            String host = s;
            if (host.startsWith("[")) {
                int close = host.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("Malformed no-proxy entry '" + s + "'");
                }
                if (host.length() > close + 1 && host.charAt(close + 1) == ':') {
                    port = parsePort(host.substring(close + 2), s);
                }
                host = host.substring(1, close);
            }
            else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') > 0 && !host.contains("/")) {
                int colon = host.indexOf(':');
                port = parsePort(host.substring(colon + 1), s);
                host = host.substring(0, colon);
            }
            int slash = host.indexOf('/');
            if (slash > 0) {
                byte[] network = IpLiterals.parse(host.substring(0, slash));
                if (network == null) {
                    throw new IllegalArgumentException("Malformed CIDR range in no-proxy entry '" + s + "'");
                }
                int prefix;
                try {
                    prefix = Integer.parseInt(host.substring(slash + 1));
                }
                catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("Malformed CIDR prefix in no-proxy entry '" + s + "'");
                }
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new IllegalArgumentException("CIDR prefix out of range in no-proxy entry '" + s + "'");
                }
                return new Entry(null, false, network, prefix, port);
            }
            byte[] ip = IpLiterals.parse(host);
            if (ip != null) {
                return new Entry(null, false, ip, ip.length * 8, port);
            }
            boolean subdomainsOnly = false;
            if (host.startsWith("*.")) {
                host = host.substring(1);
            }
            if (host.startsWith(".")) {
                subdomainsOnly = true;
                host = host.substring(1);
            }
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            return new Entry(host, subdomainsOnly, null, 0, port);
        }

        boolean matches(String host, byte[] ip, int targetPort) {
            if (this.port != -1 && this.port != targetPort) {
                return false;
            }
            if (this.network != null) {
                return ip != null && ip.length == this.network.length && inRange(ip);
            }
            if (host.equals(this.domain)) {
                return !this.subdomainsOnly;
            }
            return host.endsWith("." + this.domain);
        }

        private boolean inRange(byte[] ip) {
            int bits = this.network.length * 8;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                    .shiftRight(this.prefix).not();
            BigInteger a = new BigInteger(1, ip).and(mask);
            BigInteger b = new BigInteger(1, this.network).and(mask);
            return a.equals(b);
        }

        private static int parsePort(String text, String entry) {
            try {
                int port = Integer.parseInt(text);
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
                return port;
            }
            catch (NumberFormatException ex) {
                throw new IllegalArgumentException("Malformed port in no-proxy entry '" + entry + "'");
            }
        }

        @Override
        public String toString() {
            String base = (this.network != null) ? "ip/" + this.prefix : (this.subdomainsOnly ? "." : "") + this.domain;
            return (this.port != -1) ? base + ":" + this.port : base;
        }
    }
}
