package io.github.pooledtransport.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

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
 * The {@code transport} Actuator endpoint, showing every {@link Transport} bean by name.
 */
@AutoConfiguration(after = TransportAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(Transport.class)
@ConditionalOnAvailableEndpoint(TransportEndpoint.class)
public final class TransportActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TransportEndpoint transportEndpoint(Map<String, Transport> transports,
            ObjectProvider<TransportProperties> properties) {
        // transport.* configures the transport only when it is the only one: an application that defines its own
        // Transport beans replaces the starter's.
        TransportProperties p = (transports.size() == 1) ? properties.getIfAvailable() : null;
        Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
        transports.forEach((name, transport) -> configs.put(name, TransportConfigDescriptor.describe(transport.config(), p)));
        return new TransportEndpoint(transports, configs);
    }
}
