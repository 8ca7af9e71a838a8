package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.InetAddress;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.InetAddressFilter;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactory;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactoryBuilder;

/**
 * When {@link TransportAutoConfiguration} contributes its beans, and when it backs off.
 */
class TransportAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TransportAutoConfiguration.class));

    /** With Boot's own HTTP client auto-configurations, to see which builder wins. */
    private final ApplicationContextRunner withBootHttpClients = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TransportAutoConfiguration.class,
                    HttpClientAutoConfiguration.class, ImperativeHttpClientAutoConfiguration.class));

    @Test
    void runByDefaultShouldHaveTransportBean() {
        this.runner.run(context -> assertThat(context).hasSingleBean(Transport.class));
    }

    @Test
    void runByDefaultShouldHaveBuilderOnTheTransportBean() {
        this.runner.run(context -> {
            assertThat(context).hasSingleBean(TransportClientHttpRequestFactoryBuilder.class);
            assertThat(context.getBean(TransportClientHttpRequestFactoryBuilder.class).getTransport())
                    .isSameAs(context.getBean(Transport.class));
        });
    }

    @Test
    void runWithBootHttpClientAutoConfigurationShouldMakeOurBuilderTheOnlyOne() {
        this.withBootHttpClients.run(context -> {
            assertThat(context).hasSingleBean(ClientHttpRequestFactoryBuilder.class);
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isInstanceOf(TransportClientHttpRequestFactoryBuilder.class);
        });
    }

    @Test
    void runWithBootHttpClientAutoConfigurationShouldMakeTheRequestFactoryBeanOurs() {
        this.withBootHttpClients.run(context -> {
            assertThat(context.getBean(ClientHttpRequestFactory.class))
                    .isInstanceOf(TransportClientHttpRequestFactory.class);
            assertThat(((TransportClientHttpRequestFactory) context.getBean(ClientHttpRequestFactory.class))
                    .getTransport()).isSameAs(context.getBean(Transport.class));
        });
    }

    @Test
    void runWithInetAddressFilterBeanShouldApplyItToTheTransport() {
        this.runner.withBean(InetAddressFilter.class, InetAddressFilter::externalAddresses)
                .run(context -> assertThat(context.getBean(Transport.class).config().addressFilter()).isNotNull());
    }

    @Test
    void runWithInetAddressFilterBeanShouldRefuseFilteredAddresses() throws IOException {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().body("should not be reached").build());
            server.start(InetAddress.getLoopbackAddress(), 0);
            this.withBootHttpClients.withBean(InetAddressFilter.class, InetAddressFilter::externalAddresses)
                    .run(context -> {
                        RestClient client = RestClient.builder()
                                .requestFactory(context.getBean(ClientHttpRequestFactory.class)).build();
                        assertThatExceptionOfType(RestClientException.class).isThrownBy(() -> client.get()
                                .uri("http://127.0.0.1:" + server.getPort() + "/").retrieve().body(String.class));
                        assertThat(server.getRequestCount()).isZero();
                    });
        }
    }

    @Test
    void runWhenEnabledPropertyIsFalseShouldNotHaveTransportBean() {
        this.runner.withPropertyValues("transport.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(Transport.class));
    }

    @Test
    void runWhenEnabledPropertyIsFalseShouldNotHaveBuilderBean() {
        this.runner.withPropertyValues("transport.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ClientHttpRequestFactoryBuilder.class));
    }

    @Test
    void runWhenEnabledPropertyIsFalseShouldLeaveBootsDefaultBuilder() {
        this.withBootHttpClients.withPropertyValues("transport.enabled=false").run(context -> {
            assertThat(context).hasSingleBean(ClientHttpRequestFactoryBuilder.class);
            assertThat(context).doesNotHaveBean(TransportClientHttpRequestFactoryBuilder.class);
        });
    }

    @Test
    void runWithUserDefinedRequestFactoryBuilderShouldNotHaveOurBuilder() {
        this.runner.withBean("userBuilder", ClientHttpRequestFactoryBuilder.class, ClientHttpRequestFactoryBuilder::jdk)
                .run(context -> {
                    assertThat(context).hasSingleBean(ClientHttpRequestFactoryBuilder.class);
                    assertThat(context).doesNotHaveBean(TransportClientHttpRequestFactoryBuilder.class);
                    assertThat(context).hasBean("userBuilder");
                });
    }

    @Test
    void runWithUserDefinedRequestFactoryBuilderShouldStillHaveTransportBean() {
        this.runner.withBean("userBuilder", ClientHttpRequestFactoryBuilder.class, ClientHttpRequestFactoryBuilder::jdk)
                .run(context -> assertThat(context).hasSingleBean(Transport.class));
    }

    @Test
    void runWhenImperativeFactoryPropertyIsSetShouldNotHaveOurBuilder() {
        this.runner.withPropertyValues("spring.http.clients.imperative.factory=jdk")
                .run(context -> assertThat(context).doesNotHaveBean(TransportClientHttpRequestFactoryBuilder.class));
    }

    @Test
    void runWhenImperativeFactoryPropertyIsSetShouldLetBootCreateTheChosenBuilder() {
        this.withBootHttpClients.withPropertyValues("spring.http.clients.imperative.factory=jdk").run(context -> {
            assertThat(context).hasSingleBean(ClientHttpRequestFactoryBuilder.class);
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isInstanceOf(JdkClientHttpRequestFactoryBuilder.class);
        });
    }

    @Test
    void runWithUserDefinedTransportShouldUseItInsteadOfOurs() {
        Transport userTransport = new Transport(TransportConfig.builder().maxIdleConns(3).maxIdleConnsPerHost(3).build());
        try {
            this.runner.withBean("userTransport", Transport.class, () -> userTransport).run(context -> {
                assertThat(context).hasSingleBean(Transport.class);
                assertThat(context.getBean(Transport.class)).isSameAs(userTransport);
                assertThat(context.getBean(TransportClientHttpRequestFactoryBuilder.class).getTransport())
                        .isSameAs(userTransport);
            });
        }
        finally {
            userTransport.close();
        }
    }

    @Test
    void runWithoutTransportOnTheClassPathShouldNotHaveTransportBean() {
        this.runner.withClassLoader(new FilteredClassLoader(Transport.class))
                .run(context -> assertThat(context).doesNotHaveBean(Transport.class));
    }

    @Test
    void runWithoutTransportOnTheClassPathShouldNotHaveBuilderBean() {
        this.runner.withClassLoader(new FilteredClassLoader(Transport.class))
                .run(context -> assertThat(context).doesNotHaveBean(ClientHttpRequestFactoryBuilder.class));
    }

    @Test
    void runWithoutTransportOnTheClassPathShouldNotBindTransportProperties() {
        this.runner.withClassLoader(new FilteredClassLoader(Transport.class))
                .run(context -> assertThat(context).doesNotHaveBean(TransportProperties.class));
    }

    @Test
    void closingTheContextShouldCloseTheTransport() {
        Transport[] holder = new Transport[1];
        this.runner.run(context -> holder[0] = context.getBean(Transport.class));
        assertThat(holder[0].stats().closed()).isTrue();
    }
}
