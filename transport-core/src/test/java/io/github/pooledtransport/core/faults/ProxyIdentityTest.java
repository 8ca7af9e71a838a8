package io.github.pooledtransport.core.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.HostStats;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * A proxy's identity, which pool keys, the endpoint, metric tags and messages show, is derived from nothing
 * secret: the proxy URL with the user name, and a number only when a second password is used with it. The
 * registry is JVM-wide, so each test uses proxy host names of its own.
 */
@Timeout(20)
class ProxyIdentityTest {

    @Test
    void identityIsTheUrlWithTheUserNameAndWithoutThePassword() throws Exception {
        Proxy proxy = Proxy.parse("http://alice:hunter2@identity-plain.test:3128");

        assertThat(proxy.identity()).isEqualTo("http://alice@identity-plain.test:3128");
    }

    @Test
    void identityCarriesNoDigestOfTheCredentials() throws Exception {
        Proxy proxy = Proxy.parse("http://alice:hunter2@identity-digest.test:3128");

        String identity = proxy.identity();

        assertThat(identity).doesNotContain("hunter2").doesNotContain("***")
                .doesNotContain(sha256Hex("alice\0hunter2").substring(0, 8))
                .doesNotContain(sha256Hex("hunter2").substring(0, 8));
    }

    @Test
    void sameCredentialsGiveTheSameIdentity() {
        String first = Proxy.parse("http://alice:hunter2@identity-same.test:3128").identity();
        String again = Proxy.parse("http://alice:hunter2@identity-same.test:3128").identity();

        assertThat(again).isEqualTo(first);
    }

    @Test
    void eachFurtherPasswordForTheSameUrlAndUserGetsTheNextNumberInFirstUseOrder() {
        String first = Proxy.parse("http://alice:one@identity-numbered.test:3128").identity();
        String second = Proxy.parse("http://alice:two@identity-numbered.test:3128").identity();
        String third = Proxy.parse("http://alice:three@identity-numbered.test:3128").identity();

        assertThat(List.of(first, second, third)).containsExactly("http://alice@identity-numbered.test:3128",
                "http://alice@identity-numbered.test:3128#2", "http://alice@identity-numbered.test:3128#3");
        assertThat(Proxy.parse("http://alice:two@identity-numbered.test:3128").identity()).isEqualTo(second);
    }

    @Test
    void otherUsersAndOtherProxiesAreNumberedApart() {
        Proxy.parse("http://alice:one@identity-apart.test:3128").identity();

        assertThat(Proxy.parse("http://bob:two@identity-apart.test:3128").identity())
                .isEqualTo("http://bob@identity-apart.test:3128");
        assertThat(Proxy.parse("socks5://alice:two@identity-apart.test:1080").identity())
                .isEqualTo("socks5://alice@identity-apart.test:1080");
    }

    @Test
    void missingAndEmptyPasswordAreTheSameCredential() {
        String missing = Proxy.parse("http://alice@identity-empty.test:3128").identity();
        String empty = Proxy.parse("http://alice:@identity-empty.test:3128").identity();

        assertThat(empty).isEqualTo(missing).isEqualTo("http://alice@identity-empty.test:3128");
    }

    @Test
    void identityWithoutCredentialsIsTheUrl() {
        assertThat(Proxy.parse("socks5h://identity-anonymous.test").identity())
                .isEqualTo("socks5h://identity-anonymous.test:1080");
    }

    @Test
    void twoPasswordsThroughOneProxyGetDistinctPoolKeysShowingNoSecret() throws Exception {
        try (MockWebServer proxyServer = new MockWebServer()) {
            proxyServer.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return new MockResponse.Builder().body("ok").build();
                }
            });
            proxyServer.start(InetAddress.getByName("127.0.0.1"), 0);
            // The port is new to this JVM, so these are the first credentials ever seen for this URL and user.
            String url = "http://carol:%s@127.0.0.1:" + proxyServer.getPort();
            Map<String, Proxy> proxies = Map.of("one", Proxy.parse(url.formatted("first-secret")), "two",
                    Proxy.parse(url.formatted("second-secret")));
            try (Transport transport = new Transport(TransportConfig.builder()
                    .proxyResolver(uri -> proxies.get(uri.getQuery())).build())) {
                fetch(transport, "http://origin.test/?one");
                fetch(transport, "http://origin.test/?two");

                String base = "http://carol@127.0.0.1:" + proxyServer.getPort();
                assertThat(transport.stats().hosts()).extracting(h -> h.key().proxy())
                        .containsExactlyInAnyOrder(base, base + "#2");
                assertThat(transport.stats().hosts()).extracting(HostStats::key).map(Object::toString)
                        .containsExactlyInAnyOrder("http://origin.test:80 via " + base,
                                "http://origin.test:80 via " + base + "#2");
                assertThat(transport.stats().toString()).doesNotContain("secret");
            }
        }
    }

    private static void fetch(Transport transport, String uri) throws IOException {
        try (Response response = transport.roundTrip(Request.get(URI.create(uri)))) {
            response.body().readAllBytes();
        }
    }

    private static String sha256Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
