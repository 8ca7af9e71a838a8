package io.github.pooledtransport.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
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
@ConditionalOnBooleanProperty(name = "transport.enabled", matchIfMissing = true)
@ConditionalOnAvailableEndpoint(TransportEndpoint.class)
public final class TransportActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TransportEndpoint transportEndpoint(Map<String, Transport> transports,
            ObjectProvider<TransportProperties> properties, ConfigurableListableBeanFactory beans) {
        Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
        transports.forEach((name, transport) -> configs.put(name, TransportConfigDescriptor.describe(
                transport.config(), isStarters(beans, name) ? properties.getIfAvailable() : null)));
        return new TransportEndpoint(transports, configs);
    }

    /** transport.* (its proxy and TLS settings shown) configures only the transport the starter created. */
    private static boolean isStarters(ConfigurableListableBeanFactory beans, String name) {
        if (!beans.containsBeanDefinition(name)) {
            return false;
        }
        BeanDefinition definition = beans.getBeanDefinition(name);
        return definition instanceof AnnotatedBeanDefinition annotated && annotated.getFactoryMethodMetadata() != null
                && TransportAutoConfiguration.class.getName()
                        .equals(annotated.getFactoryMethodMetadata().getDeclaringClassName());
    }
}
