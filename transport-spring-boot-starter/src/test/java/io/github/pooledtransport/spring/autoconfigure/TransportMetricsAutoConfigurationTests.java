package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;

import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.actuate.TransportMeters;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactoryBuilder;

/**
 * Pool meters: created when a {@link MeterRegistry} exists, fed by requests, host tags bounded.
 */
class TransportMetricsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                    TransportMetricsAutoConfiguration.class, TransportAutoConfiguration.class));

    private final ApplicationContextRunner withRegistry = this.runner.withBean(MeterRegistry.class,
            SimpleMeterRegistry::new);

    private final List<MockWebServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        this.servers.forEach(MockWebServer::close);
    }

    private MockWebServer server() throws IOException {
        MockWebServer server = new MockWebServer();
        server.enqueue(new MockResponse.Builder().body("ok").build());
        server.start(InetAddress.getLoopbackAddress(), 0);
        this.servers.add(server);
        return server;
    }

    private static void get(AssertableApplicationContext context, MockWebServer server) {
        RestClient.builder()
                .requestFactory(context.getBean(TransportClientHttpRequestFactoryBuilder.class).build())
                .build()
                .get().uri("http://127.0.0.1:" + server.getPort() + "/")
                .retrieve().body(String.class);
    }

    private static String host(MockWebServer server) {
        return "http://127.0.0.1:" + server.getPort();
    }

    @Test
    void runWithoutMeterRegistryShouldNotHaveTransportMetrics() {
        this.runner.run(context -> assertThat(context).doesNotHaveBean(TransportMeters.class));
    }

    @Test
    void runWithMeterRegistryShouldHaveTransportMetrics() {
        this.withRegistry.run(context -> assertThat(context).hasSingleBean(TransportMeters.class));
    }

    @Test
    void runWhenTransportIsDisabledShouldNotHaveTransportMetrics() {
        this.withRegistry.withPropertyValues("transport.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TransportMeters.class));
    }

    @Test
    void requestShouldLeaveOneIdleConnectionGauge() throws IOException {
        MockWebServer server = server();
        this.withRegistry.run(context -> {
            get(context, server);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            Gauge idle = registry.find("transport.pool.connections").tag("state", "idle").tag("host", host(server))
                    .gauge();
            assertThat(idle).isNotNull();
            assertThat(idle.value()).isEqualTo(1.0);
        });
    }

    @Test
    void requestShouldCountOneOpenedConnection() throws IOException {
        MockWebServer server = server();
        this.withRegistry.run(context -> {
            get(context, server);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("transport.pool.opened").tag("host", host(server)).functionCounter()
                    .count()).isEqualTo(1.0);
        });
    }

    @Test
    void requestShouldRecordTheAcquireTimer() throws IOException {
        MockWebServer server = server();
        this.withRegistry.run(context -> {
            get(context, server);
            Timer acquire = context.getBean(MeterRegistry.class).find("transport.pool.acquire")
                    .tag("host", host(server)).timer();
            assertThat(acquire).isNotNull();
            assertThat(acquire.count()).isEqualTo(1);
        });
    }

    @Test
    void requestShouldRecordASuccessfulDial() throws IOException {
        MockWebServer server = server();
        this.withRegistry.run(context -> {
            get(context, server);
            Timer dial = context.getBean(MeterRegistry.class).find("transport.connect").tag("outcome", "success")
                    .timer();
            assertThat(dial).isNotNull();
            assertThat(dial.count()).isEqualTo(1);
        });
    }

    @Test
    void hostsBeyondMaxHostTagsShouldShareTheOtherTag() throws IOException {
        MockWebServer first = server();
        MockWebServer second = server();
        MockWebServer third = server();
        this.withRegistry.withPropertyValues("transport.metrics.max-host-tags=2").run(context -> {
            get(context, first);
            get(context, second);
            get(context, third);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            Set<String> hostTags = registry.find("transport.pool.connections").meters().stream()
                    .map(meter -> meter.getId().getTag("host")).collect(Collectors.toSet());
            assertThat(hostTags).containsExactlyInAnyOrder(host(first), host(second), "other");
        });
    }

    @Test
    void otherTagShouldSumTheHostsBeyondTheLimit() throws IOException {
        MockWebServer first = server();
        MockWebServer second = server();
        MockWebServer third = server();
        this.withRegistry.withPropertyValues("transport.metrics.max-host-tags=1").run(context -> {
            get(context, first);
            get(context, second);
            get(context, third);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("transport.pool.connections").tag("host", "other").tag("state", "idle").gauge()
                    .value()).isEqualTo(2.0);
            assertThat(registry.get("transport.pool.opened").tag("host", "other").functionCounter()
                    .count()).isEqualTo(2.0);
        });
    }

    @Test
    void aHostWhoseEntryExpiredTakesItsMetersAndFreesItsTagSlot() throws IOException {
        MockWebServer first = server();
        MockWebServer second = server();
        MockWebServer third = server();
        // The idle-conn-timeout is also how long an empty host entry lives.
        // One tag of its own: the second host shares "other", and only the first host's expiry frees a slot.
        this.withRegistry.withPropertyValues("transport.metrics.max-host-tags=1", "transport.idle-conn-timeout=500ms")
                .run(context -> {
                    get(context, first);
                    get(context, second);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    Transport transport = context.getBean(Transport.class);
                    assertThat(registry.find("transport.pool.opened").tag("host", host(first)).meters()).hasSize(1);
                    assertThat(registry.find("transport.pool.opened").tag("host", "other").meters()).hasSize(1);

                    transport.closeIdleConnections();
                    HostKey firstKey = HostKey.of(java.net.URI.create(host(first) + "/"));
                    java.util.function.BooleanSupplier metersGone = () -> registry.getMeters().stream()
                            .noneMatch(m -> host(first).equals(m.getId().getTag("host")));
                    for (int i = 0; i < 10_000 && (transport.hostStats(firstKey) != null || !metersGone.getAsBoolean());
                            i++) {
                        // Bounded poll: the evictor drops the entry 500 ms after it emptied, then tells the listeners.
                        Thread.sleep(1);
                    }
                    assertThat(transport.hostStats(firstKey)).as("the entry expired").isNull();
                    assertThat(registry.getMeters()).as("no meter of the expired host is left")
                            .noneMatch(m -> host(first).equals(m.getId().getTag("host")));
                    assertThat(transport.stats().totals().opened()).as("totals keep its counts").isEqualTo(2);

                    get(context, third);
                    assertThat(registry.find("transport.pool.opened").tag("host", host(third)).meters())
                            .as("the freed slot goes to the next host, not to 'other'").hasSize(1);
                });
    }

    @Test
    void metersShouldNotBeRegisteredForHostsNeverUsed() {
        this.withRegistry.run(context -> {
            List<Meter> meters = context.getBean(MeterRegistry.class).find("transport.pool.connections").meters()
                    .stream().toList();
            assertThat(meters).isEmpty();
        });
    }

    @Test
    void noMeterNameCarriesItsUnit() throws IOException {
        MockWebServer server = server();
        this.withRegistry.run(context -> {
            get(context, server);
            List<Meter> meters = context.getBean(MeterRegistry.class).getMeters().stream()
                    .filter(m -> m.getId().getName().startsWith("transport.")).toList();
            assertThat(meters).hasSizeGreaterThan(20);
            for (Meter meter : meters) {
                String name = meter.getId().getName();
                String unit = meter.getId().getBaseUnit();
                List<String> words = List.of(name.split("\\."));
                assertThat(unit).as(name + " has a base unit").isNotNull();
                // As Prometheus renders it: the unit is appended unless the name already ends with it
                // (transport_pool_opened_connections_total, transport_pool_connections).
                List<String> rendered = new ArrayList<>(words);
                if (!words.get(words.size() - 1).equals(unit)) {
                    rendered.add(unit);
                }
                assertThat(java.util.Collections.frequency(rendered, unit)).as(name + " (unit " + unit + ")")
                        .isEqualTo(1);
                assertThat(words).as(name).doesNotContain("total", "count");
            }
        });
    }

    @Test
    void requestsAndConnectionsAreCountedInTheirOwnUnits() throws IOException {
        MockWebServer server = server();
        this.withRegistry.run(context -> {
            get(context, server);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("transport.pool.opened").functionCounter().getId().getBaseUnit())
                    .isEqualTo("connections");
            assertThat(registry.get("transport.pool.reused").functionCounter().getId().getBaseUnit())
                    .isEqualTo("requests");
            assertThat(registry.get("transport.pool.waiting").gauge().getId().getBaseUnit()).isEqualTo("requests");
            for (String counter : List.of("transport.pool.acquire.timeouts", "transport.replays",
                    "transport.cancellations", "transport.call.timeouts", "transport.pool.stream.waits",
                    "transport.pool.stream.wait.timeouts", "transport.pool.stream.leaks")) {
                assertThat(registry.get(counter).tag("host", host(server)).functionCounter().count()).as(counter)
                        .isZero();
                assertThat(registry.get(counter).functionCounter().getId().getBaseUnit()).as(counter)
                        .isEqualTo("requests");
            }
        });
    }

    @Test
    void limitsAreGaugesPerHostWithTheirOverrides() throws IOException {
        MockWebServer server = server();
        String override = "transport.hosts[127.0.0.1:" + server.getPort() + "].max-conns-per-host";
        this.withRegistry.withPropertyValues("transport.max-idle-conns-per-host=7")
                .withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                        new org.springframework.core.env.MapPropertySource("override",
                                java.util.Map.of(override, "3"))))
                .run(context -> {
                    get(context, server);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get("transport.pool.limit").tag("host", host(server))
                            .tag("limit", "max-conns-per-host").gauge().value()).isEqualTo(3.0);
                    assertThat(registry.get("transport.pool.limit").tag("host", host(server))
                            .tag("limit", "max-idle-conns-per-host").gauge().value()).isEqualTo(7.0);
                    assertThat(registry.get("transport.pool.limit").tag("host", "all")
                            .tag("limit", "max-idle-conns").gauge().value()).isEqualTo(1024.0);
                });
    }
}
