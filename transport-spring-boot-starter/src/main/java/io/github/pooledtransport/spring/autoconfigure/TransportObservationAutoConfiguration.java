package io.github.pooledtransport.spring.autoconfigure;

import java.util.function.Function;

import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.actuate.TransportMeters;
import io.github.pooledtransport.spring.observation.TransportObservations;

/**
 * Observations {@code transport.connection.acquire} and {@code transport.connection.dial} of calls made under an
 * observation (Spring's {@code http.client.requests}), so a trace shows the wait for a connection and the dial as
 * spans under the call; see {@code docs/observability.md}. Their {@code host} key is the pool meters' host tag
 * when metrics are on, so both stay within {@code transport.metrics.max-host-tags}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        before = TransportAutoConfiguration.class)
@ConditionalOnClass({ ObservationRegistry.class, Transport.class })
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "transport.enabled", matchIfMissing = true)
public final class TransportObservationAutoConfiguration {

    /** With Micrometer's meters on the classpath: the host key takes the pool meters' host tag. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class HostTagsOfMetrics {

        @Bean
        @ConditionalOnMissingBean
        TransportObservations transportObservations(ObservationRegistry registry,
                ObjectProvider<TransportMeters> meters) {
            TransportMeters hostTags = meters.getIfAvailable();
            Function<HostKey, String> hostTag = (hostTags != null) ? hostTags::hostTag : HostKey::toString;
            return new TransportObservations(registry, hostTag);
        }
    }

    /** Observations without meters (micrometer-observation alone). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("io.micrometer.core.instrument.MeterRegistry")
    static class HostKeysAsTheyAre {

        @Bean
        @ConditionalOnMissingBean
        TransportObservations transportObservations(ObservationRegistry registry) {
            return new TransportObservations(registry, HostKey::toString);
        }
    }
}
