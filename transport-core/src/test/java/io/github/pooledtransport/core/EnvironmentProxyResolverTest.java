package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proxies from the environment, as Go's {@code ProxyFromEnvironment} and curl read them: {@code HTTP_PROXY}
 * for http targets, {@code HTTPS_PROXY} for https, {@code ALL_PROXY} as the fallback, lower-case forms, upper
 * case winning, {@code NO_PROXY}, and loopback never proxied unless asked.
 */
class EnvironmentProxyResolverTest {

    private static final URI HTTP_TARGET = URI.create("http://example.com/a");

    private static final URI HTTPS_TARGET = URI.create("https://example.com/a");

    private static Proxy http(String host, int port) {
        return new Proxy(Proxy.Type.HTTP, host, port, null, null);
    }

    @Test
    void httpTargetGoesThroughHttpProxy() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(
                Map.of("HTTP_PROXY", "http://plain:3128", "HTTPS_PROXY", "http://secure:3129"), false);

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(http("plain", 3128));
    }

    @Test
    void httpsTargetGoesThroughHttpsProxy() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(
                Map.of("HTTP_PROXY", "http://plain:3128", "HTTPS_PROXY", "http://secure:3129"), false);

        assertThat(resolver.proxyFor(HTTPS_TARGET)).isEqualTo(http("secure", 3129));
    }

    @Test
    void httpsTargetIsDirectWhenOnlyHttpProxyIsSet() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(Map.of("HTTP_PROXY", "http://plain:3128"), false);

        assertThat(resolver.proxyFor(HTTPS_TARGET)).isNull();
        assertThat(resolver.isConfiguredFor("https")).isFalse();
        assertThat(resolver.isConfiguredFor("http")).isTrue();
    }

    @Test
    void allProxyIsTheFallbackForBothSchemes() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(Map.of("ALL_PROXY", "socks5h://all:1080"), false);

        Proxy all = new Proxy(Proxy.Type.SOCKS5H, "all", 1080, null, null);
        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(all);
        assertThat(resolver.proxyFor(HTTPS_TARGET)).isEqualTo(all);
    }

    @Test
    void schemeSpecificProxyWinsOverAllProxy() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(
                Map.of("ALL_PROXY", "socks5://all:1080", "HTTP_PROXY", "http://plain:3128"), false);

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(http("plain", 3128));
        assertThat(resolver.proxyFor(HTTPS_TARGET).type()).isEqualTo(Proxy.Type.SOCKS5);
    }

    @Test
    void lowerCaseVariablesAreRead() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(Map.of("http_proxy", "http://plain:3128",
                "https_proxy", "http://secure:3129", "no_proxy", "skip.test"), false);

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(http("plain", 3128));
        assertThat(resolver.proxyFor(HTTPS_TARGET)).isEqualTo(http("secure", 3129));
        assertThat(resolver.proxyFor(URI.create("http://skip.test/"))).isNull();
    }

    @Test
    void upperCaseWinsOverLowerCase() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(Map.of("HTTP_PROXY", "http://upper:1111",
                "http_proxy", "http://lower:2222", "NO_PROXY", "upper-skip.test", "no_proxy", "example.com"),
                false);

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(http("upper", 1111));
        assertThat(resolver.proxyFor(URI.create("http://upper-skip.test/"))).isNull();
    }

    @Test
    void emptyUpperCaseValueCountsAsUnset() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(
                Map.of("HTTP_PROXY", "", "http_proxy", "http://lower:2222"), false);

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(http("lower", 2222));
    }

    @Test
    void noProxyListSendsMatchingHostsDirect() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(
                Map.of("HTTPS_PROXY", "http://secure:3129", "NO_PROXY", ".internal.test,10.0.0.0/8"), false);

        assertThat(resolver.proxyFor(URI.create("https://api.internal.test/"))).isNull();
        assertThat(resolver.proxyFor(URI.create("https://10.1.2.3:8443/"))).isNull();
        assertThat(resolver.proxyFor(HTTPS_TARGET)).isEqualTo(http("secure", 3129));
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://localhost:8080/", "http://app.localhost/", "http://127.0.0.1:8080/",
            "http://127.8.9.10/", "http://[::1]:8080/", "https://localhost/" })
    void loopbackTargetsAreNeverProxied(String target) {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(
                Map.of("HTTP_PROXY", "http://plain:3128", "HTTPS_PROXY", "http://secure:3129"), false);

        assertThat(resolver.proxyFor(URI.create(target))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://localhost:8080/", "http://127.0.0.1:8080/", "http://[::1]:8080/" })
    void loopbackTargetsAreProxiedWhenProxyLoopbackIsSet(String target) {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(Map.of("HTTP_PROXY", "http://plain:3128"), true);

        assertThat(resolver.proxyFor(URI.create(target))).isEqualTo(http("plain", 3128));
    }

    @Test
    void nonLoopbackIpv6IsProxied() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(Map.of("HTTP_PROXY", "http://plain:3128"), false);

        assertThat(resolver.proxyFor(URI.create("http://[::2]/"))).isEqualTo(http("plain", 3128));
    }

    @Test
    void proxyWithoutSchemeIsHttp() {
        ProxyResolver resolver = ProxyResolver.fromEnvironment(
                Map.of("HTTP_PROXY", "proxy.corp:3128", "HTTPS_PROXY", "proxy.corp"), false);

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(http("proxy.corp", 3128));
        assertThat(resolver.proxyFor(HTTPS_TARGET)).isEqualTo(http("proxy.corp", 80));
    }

    @Test
    void invalidProxySchemeFailsNamingTheVariableAndSchemeButNotThePassword() {
        Map<String, String> env = Map.of("HTTPS_PROXY", "ftp://bob:hunter2@proxy.corp:21");

        assertThatIllegalArgumentException().isThrownBy(() -> ProxyResolver.fromEnvironment(env, false))
                .withMessageContaining("HTTPS_PROXY")
                .withMessageContaining("'ftp'")
                .withMessageNotContaining("hunter2")
                .satisfies(ex -> assertThat(ex.getCause().getMessage()).doesNotContain("hunter2"));
    }
}
