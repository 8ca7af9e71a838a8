package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/**
 * Combining proxy sources with {@link ProxyResolver#firstConfigured}: explicit configuration, then system
 * properties, then the environment; per scheme, the first source configured for it decides.
 */
class ProxyResolverPrecedenceTest {

    private static final URI HTTP_TARGET = URI.create("http://example.com/a");

    private static final URI HTTPS_TARGET = URI.create("https://example.com/a");

    private static Proxy http(String host, int port) {
        return new Proxy(Proxy.Type.HTTP, host, port, null, null);
    }

    private final Proxy explicitProxy = http("explicit", 1);

    private final ProxyResolver explicit = ProxyResolver.of(this.explicitProxy, NoProxy.NONE);

    private final ProxyResolver systemProperties = ProxyResolver.fromSystemProperties(props());

    private final ProxyResolver environment = ProxyResolver.fromEnvironment(
            Map.of("HTTP_PROXY", "http://env-plain:3", "HTTPS_PROXY", "http://env-secure:4"), false);

    private Properties props() {
        Properties p = new Properties();
        p.setProperty("http.proxyHost", "sys-plain");
        p.setProperty("http.proxyPort", "2");
        p.setProperty("http.nonProxyHosts", "*.sys-direct.test");
        return p;
    }

    @Test
    void explicitConfigurationWinsOverSystemPropertiesAndEnvironment() {
        ProxyResolver resolver = ProxyResolver.firstConfigured(
                List.of(this.explicit, this.systemProperties, this.environment));

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(this.explicitProxy);
        assertThat(resolver.proxyFor(HTTPS_TARGET)).isEqualTo(this.explicitProxy);
    }

    @Test
    void systemPropertiesWinOverEnvironmentForTheSchemeTheyConfigure() {
        ProxyResolver resolver = ProxyResolver.firstConfigured(List.of(this.systemProperties, this.environment));

        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(http("sys-plain", 2));
    }

    @Test
    void environmentDecidesForASchemeTheSystemPropertiesDoNotConfigure() {
        ProxyResolver resolver = ProxyResolver.firstConfigured(List.of(this.systemProperties, this.environment));

        assertThat(resolver.proxyFor(HTTPS_TARGET)).isEqualTo(http("env-secure", 4));
    }

    @Test
    void theSourceInChargeAppliesItsOwnNoProxyListWithoutFallingThrough() {
        ProxyResolver resolver = ProxyResolver.firstConfigured(List.of(this.systemProperties, this.environment));

        assertThat(resolver.proxyFor(URI.create("http://api.sys-direct.test/"))).isNull();
    }

    @Test
    void nothingConfiguredMeansDirect() {
        ProxyResolver resolver = ProxyResolver.firstConfigured(List.of(
                ProxyResolver.fromSystemProperties(new Properties()), ProxyResolver.fromEnvironment(Map.of(), false)));

        assertThat(resolver.proxyFor(HTTP_TARGET)).isNull();
        assertThat(resolver.isConfiguredFor("http")).isFalse();
    }
}
