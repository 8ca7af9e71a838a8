package io.github.pooledtransport.spring.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.InetAddressFilter;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.http.ConnectorThreads;
import io.github.pooledtransport.spring.http.TransportClientHttpConnectorBuilder;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactoryBuilder;

/**
 * Makes the transport the connector of every {@code WebClient.Builder} and reactive HTTP service client that
 * Spring Boot configures, so reactive and blocking clients share one pool. Present only with Spring WebFlux and
 * Reactor on the classpath (both optional dependencies of the starter). Backs off when the application defines
 * its own {@code ClientHttpConnectorBuilder}, chose a connector with {@code spring.http.clients.reactive.connector},
 * or has several {@link Transport} beans and none is {@code @Primary}.
 */
@AutoConfiguration(after = TransportAutoConfiguration.class,
        beforeName = "org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration")
@ConditionalOnClass(name = { "reactor.core.publisher.Mono",
    "org.springframework.web.reactive.function.client.WebClient" })
@ConditionalOnBooleanProperty(name = "transport.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(Transport.class)
@EnableConfigurationProperties(TransportProperties.class)
public final class TransportReactiveAutoConfiguration {

    static final String MAX_THREADS_PROPERTY = "transport.reactive.max-threads";

    /** Virtual threads on Java 21+, else bounded pools; closed with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    ConnectorThreads transportConnectorThreads(TransportProperties properties) {
        return ConnectorThreads.create(properties.getReactive().getMaxThreads());
    }

    /**
     * Boot applies {@code ClientHttpConnectorBuilderCustomizer} beans only to the builder it creates, which this one
     * replaces: they are applied here instead, in order, each only when its generic type accepts the builder.
     */
    @Bean
    @ConditionalOnMissingBean(ClientHttpConnectorBuilder.class)
    @Conditional(NoExplicitConnectorCondition.class)
    ClientHttpConnectorBuilder<?> transportClientHttpConnectorBuilder(Transport transport,
            ObjectProvider<InetAddressFilter> addressFilter, ConnectorThreads threads,
            ObjectProvider<ClientHttpConnectorBuilderCustomizer<?>> customizers, Environment environment,
            ObjectProvider<HttpClientSettings> httpClientSettings) {
        TransportClientHttpRequestFactoryBuilder settings = new TransportClientHttpRequestFactoryBuilder(transport,
                addressFilter.getIfAvailable(),
                HttpClientSettingsPropertyOrigin.of(environment, httpClientSettings.getIfAvailable()));
        return customize(new TransportClientHttpConnectorBuilder(settings, threads, MAX_THREADS_PROPERTY),
                customizers.orderedStream().toList());
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static ClientHttpConnectorBuilder<?> customize(ClientHttpConnectorBuilder<?> builder,
            List<ClientHttpConnectorBuilderCustomizer<?>> customizers) {
        ClientHttpConnectorBuilder<?>[] result = { builder };
        LambdaSafe.callbacks(ClientHttpConnectorBuilderCustomizer.class, customizers, builder)
                .withLogger(TransportReactiveAutoConfiguration.class)
                .invoke((customizer) -> result[0] = customizer.customize(result[0]));
        return result[0];
    }
}
