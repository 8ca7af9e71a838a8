package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.observation.TransportObservations;
import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * Connection observations: made when an {@link ObservationRegistry} exists, given to the transport as its per-call
 * listener factory, keyed by the pool meters' host tags; absent without a registry or with the transport off.
 */
class TransportObservationAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                    TransportMetricsAutoConfiguration.class, TransportObservationAutoConfiguration.class,
                    TransportAutoConfiguration.class));

    @Test
    void anObservationRegistryMakesTheTransportsCallsObserved() {
        this.runner.withBean(ObservationRegistry.class, ObservationRegistry::create).run(context -> {
            assertThat(context).hasSingleBean(TransportObservations.class);
            assertThat(context.getBean(Transport.class).config().callListenerFactories())
                    .containsExactly(context.getBean(TransportObservations.class));
        });
    }

    @Test
    void withoutAnObservationRegistryNothingIsObserved() {
        this.runner.run(context -> {
            assertThat(context).doesNotHaveBean(TransportObservations.class);
            assertThat(context.getBean(Transport.class).config().callListenerFactories()).isEmpty();
        });
    }

    @Test
    void backsOffWhenTheTransportIsOff() {
        this.runner.withBean(ObservationRegistry.class, ObservationRegistry::create)
                .withPropertyValues("transport.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TransportObservations.class));
    }

    @Test
    void theHostKeyIsTheMetersHostTagSoBothShareItsBound() {
        List<Observation.Context> stopped = new CopyOnWriteArrayList<>();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context);
            }
        });
        try (MockWebServer first = WebTestSupport.startEchoServer();
                MockWebServer second = WebTestSupport.startEchoServer()) {
            this.runner.withBean(ObservationRegistry.class, () -> registry)
                    .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                    .withPropertyValues("transport.metrics.max-host-tags=1")
                    .run(context -> {
                        Transport transport = context.getBean(Transport.class);
                        Observation.createNotStarted("http.client.requests", registry).observe(() -> {
                            get(transport, WebTestSupport.url(first));
                            get(transport, WebTestSupport.url(second));
                        });
                    });
            assertThat(stopped).filteredOn(c -> c.getName().equals("transport.connection.acquire"))
                    .extracting(c -> c.getLowCardinalityKeyValue("host").getValue())
                    .containsExactly(WebTestSupport.url(first), "other");
        }
    }

    @Test
    void bootsPerPrefixSwitchTurnsThemOff() {
        List<String> stopped = new CopyOnWriteArrayList<>();
        ObservationHandler<Observation.Context> recorder = new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context.getName());
            }
        };
        try (MockWebServer server = WebTestSupport.startEchoServer()) {
            this.runner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
                    .withBean(ObservationHandler.class, () -> recorder)
                    .withPropertyValues("management.observations.enable.transport.connection=false")
                    .run(context -> {
                        ObservationRegistry registry = context.getBean(ObservationRegistry.class);
                        Observation.createNotStarted("http.client.requests", registry)
                                .observe(() -> get(context.getBean(Transport.class), WebTestSupport.url(server)));
                    });
        }
        assertThat(stopped).containsExactly("http.client.requests");
    }

    private static void get(Transport transport, String url) {
        try (Response response = transport.roundTrip(Request.get(url + "/"))) {
            response.body().readAllBytes();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
