package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;

/** A host key is equal to another exactly when every part is: connections are only shared between equal keys. */
class HostKeyTest {

    private final HostKey key = new HostKey("https", "example.test", 8443, "http://proxy.test:3128#ab12", "bundle-a");

    @Test
    void keysWithTheSamePartsAreEqualAndHashAlike() {
        HostKey same = new HostKey("https", "example.test", 8443, "http://proxy.test:3128#ab12", "bundle-a");

        assertThat(same).isEqualTo(this.key).hasSameHashCodeAs(this.key);
    }

    @Test
    void keysThatDifferInAnyPartAreNotEqual() {
        assertThat(new HostKey("http", "example.test", 8443, "http://proxy.test:3128#ab12", "bundle-a"))
                .isNotEqualTo(this.key);
        assertThat(new HostKey("https", "other.test", 8443, "http://proxy.test:3128#ab12", "bundle-a"))
                .isNotEqualTo(this.key);
        assertThat(new HostKey("https", "example.test", 443, "http://proxy.test:3128#ab12", "bundle-a"))
                .isNotEqualTo(this.key);
        assertThat(new HostKey("https", "example.test", 8443, null, "bundle-a")).isNotEqualTo(this.key);
        assertThat(new HostKey("https", "example.test", 8443, "http://proxy.test:3128#cd34", "bundle-a"))
                .isNotEqualTo(this.key);
        assertThat(new HostKey("https", "example.test", 8443, "http://proxy.test:3128#ab12", null))
                .isNotEqualTo(this.key);
    }

    @Test
    void theKeyOfAUriDefaultsThePortAndLowerCasesSchemeAndHost() {
        assertThat(HostKey.of(URI.create("HTTPS://Example.TEST/path")))
                .isEqualTo(new HostKey("https", "example.test", 443, null, null));
        assertThat(HostKey.of(URI.create("http://[::1]:8080/"))).isEqualTo(new HostKey("http", "::1", 8080, null, null));
    }
}
