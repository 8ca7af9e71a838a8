package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.github.pooledtransport.core.AcquireTimeoutException;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.actuate.TransportHealthIndicator;

/**
 * The {@code transport} health indicator and its switches.
 */
class TransportHealthAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(TransportAutoConfiguration.class, TransportHealthAutoConfiguration.class));

    @Test
    void runByDefaultShouldHaveTransportHealthIndicator() {
        this.runner.run(context -> {
            assertThat(context).hasSingleBean(TransportHealthIndicator.class);
            assertThat(context).hasBean("transportHealthIndicator");
        });
    }

    @Test
    void runWhenHealthIndicatorIsDisabledShouldNotHaveIt() {
        this.runner.withPropertyValues("management.health.transport.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TransportHealthIndicator.class));
    }

    @Test
    void runWhenDefaultHealthIndicatorsAreDisabledShouldNotHaveIt() {
        this.runner.withPropertyValues("management.health.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TransportHealthIndicator.class));
    }

    @Test
    void runWhenTransportIsDisabledShouldNotHaveHealthIndicator() {
        this.runner.withPropertyValues("transport.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TransportHealthIndicator.class));
    }

    @Test
    void runWithUserDefinedIndicatorOfTheSameNameShouldBackOff() {
        this.runner.withBean("transportHealthIndicator", HealthIndicator.class,
                () -> () -> org.springframework.boot.health.contributor.Health.unknown().build())
                .run(context -> assertThat(context).doesNotHaveBean(TransportHealthIndicator.class));
    }

    @Test
    void healthShouldBeUpWhileTheTransportIsOpen() {
        this.runner.run(context -> assertThat(context.getBean(TransportHealthIndicator.class).health().getStatus())
                .isEqualTo(Status.UP));
    }

    @Test
    void healthShouldBeDownOnceTheTransportIsClosed() {
        this.runner.run(context -> {
            context.getBean(Transport.class).close();
            assertThat(context.getBean(TransportHealthIndicator.class).health().getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void outOfServiceOnAcquireTimeoutsShouldReportOutOfServiceAfterAnAcquireTimeout() throws IOException {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().body("held").build());
            server.start(InetAddress.getLoopbackAddress(), 0);
            this.runner.withPropertyValues("transport.health.out-of-service-on-acquire-timeouts=true",
                    "transport.max-conns-per-host=1", "transport.acquire-timeout=100ms").run(context -> {
                        Transport transport = context.getBean(Transport.class);
                        URI uri = URI.create("http://127.0.0.1:" + server.getPort() + "/");
                        try (Response held = transport.roundTrip(Request.get(uri))) {
                            assertThatExceptionOfType(AcquireTimeoutException.class)
                                    .isThrownBy(() -> transport.roundTrip(Request.get(uri)));
                            assertThat(context.getBean(TransportHealthIndicator.class).health().getStatus())
                                    .isEqualTo(Status.OUT_OF_SERVICE);
                        }
                    });
        }
    }

    @Test
    void acquireTimeoutsShouldNotChangeTheStatusByDefault() throws IOException {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().body("held").build());
            server.start(InetAddress.getLoopbackAddress(), 0);
            this.runner.withPropertyValues("transport.max-conns-per-host=1", "transport.acquire-timeout=100ms")
                    .run(context -> {
                        Transport transport = context.getBean(Transport.class);
                        URI uri = URI.create("http://127.0.0.1:" + server.getPort() + "/");
                        try (Response held = transport.roundTrip(Request.get(uri))) {
                            assertThatExceptionOfType(AcquireTimeoutException.class)
                                    .isThrownBy(() -> transport.roundTrip(Request.get(uri)));
                            assertThat(context.getBean(TransportHealthIndicator.class).health().getStatus())
                                    .isEqualTo(Status.UP);
                        }
                    });
        }
    }
}
