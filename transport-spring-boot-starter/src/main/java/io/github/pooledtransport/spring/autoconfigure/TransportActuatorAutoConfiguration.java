package io.github.pooledtransport.spring.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.actuate.TransportEndpoint;

/**
 * The {@code transport} Actuator endpoint.
 */
@AutoConfiguration(after = TransportAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(Transport.class)
@ConditionalOnAvailableEndpoint(TransportEndpoint.class)
public final class TransportActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TransportEndpoint transportEndpoint(Transport transport, ObjectProvider<TransportProperties> properties) {
        return new TransportEndpoint(transport,
                TransportConfigDescriptor.describe(transport.config(), properties.getIfAvailable()));
    }
}
