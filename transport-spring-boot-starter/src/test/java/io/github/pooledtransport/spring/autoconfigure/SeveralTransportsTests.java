package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.web.client.RestClient;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.spring.actuate.TransportEndpoint;
import io.github.pooledtransport.spring.http.TransportClientHttpConnectorBuilder;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactory;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactoryBuilder;

/**
 * An application with several {@link Transport} beans starts; the clients use the {@code @Primary} one (or none,
 * with a WARN), and the endpoint, health and meters show each by bean name.
 */
@ExtendWith(OutputCaptureExtension.class)
class SeveralTransportsTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TransportAutoConfiguration.class,
                    TransportReactiveAutoConfiguration.class, TransportActuatorAutoConfiguration.class,
                    TransportHealthAutoConfiguration.class, MetricsAutoConfiguration.class,
                    TransportMetricsAutoConfiguration.class, HttpClientAutoConfiguration.class,
                    ImperativeHttpClientAutoConfiguration.class, ReactiveHttpClientAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=transport")
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

    private final MockWebServer server = new MockWebServer();

    @BeforeEach
    void start() throws IOException {
        this.server.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        this.server.close();
    }

    @Test
    void clientsUseThePrimaryTransport() {
        this.runner.withUserConfiguration(PrimaryAndPartner.class).run((context) -> {
            assertThat(context).hasNotFailed();
            Transport main = context.getBean("main", Transport.class);
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isInstanceOfSatisfying(TransportClientHttpRequestFactoryBuilder.class,
                            (builder) -> assertThat(builder.getTransport()).isSameAs(main));
            assertThat(context.getBean(ClientHttpConnectorBuilder.class))
                    .isInstanceOf(TransportClientHttpConnectorBuilder.class);
        });
    }

    @Test
    void withoutAPrimaryTheClientBuildersStepAsideAndAWarningNamesTheBeans(CapturedOutput output) {
        this.runner.withUserConfiguration(TwoPeers.class).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(TransportClientHttpRequestFactoryBuilder.class);
            assertThat(context).doesNotHaveBean(TransportClientHttpConnectorBuilder.class);
            assertThat(output).contains("Found 2 Transport beans [left, right] and none is @Primary");
        });
    }

    @Test
    void oneTransportGivesNoWarning(CapturedOutput output) {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(TransportClientHttpRequestFactoryBuilder.class);
            assertThat(output).doesNotContain("Transport beans");
        });
    }

    @Test
    void endpointShowsEveryTransportByNameAndActsOnOne() {
        this.server.enqueue(new MockResponse.Builder().body("a").build());
        this.server.enqueue(new MockResponse.Builder().body("b").build());
        this.runner.withUserConfiguration(PrimaryAndPartner.class).run((context) -> {
            get(context.getBean("main", Transport.class));
            get(context.getBean("partner", Transport.class));
            TransportEndpoint endpoint = context.getBean(TransportEndpoint.class);

            assertThat(endpoint.transports().transports()).containsOnlyKeys("main", "partner");
            assertThat(endpoint.transport("partner").totals().idle()).isEqualTo(1);
            assertThat(endpoint.transport("nope")).isNull();
            assertThat(endpoint.closeIdleConnectionsOf("partner").getBody().closedIdleConnections()).isEqualTo(1);
            assertThat(endpoint.closeIdleConnectionsOf("nope").getStatus()).isEqualTo(404);
            assertThat(endpoint.transport("main").totals().idle()).isEqualTo(1);
            assertThat(endpoint.closeIdleConnections().transports()).containsEntry("main", 1).containsEntry("partner", 0);
        });
    }

    @Test
    void endpointShowsTransportPropertiesOnlyForTheStartersOwnTransport() {
        this.runner.withPropertyValues("transport.proxy.url=http://proxy.example.test:3128").run((context) -> {
            assertThat(context.getBean(TransportEndpoint.class).transport("transport").config()).containsKey("proxy");
        });
        this.runner.withPropertyValues("transport.proxy.url=http://proxy.example.test:3128")
                .withBean("transport", Transport.class, () -> new Transport(TransportConfig.defaults()))
                .run((context) -> assertThat(context.getBean(TransportEndpoint.class).transport("transport").config())
                        .doesNotContainKey("proxy"));
    }

    @Test
    void healthHasAComponentPerTransport() {
        this.runner.withUserConfiguration(PrimaryAndPartner.class).run((context) -> {
            HealthContributor health = context.getBean("transportHealthIndicator", HealthContributor.class);
            assertThat(health).isInstanceOfSatisfying(CompositeHealthContributor.class, (composite) -> {
                assertThat(composite.getContributor("main")).isNotNull();
                assertThat(composite.getContributor("partner")).isNotNull();
            });
        });
    }

    @Test
    void metersOfEachTransportCarryItsName() {
        this.server.enqueue(new MockResponse.Builder().body("a").build());
        this.server.enqueue(new MockResponse.Builder().body("b").build());
        this.server.enqueue(new MockResponse.Builder().body("c").build());
        this.runner.withUserConfiguration(PrimaryAndPartner.class).run((context) -> {
            get(context.getBean("main", Transport.class));
            get(context.getBean("partner", Transport.class));
            get(context.getBean("partner", Transport.class));
            MeterRegistry registry = context.getBean(MeterRegistry.class);

            assertThat(registry.get("transport.pool.opened").tag("name", "main").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("transport.pool.reused").tag("name", "partner").functionCounter().count())
                    .isEqualTo(1);
            assertThat(registry.get("transport.pool.acquire").tag("name", "partner").timer().count()).isEqualTo(2);
        });
    }

    @Test
    void configCustomizerAdjustsTheStartersTransport() {
        this.runner.withBean(TransportConfigCustomizer.class, () -> (builder) -> builder.maxConnsPerHost(7))
                .withPropertyValues("transport.max-conns-per-host=3")
                .run((context) -> assertThat(context.getBean(Transport.class).config().maxConnsPerHost()).isEqualTo(7));
    }

    private void get(Transport transport) {
        RestClient.builder().requestFactory(new TransportClientHttpRequestFactory(transport)).build().get()
                .uri("http://127.0.0.1:" + this.server.getPort() + "/").retrieve().body(String.class);
    }

    @Configuration(proxyBeanMethods = false)
    static class PrimaryAndPartner {

        @Bean(destroyMethod = "close")
        @Primary
        Transport main() {
            return new Transport(TransportConfig.defaults());
        }

        @Bean(destroyMethod = "close")
        Transport partner() {
            return new Transport(TransportConfig.builder().readTimeout(Duration.ofSeconds(5)).build());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoPeers {

        @Bean(destroyMethod = "close")
        Transport left() {
            return new Transport(TransportConfig.defaults());
        }

        @Bean(destroyMethod = "close")
        Transport right() {
            return new Transport(TransportConfig.defaults());
        }
    }
}
