package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import io.github.pooledtransport.core.AcquireTimeoutException;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.spring.http.TransportSettingException;

/**
 * A request that reaches a timeout or connection cap fails with a message naming the property that set it:
 * Spring's client settings ({@code spring.http.clients.*}, a service group's) or {@code transport.*}.
 */
class ErrorsNameTheirPropertyTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TransportAutoConfiguration.class,
                    HttpClientAutoConfiguration.class, ImperativeHttpClientAutoConfiguration.class,
                    RestClientAutoConfiguration.class));

    @Test
    void connectTimeoutFromSpringHttpClientsNamesThatProperty() throws Exception {
        try (FullBacklog server = FullBacklog.open()) {
            this.runner.withPropertyValues("spring.http.clients.connect-timeout=300ms").run(context -> {
                RestClient client = context.getBean(RestClient.Builder.class).build();

                assertThatExceptionOfType(ResourceAccessException.class)
                        .isThrownBy(() -> client.get().uri(server.url()).retrieve().toBodilessEntity())
                        .withMessageContaining("spring.http.clients.connect-timeout=300 ms")
                        .havingCause()
                        .isInstanceOfSatisfying(TransportSettingException.class, ex -> {
                            assertThat(ex.setting()).isEqualTo("spring.http.clients.connect-timeout");
                            assertThat(ex.getCause()).isInstanceOf(TransportException.class)
                                    .hasMessageContaining("connectTimeout=300 ms");
                        });
            });
        }
    }

    @Test
    void readTimeoutFromSpringHttpClientsNamesThatPropertyThroughWebClient() throws Exception {
        // Never accepts: the listen backlog completes the connection, and nothing ever answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(TransportAutoConfiguration.class,
                            TransportReactiveAutoConfiguration.class, HttpClientAutoConfiguration.class,
                            org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration.class,
                            org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration.class))
                    .withPropertyValues("spring.http.clients.read-timeout=300ms").run(context -> {
                        org.springframework.web.reactive.function.client.WebClient client = context
                                .getBean(org.springframework.web.reactive.function.client.WebClient.Builder.class)
                                .build();
                        assertThatExceptionOfType(
                                org.springframework.web.reactive.function.client.WebClientRequestException.class)
                                .isThrownBy(() -> client.get().uri("http://127.0.0.1:" + silent.getLocalPort() + "/")
                                        .retrieve().toBodilessEntity().block(Duration.ofSeconds(10)))
                                .havingCause()
                                .isInstanceOfSatisfying(TransportSettingException.class, ex -> assertThat(ex.setting())
                                        .isEqualTo("spring.http.clients.read-timeout"));
                    });
        }
    }

    @Test
    void acquireTimeoutWithHostOverrideNamesTheOverrideProperty() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().body("held").build());
            server.start(InetAddress.getLoopbackAddress(), 0);
            String override = "transport.hosts[127.0.0.1:" + server.getPort() + "]";
            this.runner.withPropertyValues("transport.acquire-timeout=200ms")
                    .withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                            new MapPropertySource("host-override", Map.of(override + ".max-conns-per-host", "1"))))
                    .run(context -> {
                        ClientHttpRequestFactory factory = context.getBean(ClientHttpRequestFactoryBuilder.class)
                                .build(context.getBean(HttpClientSettings.class));
                        URI uri = URI.create("http://127.0.0.1:" + server.getPort() + "/");
                        try (ClientHttpResponse held = factory.createRequest(uri, HttpMethod.GET).execute()) {
                            assertThatExceptionOfType(TransportSettingException.class)
                                    .isThrownBy(() -> factory.createRequest(uri, HttpMethod.GET).execute())
                                    .withMessageContaining(override + ".max-conns-per-host=1 reached")
                                    .withMessageContaining("transport.acquire-timeout=200 ms")
                                    .withCauseInstanceOf(AcquireTimeoutException.class)
                                    .satisfies(ex -> assertThat(ex.setting())
                                            .isEqualTo(override + ".max-conns-per-host"));
                        }
                    });
        }
    }

    @Test
    void callTimeoutNamesTransportCallTimeoutAndKeepsTheCancellationType() throws Exception {
        // Never accepts: the listen backlog completes the connection, and nothing ever answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            this.runner.withPropertyValues("transport.call-timeout=300ms").run(context -> {
                RestClient client = context.getBean(RestClient.Builder.class).build();
                assertThatExceptionOfType(ResourceAccessException.class)
                        .isThrownBy(() -> client.get().uri("http://127.0.0.1:" + silent.getLocalPort() + "/")
                                .retrieve().toBodilessEntity())
                        .havingCause()
                        .isInstanceOfSatisfying(TransportCancelledException.class, ex -> {
                            assertThat(ex.why()).isEqualTo(TransportCancelledException.Cause.CALL_TIMEOUT);
                            assertThat(ex.getMessage()).contains("timed out after transport.call-timeout=300 ms");
                        });
            });
        }
    }

    @Test
    void callTimeoutOfAHostOverrideNamesTheOverrideProperty() throws Exception {
        // Never accepts: the listen backlog completes the connection, and nothing ever answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String override = "transport.hosts[127.0.0.1:" + silent.getLocalPort() + "]";
            this.runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                    new MapPropertySource("host-override", Map.of(override + ".call-timeout", "250ms"))))
                    .run(context -> {
                        RestClient client = context.getBean(RestClient.Builder.class).build();
                        assertThatExceptionOfType(ResourceAccessException.class)
                                .isThrownBy(() -> client.get().uri("http://127.0.0.1:" + silent.getLocalPort() + "/")
                                        .retrieve().toBodilessEntity())
                                .withMessageContaining(override + ".call-timeout=250 ms");
                    });
        }
    }

    @Test
    void connectTimeoutOfAServiceGroupNamesTheGroupProperty() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.http.clients.connect-timeout", "5s")
                .withProperty("spring.http.serviceclient.quotes.connect-timeout", "2s");
        HttpClientSettings global = HttpClientSettings.defaults().withConnectTimeout(Duration.ofSeconds(5));
        HttpClientSettings group = HttpClientSettings.defaults().withConnectTimeout(Duration.ofSeconds(2));

        assertThat(HttpClientSettingsPropertyOrigin.of(environment, global).propertyFor("connect-timeout", group))
                .isEqualTo("spring.http.serviceclient.quotes.connect-timeout");
    }

    @Test
    void connectTimeoutOfTheGlobalSettingsNamesSpringHttpClientsEvenWhenAGroupHasTheSameValue() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.http.clients.connect-timeout", "2s")
                .withProperty("spring.http.serviceclient.quotes.connect-timeout", "2s");
        HttpClientSettings global = HttpClientSettings.defaults().withConnectTimeout(Duration.ofSeconds(2));

        assertThat(HttpClientSettingsPropertyOrigin.of(environment, global).propertyFor("connect-timeout", global))
                .isEqualTo("spring.http.clients.connect-timeout");
    }

    @Test
    void readTimeoutInheritedByAGroupNamesSpringHttpClients() {
        MockEnvironment environment = new MockEnvironment().withProperty("spring.http.clients.read-timeout", "3s")
                .withProperty("spring.http.serviceclient.quotes.base-url", "http://127.0.0.1:1");
        HttpClientSettings global = HttpClientSettings.defaults().withReadTimeout(Duration.ofSeconds(3));
        HttpClientSettings inherited = HttpClientSettings.defaults().withReadTimeout(Duration.ofSeconds(3));

        assertThat(HttpClientSettingsPropertyOrigin.of(environment, global).propertyFor("read-timeout", inherited))
                .isEqualTo("spring.http.clients.read-timeout");
    }

    @Test
    void connectTimeoutSetInCodeNamesNoProperty() {
        MockEnvironment environment = new MockEnvironment().withProperty("spring.http.clients.connect-timeout", "5s");
        HttpClientSettings inCode = HttpClientSettings.defaults().withConnectTimeout(Duration.ofMillis(700));

        assertThat(HttpClientSettingsPropertyOrigin.of(environment, null).propertyFor("connect-timeout", inCode))
                .isNull();
    }

    /**
     * A loopback listener that is never accepted from, its backlog filled until a connection attempt times out:
     * from then on the kernel drops further SYNs, so a connect can only time out.
     */
    static final class FullBacklog implements AutoCloseable {

        private final ServerSocket server;

        private final List<Socket> fillers = new ArrayList<>();

        private FullBacklog(ServerSocket server) {
            this.server = server;
        }

        static FullBacklog open() throws IOException {
            FullBacklog backlog = new FullBacklog(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            for (int i = 0; i < 64; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                            backlog.server.getLocalPort()), 200);
                    backlog.fillers.add(socket);
                }
                catch (SocketTimeoutException ex) {
                    socket.close();
                    return backlog;
                }
            }
            backlog.close();
            throw new IllegalStateException("the backlog never filled up: connects to it did not time out");
        }

        String url() {
            return "http://127.0.0.1:" + this.server.getLocalPort() + "/";
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : this.fillers) {
                socket.close();
            }
            this.server.close();
        }
    }
}
