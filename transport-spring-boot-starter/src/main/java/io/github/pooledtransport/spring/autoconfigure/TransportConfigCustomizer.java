package io.github.pooledtransport.spring.autoconfigure;

import io.github.pooledtransport.core.TransportConfig;

/**
 * Adjusts the configuration of the {@code Transport} the starter creates, after {@code transport.*} is applied:
 * for what properties cannot express (a custom {@code DnsResolver}, a {@code ProxyResolver}, a time source).
 * Every customizer bean is applied, in order. It does not apply to {@code Transport} beans the application
 * defines itself.
 */
@FunctionalInterface
public interface TransportConfigCustomizer {

    /**
     * @param builder the builder, with {@code transport.*} applied
     */
    void customize(TransportConfig.Builder builder);
}
