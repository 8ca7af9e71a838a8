package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.json.JsonMapper;

import io.github.pooledtransport.spring.actuate.TransportEndpoint;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactoryBuilder;

/**
 * The {@code transport} endpoint exists only when it is available (access not none, and exposed), and its
 * output never carries credentials.
 */
class TransportActuatorAutoConfigurationTests {

    private static final String PASSWORD = "pr0xy-Pa55word";

    private static final String TOKEN = "c0nnect-t0ken";

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(TransportAutoConfiguration.class, TransportActuatorAutoConfiguration.class));

    @Test
    void runWhenEndpointIsNotExposedShouldNotHaveEndpointBean() {
        this.runner.run(context -> assertThat(context).doesNotHaveBean(TransportEndpoint.class));
    }

    @Test
    void runWhenEndpointIsExposedOnTheWebShouldHaveEndpointBean() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport")
                .run(context -> assertThat(context).hasSingleBean(TransportEndpoint.class));
    }

    @Test
    void runWhenAllEndpointsAreExposedShouldHaveEndpointBean() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=*")
                .run(context -> assertThat(context).hasSingleBean(TransportEndpoint.class));
    }

    @Test
    void runWhenEndpointIsExposedButExcludedShouldNotHaveEndpointBean() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=*",
                "management.endpoints.web.exposure.exclude=transport")
                .run(context -> assertThat(context).doesNotHaveBean(TransportEndpoint.class));
    }

    // Access values are upper case: the runner's Environment lacks Boot's lenient enum conversion that
    // SpringApplication installs (in an application, "none" and "read-only" work).

    @Test
    void runWhenEndpointAccessIsNoneShouldNotHaveEndpointBean() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport",
                "management.endpoint.transport.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(TransportEndpoint.class));
    }

    @Test
    void runWhenDefaultEndpointAccessIsNoneShouldNotHaveEndpointBean() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport",
                "management.endpoints.access.default=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(TransportEndpoint.class));
    }

    @Test
    void runWhenEndpointAccessIsReadOnlyShouldHaveEndpointBean() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport",
                "management.endpoint.transport.access=READ_ONLY")
                .run(context -> assertThat(context).hasSingleBean(TransportEndpoint.class));
    }

    @Test
    void runWhenTransportIsDisabledShouldNotHaveEndpointBean() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport", "transport.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TransportEndpoint.class));
    }

    @Test
    void endpointShouldShowTheEffectiveConfiguration() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport",
                "transport.max-idle-conns-per-host=17", "transport.dial-timeout=3s").run(context -> {
                    TransportEndpoint.TransportDescriptor descriptor = context.getBean(TransportEndpoint.class).transport("transport");
                    assertThat(descriptor.config()).containsEntry("maxIdleConnsPerHost", 17)
                            .containsEntry("dialTimeout", "PT3S");
                });
    }

    @Test
    void endpointShouldCountRequestsSentThroughTheBuilder() throws IOException {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().body("a").build());
            server.enqueue(new MockResponse.Builder().body("b").build());
            server.start(InetAddress.getLoopbackAddress(), 0);
            this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport").run(context -> {
                RestClient client = RestClient.builder()
                        .requestFactory(context.getBean(TransportClientHttpRequestFactoryBuilder.class).build())
                        .baseUrl("http://127.0.0.1:" + server.getPort())
                        .build();
                client.get().uri("/1").retrieve().body(String.class);
                client.get().uri("/2").retrieve().body(String.class);
                TransportEndpoint.TransportDescriptor descriptor = context.getBean(TransportEndpoint.class).transport("transport");
                assertThat(descriptor.totals().opened()).isEqualTo(1);
                assertThat(descriptor.totals().reused()).isEqualTo(1);
                assertThat(descriptor.hosts()).singleElement()
                        .satisfies(host -> assertThat(host.key()).isEqualTo("http://127.0.0.1:" + server.getPort()));
            });
        }
    }

    @Test
    void endpointShouldListEachHostsConnectionsWithTheirProtocol() throws IOException {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().body("a").build());
            server.enqueue(new MockResponse.Builder().body("b").build());
            server.start(InetAddress.getLoopbackAddress(), 0);
            this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport").run(context -> {
                RestClient client = RestClient.builder()
                        .requestFactory(context.getBean(TransportClientHttpRequestFactoryBuilder.class).build())
                        .baseUrl("http://127.0.0.1:" + server.getPort())
                        .build();
                client.get().uri("/1").retrieve().body(String.class);
                client.get().uri("/2").retrieve().body(String.class);
                TransportEndpoint.TransportDescriptor descriptor = context.getBean(TransportEndpoint.class)
                        .transport("transport");
                assertThat(descriptor.hosts()).singleElement().satisfies(host -> assertThat(host.connections())
                        .singleElement().satisfies(connection -> {
                            assertThat(connection.protocol()).isEqualTo("HTTP/1.1");
                            assertThat(connection.state()).isEqualTo("idle");
                            assertThat(connection.streams()).isZero();
                            assertThat(connection.requests()).isEqualTo(2);
                            assertThat(connection.retiring()).isNull();
                        }));
            });
        }
    }

    @Test
    void endpointShouldShowAnHttp2ConnectionWithItsStreams() throws IOException {
        try (MockWebServer server = new MockWebServer()) {
            server.setProtocols(java.util.List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE));
            server.enqueue(new MockResponse.Builder().body("a").build());
            server.enqueue(new MockResponse.Builder().body("b").build());
            server.start(InetAddress.getLoopbackAddress(), 0);
            this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport",
                    "transport.protocols=h2c").run(context -> {
                        RestClient client = RestClient.builder()
                                .requestFactory(context.getBean(TransportClientHttpRequestFactoryBuilder.class).build())
                                .baseUrl("http://127.0.0.1:" + server.getPort())
                                .build();
                        client.get().uri("/1").retrieve().body(String.class);
                        client.get().uri("/2").retrieve().body(String.class);
                        TransportEndpoint.TransportDescriptor descriptor = context.getBean(TransportEndpoint.class)
                                .transport("transport");
                        assertThat(descriptor.totals().multiplexed()).isEqualTo(1);
                        assertThat(descriptor.hosts()).singleElement().satisfies(host -> assertThat(
                                host.connections()).singleElement().satisfies(connection -> {
                                    assertThat(connection.protocol()).isEqualTo("HTTP/2");
                                    assertThat(connection.streams()).isZero();
                                    assertThat(connection.streamLimit()).isGreaterThan(1);
                                    assertThat(connection.requests()).isEqualTo(2);
                                }));
                        String json = JsonMapper.builder().build().writeValueAsString(descriptor);
                        assertThat(json).contains("\"protocol\":\"HTTP/2\"").contains("\"streamLimit\":");
                    });
        }
    }

    @Test
    void endpointOutputShouldMaskTheProxyPassword() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport",
                "transport.proxy.url=http://proxy.internal:3128", "transport.proxy.username=alice",
                "transport.proxy.password=" + PASSWORD).run(context -> {
                    String json = JsonMapper.builder().build()
                            .writeValueAsString(context.getBean(TransportEndpoint.class).transport("transport"));
                    assertThat(json).doesNotContain(PASSWORD).contains("\"password\":\"******\"");
                });
    }

    @Test
    void endpointOutputShouldMaskThePasswordInTheProxyUrl() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport",
                "transport.proxy.url=http://alice:" + PASSWORD + "@proxy.internal:3128").run(context -> {
                    String json = JsonMapper.builder().build()
                            .writeValueAsString(context.getBean(TransportEndpoint.class).transport("transport"));
                    assertThat(json).doesNotContain(PASSWORD).contains("http://alice:***@proxy.internal:3128");
                });
    }

    @Test
    void endpointOutputShouldMaskConnectHeaderValues() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport",
                "transport.proxy.url=http://proxy.internal:3128",
                "transport.proxy.connect-headers.X-Proxy-Token=" + TOKEN).run(context -> {
                    String json = JsonMapper.builder().build()
                            .writeValueAsString(context.getBean(TransportEndpoint.class).transport("transport"));
                    assertThat(json).doesNotContain(TOKEN).contains("\"******\"");
                });
    }

    @Test
    void endpointOutputShouldNotShowTheProxyPasswordAfterARequestThroughTheProxy() throws IOException {
        try (MockWebServer proxy = new MockWebServer()) {
            proxy.enqueue(new MockResponse.Builder().body("ok").build());
            proxy.start(InetAddress.getLoopbackAddress(), 0);
            this.runner.withPropertyValues("management.endpoints.web.exposure.include=transport",
                    "transport.proxy.url=http://127.0.0.1:" + proxy.getPort(), "transport.proxy.username=alice",
                    "transport.proxy.password=" + PASSWORD).run(context -> {
                        RestClient.builder()
                                .requestFactory(context.getBean(TransportClientHttpRequestFactoryBuilder.class).build())
                                .build().get().uri("http://origin.invalid/").retrieve().body(String.class);
                        TransportEndpoint.TransportDescriptor descriptor = context.getBean(TransportEndpoint.class)
                                .transport("transport");
                        assertThat(descriptor.hosts()).singleElement()
                                .satisfies(host -> assertThat(host.proxy()).isNotNull());
                        String json = JsonMapper.builder().build().writeValueAsString(descriptor);
                        assertThat(json).doesNotContain(PASSWORD);
                    });
        }
    }
}
