package io.github.pooledtransport.spring.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.InetAddressFilter;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

import io.github.pooledtransport.core.CallListener;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportListener;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactoryBuilder;

/**
 * Creates the application's single {@link Transport} from {@code transport.*} and makes it the request factory
 * of every {@code RestClient.Builder}, {@code RestTemplateBuilder} and HTTP service client group that Spring Boot
 * configures. Backs off when {@code transport.enabled=false}, when the application defines its own
 * {@code ClientHttpRequestFactoryBuilder}, or when it chose one with {@code spring.http.clients.imperative.factory}.
 * An application may define its own {@link Transport} beans instead (the starter's then steps aside, as Boot's
 * {@code DataSource} does): the endpoint, health and meters show every one by bean name, and the clients use the
 * single or {@code @Primary} one; with several and none primary they use none, and a WARN says so.
 */
@AutoConfiguration(before = ImperativeHttpClientAutoConfiguration.class,
        afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnClass(Transport.class)
@ConditionalOnBooleanProperty(name = "transport.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TransportProperties.class)
public final class TransportAutoConfiguration {

    /**
     * Closed with the context: idle connections at once, in-flight ones when their responses are closed. Every
     * {@link TransportListener} bean hears the pool's events, and every {@link CallListener.Factory} bean makes a
     * listener for each call (the observations are one).
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Transport transport(TransportProperties properties, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<InetAddressFilter> addressFilter, ObjectProvider<TransportListener> listeners,
            ObjectProvider<CallListener.Factory> callListenerFactories,
            ObjectProvider<TransportConfigCustomizer> customizers) {
        return new Transport(new TransportConfigFactory(properties).create(sslBundles.getIfAvailable(),
                addressFilter.getIfAvailable(), listeners.orderedStream().toList(),
                callListenerFactories.orderedStream().toList(), customizers.orderedStream().toList()));
    }

    /**
     * With several {@link Transport} beans and none {@code @Primary}, the request factory and connector builders
     * step aside (Spring Boot then picks another HTTP client): this says so at start-up, naming the beans.
     */
    @Bean
    static TransportCandidatesReport transportCandidatesReport(ObjectProvider<Transport> transports,
            org.springframework.beans.factory.ListableBeanFactory beans) {
        return new TransportCandidatesReport(transports, beans);
    }

    /**
     * Boot applies {@code ClientHttpRequestFactoryBuilderCustomizer} beans only to the builder it creates, which
     * this one replaces: they are applied here instead, in order, each only when its generic type accepts the
     * builder (as Boot does), so a customizer may also wrap it, for example with {@code withCustomizer}. Its
     * factories name the property behind a timeout or cap that a request reaches.
     */
    @Bean
    @ConditionalOnMissingBean(ClientHttpRequestFactoryBuilder.class)
    @ConditionalOnSingleCandidate(Transport.class)
    @Conditional(NoExplicitRequestFactoryCondition.class)
    ClientHttpRequestFactoryBuilder<?> transportClientHttpRequestFactoryBuilder(Transport transport,
            ObjectProvider<InetAddressFilter> addressFilter,
            ObjectProvider<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers, Environment environment,
            ObjectProvider<HttpClientSettings> httpClientSettings) {
        TransportClientHttpRequestFactoryBuilder builder = new TransportClientHttpRequestFactoryBuilder(transport,
                addressFilter.getIfAvailable(),
                HttpClientSettingsPropertyOrigin.of(environment, httpClientSettings.getIfAvailable()));
        return customize(builder, customizers.orderedStream().toList());
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static ClientHttpRequestFactoryBuilder<?> customize(ClientHttpRequestFactoryBuilder<?> builder,
            List<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers) {
        // The generic filter looks at the builder we start from, as Boot's own auto-configuration does.
        ClientHttpRequestFactoryBuilder<?>[] result = { builder };
        LambdaSafe.callbacks(ClientHttpRequestFactoryBuilderCustomizer.class, customizers, builder)
                .withLogger(TransportAutoConfiguration.class)
                .invoke((customizer) -> result[0] = customizer.customize(result[0]));
        return result[0];
    }

    /**
     * Here rather than with the endpoint: configprops and env must be masked even when the transport endpoint
     * is not exposed.
     */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.SanitizingFunction")
    static class CredentialsSanitizingConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "transportCredentialsSanitizingFunction")
        TransportCredentialsSanitizingFunction transportCredentialsSanitizingFunction() {
            return new TransportCredentialsSanitizingFunction();
        }
    }
}
