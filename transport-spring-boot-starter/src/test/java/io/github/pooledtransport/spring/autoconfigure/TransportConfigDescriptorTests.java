package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.TransportConfig;

/**
 * {@link TransportConfigDescriptor} shows the effective settings with every credential masked.
 */
class TransportConfigDescriptorTests {

    private static final String PASSWORD = "pr0xy-Pa55word";

    private static final String TOKEN = "c0nnect-t0ken";

    private TransportProperties properties() {
        TransportProperties p = new TransportProperties();
        p.getProxy().setUrl("http://alice:" + PASSWORD + "@proxy.internal:3128");
        p.getProxy().setUsername("alice");
        p.getProxy().setPassword(PASSWORD);
        p.getProxy().getConnectHeaders().put("Proxy-Authorization", "Bearer " + TOKEN);
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> proxy(Map<String, Object> description) {
        return (Map<String, Object>) description.get("proxy");
    }

    @Test
    void describeShouldMaskTheProxyPassword() {
        Map<String, Object> d = TransportConfigDescriptor.describe(TransportConfig.defaults(), properties());
        assertThat(proxy(d)).containsEntry("password", "******");
    }

    @Test
    void describeShouldMaskThePasswordInTheProxyUrl() {
        Map<String, Object> d = TransportConfigDescriptor.describe(TransportConfig.defaults(), properties());
        assertThat(proxy(d)).containsEntry("url", "http://alice:***@proxy.internal:3128");
    }

    @Test
    void describeShouldMaskConnectHeaderValuesButShowTheirNames() {
        Map<String, Object> d = TransportConfigDescriptor.describe(TransportConfig.defaults(), properties());
        assertThat(proxy(d).get("connectHeaders")).isEqualTo(Map.of("Proxy-Authorization", "******"));
    }

    @Test
    void describeShouldNeverContainTheSecrets() {
        String text = TransportConfigDescriptor.describe(TransportConfig.defaults(), properties()).toString();
        assertThat(text).doesNotContain(PASSWORD).doesNotContain(TOKEN);
    }

    @Test
    void describeWithoutPasswordShouldShowNoPassword() {
        TransportProperties p = new TransportProperties();
        p.getProxy().setUrl("http://proxy.internal:3128");
        Map<String, Object> d = TransportConfigDescriptor.describe(TransportConfig.defaults(), p);
        assertThat(proxy(d)).containsEntry("password", null).containsEntry("url", "http://proxy.internal:3128");
    }

    @Test
    void describeShouldShowTheEffectiveValuesOfTheConfig() {
        TransportConfig config = TransportConfig.builder().maxIdleConns(10).maxIdleConnsPerHost(5).build();
        Map<String, Object> d = TransportConfigDescriptor.describe(config, new TransportProperties());
        assertThat(d).containsEntry("maxIdleConns", 10).containsEntry("maxIdleConnsPerHost", 5)
                .containsEntry("leakDetection", "on").containsEntry("drainOnClose", 256L * 1024);
    }
}
