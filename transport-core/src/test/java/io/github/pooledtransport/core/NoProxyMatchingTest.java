package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code NO_PROXY} matching, with the semantics of Go's {@code net/http/httpproxy} (and the cases curl
 * documents): bare domains match themselves and their subdomains, a leading dot or {@code *.} means
 * subdomains only, IP literals and CIDR ranges match addresses (never names), {@code :port} narrows an
 * entry to one port, and matching ignores case and a trailing dot.
 */
class NoProxyMatchingTest {

    private static final NoProxy LIST = NoProxy.parse("foobar.com, .barbaz.net, *.wildcard.io, Example.ORG.,"
            + " 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1,"
            + " [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64, internal.test:8080"
            + " spaced.test");

    @ParameterizedTest(name = "{0}:{1} direct={2} ({3})")
    @CsvSource(delimiter = '|', textBlock = """
            foobar.com                 | 80   | true  | bare domain matches itself
            www.foobar.com             | 80   | true  | bare domain matches a subdomain
            a.b.foobar.com             | 443  | true  | bare domain matches a deeper subdomain
            foofoobar.com              | 80   | false | suffix without a label boundary
            foobar.com.evil.test       | 80   | false | domain as a prefix
            barbaz.net                 | 80   | false | leading dot: the domain itself is not matched
            www.barbaz.net             | 80   | true  | leading dot: subdomain matched
            barbarbaz.net              | 80   | false | leading dot: no label boundary
            wildcard.io                | 80   | false | star-dot prefix: the domain itself is not matched
            nested.wildcard.io         | 80   | true  | star-dot prefix: subdomain matched
            awildcard.io               | 80   | false | star-dot prefix: no label boundary
            FOOBAR.COM                 | 80   | true  | host case ignored
            WWW.BarBaz.Net             | 443  | true  | host case ignored for subdomains
            example.org                | 80   | true  | entry case and trailing dot ignored
            www.example.org            | 80   | true  | entry with trailing dot matches subdomains
            example.org.               | 80   | true  | trailing dot on the host ignored
            foobar.com.                | 80   | true  | fully qualified host with trailing dot
            spaced.test                | 80   | true  | entries may be separated by spaces
            192.168.1.1                | 80   | true  | exact IPv4
            192.168.1.10               | 80   | false | IPv4 entry is not a text prefix
            192.168.1.2                | 80   | false | IPv4 entry with another port
            192.168.1.2                | 81   | true  | IPv4 entry with this port
            192.168.1.3                | 80   | true  | IPv4 entry with port 80
            192.168.1.3                | 443  | false | IPv4 entry with port 80, other port
            10.0.0.0                   | 80   | true  | CIDR network address
            10.0.0.3                   | 80   | true  | last address of a /30
            10.0.0.4                   | 80   | false | first address after a /30
            2001:db8::52:0:1           | 443  | true  | exact IPv6
            2001:0db8:0:0:0:52:0:1     | 443  | true  | exact IPv6 written out in full
            2001:DB8::52:0:1           | 443  | true  | IPv6 hex digits case ignored
            2001:db8::52:0:2           | 443  | true  | bracketed IPv6 entry with this port
            2001:db8::52:0:2           | 80   | false | bracketed IPv6 entry with another port
            2001:db8::52:0:3           | 80   | true  | bracketed IPv6 entry with port 80
            2002:db8:a::123            | 80   | true  | inside an IPv6 /64
            2002:db8:b::123            | 80   | false | outside an IPv6 /64
            fe80::424b:c8be:1643:a1b6  | 80   | false | unrelated IPv6
            internal.test              | 8080 | true  | domain entry with this port
            internal.test              | 80   | false | domain entry with another port
            api.internal.test          | 8080 | true  | domain entry with port matches subdomains on that port
            localhost                  | 80   | false | no implicit loopback rule in NO_PROXY itself
            """)
    void matchesLikeGoHttpproxy(String host, int port, boolean direct, String why) {
        assertThat(LIST.matches(host, port)).as(why).isEqualTo(direct);
    }

    @ParameterizedTest
    @ValueSource(strings = { "example.com", "10.1.2.3", "::1", "LOCALHOST", "a.b.c.d.test" })
    void starMatchesEveryHost(String host) {
        assertThat(NoProxy.parse("*").matches(host, 443)).isTrue();
    }

    @Test
    void starAmongOtherEntriesStillMatchesEveryHost() {
        assertThat(NoProxy.parse("foo.test, *").matches("unrelated.test", 80)).isTrue();
    }

    @Test
    void ipEntriesNeverMatchHostNames() {
        NoProxy list = NoProxy.parse("127.0.0.0/8, ::1");

        assertThat(list.matches("localhost", 80)).isFalse();
    }

    @Test
    void blankOrMissingListMatchesNothing() {
        assertThat(NoProxy.parse(null).matches("example.com", 80)).isFalse();
        assertThat(NoProxy.parse("  ").matches("example.com", 80)).isFalse();
        assertThat(NoProxy.parse(" , ,").matches("example.com", 80)).isFalse();
        assertThat(NoProxy.parse(" , ,").isEmpty()).isTrue();
    }

    @Test
    void listOfEntriesMatchesLikeTheParsedString() {
        NoProxy list = NoProxy.of(List.of(".corp.test", "10.0.0.0/8"));

        assertThat(list.matches("svc.corp.test", 80)).isTrue();
        assertThat(list.matches("corp.test", 80)).isFalse();
        assertThat(list.matches("10.20.30.40", 80)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "10.0.0.0/33", "10.0.0.0/x", "host.test:99999", "host.test:http", "[::1" })
    void malformedEntriesAreRejectedNamingTheEntry(String entry) {
        assertThatIllegalArgumentException().isThrownBy(() -> NoProxy.parse(entry))
                .withMessageContaining(entry.toLowerCase());
    }
}
