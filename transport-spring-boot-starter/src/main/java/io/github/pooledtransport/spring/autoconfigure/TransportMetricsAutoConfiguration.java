package io.github.pooledtransport.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.actuate.TransportMetrics;

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
        before = TransportAutoConfiguration.class)
@ConditionalOnClass({ MeterRegistry.class, Transport.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "transport.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TransportProperties.class)
public final class TransportMetricsAutoConfiguration {

    /** Also a listener of the transport, which is created after it and reports acquire and dial times to it. */
    @Bean
    @ConditionalOnMissingBean
    TransportMetrics transportMetrics(ObjectProvider<Transport> transport, TransportProperties properties) {
        return new TransportMetrics(transport, TransportConfigFactory.maxHostTags(properties));
    }
}
