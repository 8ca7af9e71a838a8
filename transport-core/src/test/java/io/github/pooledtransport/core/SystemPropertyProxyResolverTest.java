package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proxies from the JVM's networking system properties, with the JDK's semantics: {@code http.proxyHost}/{@code
 * http.proxyPort}, {@code https.proxyHost}/{@code https.proxyPort}, {@code http.nonProxyHosts} with wildcards
 * (loopback by default) and {@code socksProxyHost}.
 */
class SystemPropertyProxyResolverTest {

    private static final URI HTTP_TARGET = URI.create("http://example.com/a");

    private static final URI HTTPS_TARGET = URI.create("https://example.com/a");

    private static Proxy http(String host, int port) {
        return new Proxy(Proxy.Type.HTTP, host, port, null, null);
    }

    private Properties properties(String... keysAndValues) {
        Properties p = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return p;
    }

    @Test
    void httpProxyHostAndPortServeHttpTargetsOnly() {
        ProxyResolver resolver = ProxyResolver.fromSystemProperties(
                properties("http.proxyHost", "plain", "http.proxyPort", "3128"));

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(http("plain", 3128));
        assertThat(resolver.proxyFor(HTTPS_TARGET)).isNull();
        assertThat(resolver.isConfiguredFor("https")).isFalse();
    }

    @Test
    void httpsProxyHostAndPortServeHttpsTargetsOnly() {
        ProxyResolver resolver = ProxyResolver.fromSystemProperties(
                properties("https.proxyHost", "secure", "https.proxyPort", "3129"));

        assertThat(resolver.proxyFor(HTTPS_TARGET)).isEqualTo(http("secure", 3129));
        assertThat(resolver.proxyFor(HTTP_TARGET)).isNull();
    }

    @Test
    void portsDefaultTo80And443LikeTheJdk() {
        ProxyResolver resolver = ProxyResolver.fromSystemProperties(
                properties("http.proxyHost", "plain", "https.proxyHost", "secure"));

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(http("plain", 80));
        assertThat(resolver.proxyFor(HTTPS_TARGET)).isEqualTo(http("secure", 443));
    }

    @Test
    void nonProxyHostsWithWildcardsSendMatchingHostsDirectForBothSchemes() {
        ProxyResolver resolver = ProxyResolver.fromSystemProperties(properties("http.proxyHost", "plain",
                "https.proxyHost", "secure", "http.nonProxyHosts", "*.internal.test|db.example.com|10.*"));

        assertThat(resolver.proxyFor(URI.create("http://svc.internal.test/"))).isNull();
        assertThat(resolver.proxyFor(URI.create("https://svc.internal.test/"))).isNull();
        assertThat(resolver.proxyFor(URI.create("https://DB.Example.com/"))).isNull();
        assertThat(resolver.proxyFor(URI.create("http://10.1.2.3/"))).isNull();
        assertThat(resolver.proxyFor(URI.create("https://www.example.com/"))).isEqualTo(http("secure", 443));
        assertThat(resolver.proxyFor(URI.create("http://internal.test/"))).isEqualTo(http("plain", 80));
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://localhost:8080/", "http://127.0.0.1/", "http://[::1]/", "http://0.0.0.0/" })
    void loopbackIsDirectByDefaultLikeTheJdk(String target) {
        ProxyResolver resolver = ProxyResolver.fromSystemProperties(properties("http.proxyHost", "plain"));

        assertThat(resolver.proxyFor(URI.create(target))).isNull();
    }

    @Test
    void explicitNonProxyHostsReplaceTheLoopbackDefaultLikeTheJdk() {
        ProxyResolver resolver = ProxyResolver.fromSystemProperties(
                properties("http.proxyHost", "plain", "http.nonProxyHosts", "*.internal.test"));

        assertThat(resolver.proxyFor(URI.create("http://localhost/"))).isEqualTo(http("plain", 80));
    }

    @Test
    void socksProxyHostServesTargetsWithoutAnHttpProxy() {
        ProxyResolver resolver = ProxyResolver.fromSystemProperties(properties("socksProxyHost", "socks",
                "socksProxyPort", "1081", "http.proxyHost", "plain", "http.proxyPort", "3128"));

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(http("plain", 3128));
        assertThat(resolver.proxyFor(HTTPS_TARGET))
                .isEqualTo(new Proxy(Proxy.Type.SOCKS5, "socks", 1081, null, null));
    }

    @Test
    void socksProxyPortDefaultsTo1080() {
        ProxyResolver resolver = ProxyResolver.fromSystemProperties(properties("socksProxyHost", "socks"));

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(new Proxy(Proxy.Type.SOCKS5, "socks", 1080, null, null));
    }

    @Test
    void noPropertiesMeansDirect() {
        ProxyResolver resolver = ProxyResolver.fromSystemProperties(new Properties());

        assertThat(resolver.proxyFor(HTTP_TARGET)).isNull();
        assertThat(resolver.isConfiguredFor("http")).isFalse();
        assertThat(resolver.isConfiguredFor("https")).isFalse();
    }

    @Test
    void invalidPortFailsNamingTheProperties() {
        Properties p = properties("http.proxyHost", "plain", "http.proxyPort", "99999");

        assertThatIllegalArgumentException().isThrownBy(() -> ProxyResolver.fromSystemProperties(p))
                .withMessageContaining("http.proxyHost/http.proxyPort");
    }
}
