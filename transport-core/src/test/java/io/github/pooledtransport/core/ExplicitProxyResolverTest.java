package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An explicitly configured proxy ({@link ProxyResolver#of}) applies to every target, loopback included, except
 * those in its own no-proxy list.
 */
class ExplicitProxyResolverTest {

    private static final URI HTTP_TARGET = URI.create("http://example.com/a");

    private static Proxy http(String host, int port) {
        return new Proxy(Proxy.Type.HTTP, host, port, null, null);
    }

    private final Proxy proxy = http("proxy.corp", 3128);

    @ParameterizedTest
    @ValueSource(strings = { "http://localhost:8080/", "http://127.0.0.1:8080/", "https://[::1]:8443/" })
    void explicitProxyIsUsedForLoopbackToo(String target) {
        ProxyResolver resolver = ProxyResolver.of(this.proxy, NoProxy.NONE);

        assertThat(resolver.proxyFor(URI.create(target))).isEqualTo(this.proxy);
    }

    @Test
    void explicitNoProxyListSendsMatchingTargetsDirect() {
        ProxyResolver resolver = ProxyResolver.of(this.proxy, NoProxy.parse("localhost, 127.0.0.1, ::1"));

        assertThat(resolver.proxyFor(URI.create("http://localhost:8080/"))).isNull();
        assertThat(resolver.proxyFor(URI.create("http://127.0.0.1:8080/"))).isNull();
        assertThat(resolver.proxyFor(URI.create("http://[::1]:8080/"))).isNull();
        assertThat(resolver.proxyFor(HTTP_TARGET)).isEqualTo(this.proxy);
    }
}
