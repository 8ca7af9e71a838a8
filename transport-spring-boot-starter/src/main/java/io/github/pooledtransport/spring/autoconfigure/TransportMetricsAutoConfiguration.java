package io.github.pooledtransport.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.actuate.TransportMeters;

/**
 * Micrometer meters of the pool: gauges {@code transport.pool.connections} (state, host),
 * {@code transport.pool.waiting} and {@code transport.pool.limit}, counters {@code transport.pool.opened|reused|closed},
 * {@code transport.pool.acquire.timeouts}, {@code transport.replays}, {@code transport.cancellations},
 * {@code transport.call.timeouts}, and timers {@code transport.pool.acquire}, {@code transport.dns},
 * {@code transport.connect} and {@code transport.tls.handshake}; see {@code docs/actuator.md}.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" },
        after = TransportAutoConfiguration.class)
@ConditionalOnClass({ MeterRegistry.class, Transport.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "transport.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TransportProperties.class)
public final class TransportMetricsAutoConfiguration {

    /** One {@code TransportMetrics} per {@link Transport} bean, tagged with its name. */
    @Bean
    @ConditionalOnMissingBean
    TransportMeters transportMeters(ListableBeanFactory beans, ObjectProvider<Transport> transports,
            TransportProperties properties) {
        return new TransportMeters(beans, transports, TransportConfigFactory.maxHostTags(properties));
    }
}
