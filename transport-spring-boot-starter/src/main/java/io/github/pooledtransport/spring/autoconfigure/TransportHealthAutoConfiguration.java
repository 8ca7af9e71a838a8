package io.github.pooledtransport.spring.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.actuate.TransportHealthIndicator;

/**
 * The {@code transport} health indicator ({@code management.health.transport.enabled}).
 */
@AutoConfiguration(after = TransportAutoConfiguration.class,
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(Transport.class)
@ConditionalOnEnabledHealthIndicator("transport")
public final class TransportHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "transportHealthIndicator")
    TransportHealthIndicator transportHealthIndicator(Transport transport,
            ObjectProvider<TransportProperties> properties) {
        TransportProperties p = properties.getIfAvailable(TransportProperties::new);
        return new TransportHealthIndicator(transport, p.getHealth().isOutOfServiceOnAcquireTimeouts());
    }
}
