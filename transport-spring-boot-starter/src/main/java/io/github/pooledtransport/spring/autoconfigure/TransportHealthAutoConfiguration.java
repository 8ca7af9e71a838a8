package io.github.pooledtransport.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
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
@ConditionalOnBooleanProperty(name = "transport.enabled", matchIfMissing = true)
@ConditionalOnEnabledHealthIndicator("transport")
public final class TransportHealthAutoConfiguration {

    /**
     * One indicator for one transport (as before: {@code transport}), else one per {@link Transport} bean under a
     * composite, by bean name ({@code transport.components.<name>}).
     */
    @Bean
    @ConditionalOnMissingBean(name = "transportHealthIndicator")
    HealthContributor transportHealthIndicator(Map<String, Transport> transports,
            ObjectProvider<TransportProperties> properties) {
        TransportProperties p = properties.getIfAvailable(TransportProperties::new);
        boolean outOfService = p.getHealth().isOutOfServiceOnAcquireTimeouts();
        if (transports.size() == 1) {
            return new TransportHealthIndicator(transports.values().iterator().next(), outOfService);
        }
        Map<String, TransportHealthIndicator> indicators = new LinkedHashMap<>();
        transports.forEach((name, transport) -> indicators.put(name, new TransportHealthIndicator(transport, outOfService)));
        return CompositeHealthContributor.fromMap(indicators);
    }
}
