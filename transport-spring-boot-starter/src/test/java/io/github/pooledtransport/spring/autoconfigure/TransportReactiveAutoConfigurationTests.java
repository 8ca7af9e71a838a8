package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.JdkClientHttpConnectorBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.http.ConnectorThreads;
import io.github.pooledtransport.spring.http.TransportClientHttpConnector;
import io.github.pooledtransport.spring.http.TransportClientHttpConnectorBuilder;

/**
 * When {@link TransportReactiveAutoConfiguration} makes the transport WebClient's connector, and when it steps
 * aside.
 */
class TransportReactiveAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TransportAutoConfiguration.class,
                    TransportReactiveAutoConfiguration.class, HttpClientAutoConfiguration.class,
                    ReactiveHttpClientAutoConfiguration.class, WebClientAutoConfiguration.class));

    @Test
    void webClientBuilderSendsThroughTheTransport() throws IOException {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().body("reactive").build());
            server.start(InetAddress.getLoopbackAddress(), 0);
            this.runner.run((context) -> {
                assertThat(context.getBean(ClientHttpConnectorBuilder.class))
                        .isInstanceOf(TransportClientHttpConnectorBuilder.class);
                assertThat(context.getBean(ClientHttpConnector.class)).isInstanceOfSatisfying(
                        TransportClientHttpConnector.class,
                        (connector) -> assertThat(connector.getTransport()).isSameAs(context.getBean(Transport.class)));
                WebClient client = context.getBean(WebClient.Builder.class).build();

                String body = client.get().uri("http://127.0.0.1:" + server.getPort() + "/").retrieve()
                        .bodyToMono(String.class).block(Duration.ofSeconds(10));

                assertThat(body).isEqualTo("reactive");
                assertThat(context.getBean(Transport.class).stats().totals().requests()).isEqualTo(1);
            });
        }
    }

    @Test
    void explicitReactiveConnectorPropertyMakesTheStarterStepAside() {
        this.runner.withPropertyValues("spring.http.clients.reactive.connector=jdk").run((context) -> {
            assertThat(context.getBean(ClientHttpConnectorBuilder.class)).isInstanceOf(JdkClientHttpConnectorBuilder.class);
            assertThat(context).hasSingleBean(Transport.class);
        });
    }

    @Test
    void applicationConnectorBuilderWins() {
        this.runner.withBean("myBuilder", ClientHttpConnectorBuilder.class, ClientHttpConnectorBuilder::jdk)
                .run((context) -> assertThat(context.getBean(ClientHttpConnectorBuilder.class))
                        .isInstanceOf(JdkClientHttpConnectorBuilder.class));
    }

    @Test
    void connectorBuilderCustomizersAreApplied() {
        AtomicInteger customized = new AtomicInteger();
        ClientHttpConnectorBuilderCustomizer<TransportClientHttpConnectorBuilder> ours = (builder) -> {
            customized.incrementAndGet();
            return builder;
        };
        ClientHttpConnectorBuilderCustomizer<JdkClientHttpConnectorBuilder> forAnotherLibrary = (builder) -> {
            throw new AssertionError("called for a builder it does not accept");
        };
        this.runner.withBean("ours", ClientHttpConnectorBuilderCustomizer.class, () -> ours)
                .withBean("forAnotherLibrary", ClientHttpConnectorBuilderCustomizer.class, () -> forAnotherLibrary)
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(customized).hasValue(1);
                });
    }

    @Test
    void withoutReactorNoReactiveBeans() {
        this.runner.withClassLoader(new FilteredClassLoader(Mono.class)).run((context) -> {
            assertThat(context).hasSingleBean(Transport.class);
            assertThat(context).doesNotHaveBean(ConnectorThreads.class);
            assertThat(context).doesNotHaveBean(TransportClientHttpConnectorBuilder.class);
        });
    }

    @Test
    void connectorThreadsCloseWithTheContext() {
        ConnectorThreads[] threads = new ConnectorThreads[1];
        this.runner.run((context) -> threads[0] = context.getBean(ConnectorThreads.class));
        assertThatThreadsRefuseWork(threads[0]);
    }

    @Test
    void maxThreadsPropertyBoundsThePlatformThreads() {
        this.runner.withPropertyValues("transport.reactive.max-threads=7")
                .run((context) -> assertThat(context.getBean(ConnectorThreads.class).maxThreads()).isEqualTo(7));
    }

    private static void assertThatThreadsRefuseWork(ConnectorThreads threads) {
        try (Transport transport = new Transport(io.github.pooledtransport.core.TransportConfig.defaults())) {
            WebClient client = WebClient.builder().clientConnector(new TransportClientHttpConnector(transport, threads))
                    .build();
            org.assertj.core.api.Assertions.assertThatExceptionOfType(WebClientRequestException.class)
                .isThrownBy(() -> client.get().uri("http://127.0.0.1:9/").retrieve().bodyToMono(String.class)
                        .block(Duration.ofSeconds(10)))
                .withCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class)
                    .withMessageContaining("threads were closed");
        }
    }
}
