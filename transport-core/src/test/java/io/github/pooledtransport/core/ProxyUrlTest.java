package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;


import org.junit.jupiter.api.Test;

/**
 * Parsing proxy URLs: schemes, default ports, credentials, and never showing the password.
 */
class ProxyUrlTest {

    @Test
    void unsupportedSchemeFailsNamingTheSchemeButNotThePassword() {
        assertThatIllegalArgumentException().isThrownBy(() -> Proxy.parse("ftp://bob:hunter2@proxy.corp:21"))
                .withMessageContaining("'ftp'")
                .withMessageContaining("bob:***@proxy.corp")
                .withMessageNotContaining("hunter2");
    }

    @Test
    void malformedUrlFailsWithoutThePassword() {
        assertThatIllegalArgumentException().isThrownBy(() -> Proxy.parse("http://bob:hun ter2@proxy.corp:3128"))
                .withMessageNotContaining("hun ter2")
                .withMessageNotContaining("ter2");
    }

    @Test
    void schemesMapToProxyTypesWithTheirDefaultPorts() {
        assertThat(Proxy.parse("http://p")).isEqualTo(new Proxy(Proxy.Type.HTTP, "p", 80, null, null));
        assertThat(Proxy.parse("https://p")).isEqualTo(new Proxy(Proxy.Type.HTTPS, "p", 443, null, null));
        assertThat(Proxy.parse("socks5://p")).isEqualTo(new Proxy(Proxy.Type.SOCKS5, "p", 1080, null, null));
        assertThat(Proxy.parse("SOCKS5H://P:9")).isEqualTo(new Proxy(Proxy.Type.SOCKS5H, "p", 9, null, null));
    }

    @Test
    void percentEncodedCredentialsAreDecoded() {
        Proxy proxy = Proxy.parse("http://us%40er:p%3Aa+ss@proxy.corp:3128");

        assertThat(proxy.username()).isEqualTo("us@er");
        assertThat(proxy.password()).isEqualTo("p:a+ss");
    }

    @Test
    void ipv6ProxyHostLosesItsBrackets() {
        Proxy proxy = Proxy.parse("http://[::1]:3128");

        assertThat(proxy.host()).isEqualTo("::1");
        assertThat(proxy.authority()).isEqualTo("[::1]:3128");
    }

    @Test
    void toStringMasksThePassword() {
        Proxy proxy = Proxy.parse("http://bob:hunter2@proxy.corp:3128");

        assertThat(proxy.toString()).isEqualTo("http://bob:***@proxy.corp:3128").doesNotContain("hunter2");
    }

    @Test
    void identityHidesThePasswordButDiffersPerPassword() {
        Proxy one = Proxy.parse("http://bob:hunter2@proxy.corp:3128");
        Proxy two = Proxy.parse("http://bob:hunter3@proxy.corp:3128");

        assertThat(one.identity()).startsWith("http://bob@proxy.corp:3128").doesNotContain("hunter2");
        assertThat(one.identity()).isNotEqualTo(two.identity());
        assertThat(one.identity()).isEqualTo(Proxy.parse("http://bob:hunter2@proxy.corp:3128").identity());
    }
}
