package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.client.ClientHttpRequestFactory;

import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactory;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactoryBuilder;

/**
 * Boot's {@link ClientHttpRequestFactoryBuilderCustomizer} beans reach the transport's builder: in order, and only
 * when their generic type accepts it.
 */
class TransportBuilderCustomizersTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TransportAutoConfiguration.class,
                    HttpClientAutoConfiguration.class, ImperativeHttpClientAutoConfiguration.class))
            .withBean(Calls.class);

    @Test
    void runWithCustomizersShouldApplyThemToOurBuilderInOrder() {
        this.runner.withUserConfiguration(TwoCustomizers.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Calls.class).names).containsExactly("first", "second");
        });
    }

    @Test
    void runWithCustomizerForAnotherBuilderTypeShouldSkipIt() {
        this.runner.withUserConfiguration(JdkCustomizer.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Calls.class).names).isEmpty();
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isInstanceOf(TransportClientHttpRequestFactoryBuilder.class);
        });
    }

    @Test
    void runWithCustomizerThatWrapsTheBuilderShouldHaveItsFactoryCustomizerApplied() {
        this.runner.withUserConfiguration(WrappingCustomizer.class).run(context -> {
            ClientHttpRequestFactory factory = context.getBean(ClientHttpRequestFactoryBuilder.class).build();
            assertThat(factory).isInstanceOf(TransportClientHttpRequestFactory.class);
            assertThat(context.getBean(Calls.class).names).containsExactly("factory built");
        });
    }

    static class Calls {

        final List<String> names = new ArrayList<>();
    }

    /** Typed for our builder; records its name when called. */
    static class Recording implements ClientHttpRequestFactoryBuilderCustomizer<TransportClientHttpRequestFactoryBuilder>,
            Ordered {

        private final Calls calls;

        private final String name;

        private final int order;

        Recording(Calls calls, String name, int order) {
            this.calls = calls;
            this.name = name;
            this.order = order;
        }

        @Override
        public TransportClientHttpRequestFactoryBuilder customize(TransportClientHttpRequestFactoryBuilder builder) {
            this.calls.names.add(this.name);
            return builder;
        }

        @Override
        public int getOrder() {
            return this.order;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoCustomizers {

        @Bean
        Recording second(Calls calls) {
            return new Recording(calls, "second", 2);
        }

        @Bean
        Recording first(Calls calls) {
            return new Recording(calls, "first", 1);
        }
    }

    /** Typed for the JDK builder: casting ours to it would fail, so it must not be called. */
    static class JdkOnly implements ClientHttpRequestFactoryBuilderCustomizer<JdkClientHttpRequestFactoryBuilder> {

        private final Calls calls;

        JdkOnly(Calls calls) {
            this.calls = calls;
        }

        @Override
        public JdkClientHttpRequestFactoryBuilder customize(JdkClientHttpRequestFactoryBuilder builder) {
            this.calls.names.add("jdk");
            return builder.withCustomizer(factory -> factory.setReadTimeout(1));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class JdkCustomizer {

        @Bean
        JdkOnly jdkOnly(Calls calls) {
            return new JdkOnly(calls);
        }
    }

    /** Typed for any builder, as Boot's documentation shows: wraps it to customize each factory built. */
    static class AnyBuilder implements ClientHttpRequestFactoryBuilderCustomizer<ClientHttpRequestFactoryBuilder<?>> {

        private final Calls calls;

        AnyBuilder(Calls calls) {
            this.calls = calls;
        }

        @Override
        public ClientHttpRequestFactoryBuilder<?> customize(ClientHttpRequestFactoryBuilder<?> builder) {
            return builder.withCustomizer(factory -> this.calls.names.add("factory built"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WrappingCustomizer {

        @Bean
        AnyBuilder anyBuilder(Calls calls) {
            return new AnyBuilder(calls);
        }
    }
}
