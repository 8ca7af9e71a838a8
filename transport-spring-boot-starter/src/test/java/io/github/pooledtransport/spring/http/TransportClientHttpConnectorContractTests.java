package io.github.pooledtransport.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.client.reactive.ClientHttpConnector;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * What Spring expects of any {@link ClientHttpConnector} (the contract its own connectors are tested against),
 * asked of ours directly, without WebClient: every method with and without a body, a request body's own error
 * reaching the caller as that very exception, a response body cancelled after a few buffers, and cookie
 * attributes.
 */
class TransportClientHttpConnectorContractTests {

    private static final Set<HttpMethod> METHODS_WITH_BODY = Set.of(HttpMethod.PUT, HttpMethod.POST,
            HttpMethod.PATCH);

    private final MockWebServer server = new MockWebServer();

    private final Transport transport = new Transport(TransportConfig.defaults());

    private final ConnectorThreads threads = ConnectorThreads.create(ConnectorThreads.DEFAULT_MAX_THREADS);

    private final ClientHttpConnector connector = new TransportClientHttpConnector(this.transport, this.threads);

    @BeforeEach
    void start() throws IOException {
        this.server.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.threads.close();
        this.server.close();
    }

    static HttpMethod[] methods() {
        return HttpMethod.values();
    }

    @ParameterizedTest
    @MethodSource("methods")
    void everyMethodSendsItsHeadersAndBodyAndReadsTheAnswer(HttpMethod method) throws Exception {
        this.server.enqueue(new MockResponse.Builder().code(200).addHeader("Baz", "Qux").body("bar\r\n").build());
        URI uri = URI.create("http://127.0.0.1:" + this.server.getPort() + "/");
        boolean withBody = METHODS_WITH_BODY.contains(method);

        ClientHttpResponse response = this.connector.connect(method, uri, (request) -> {
            assertThat(request.getMethod()).isEqualTo(method);
            assertThat(request.getURI()).isEqualTo(uri);
            request.getHeaders().add("Foo", "Bar");
            return withBody ? request.writeWith(Mono.fromCallable(() -> DefaultDataBufferFactory.sharedInstance
                    .wrap("foo\r\n".getBytes(StandardCharsets.UTF_8)))) : request.setComplete();
        }).block(Duration.ofSeconds(10));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getHeaders().getFirst("Baz")).isEqualTo("Qux");
        String body = DataBufferUtils.join(response.getBody()).map((buffer) -> {
            String s = buffer.toString(StandardCharsets.UTF_8);
            DataBufferUtils.release(buffer);
            return s;
        }).defaultIfEmpty("").block(Duration.ofSeconds(10));
        assertThat(body).isEqualTo(method == HttpMethod.HEAD ? "" : "bar\r\n");
        RecordedRequest recorded = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(recorded.getMethod()).isEqualTo(method.name());
        assertThat(recorded.getHeaders().get("Foo")).isEqualTo("Bar");
        if (withBody) {
            assertThat(recorded.getBody().utf8()).isEqualTo("foo\r\n");
        }
    }

    @Test
    void requestBodyErrorReachesTheCallerAsThatVeryException() {
        RuntimeException error = new RuntimeException("the body failed");
        this.server.enqueue(new MockResponse.Builder().code(200).build());
        Flux<DataBuffer> body = Flux.concat(
                Mono.fromCallable(() -> DefaultDataBufferFactory.sharedInstance.wrap("foo".getBytes())),
                Mono.error(error));

        Throwable failure = this.connector.connect(HttpMethod.POST,
                URI.create("http://127.0.0.1:" + this.server.getPort() + "/"), (request) -> request.writeWith(body))
                .then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(Duration.ofSeconds(10));

        assertThat(failure).isSameAs(error);
    }

    @Test
    void responseBodyCancelledAfterSomeBuffersEndsTheExchange() {
        Buffer big = new Buffer();
        byte[] chunk = new byte[1024];
        Random random = new Random(7);
        for (int i = 0; i < 100; i++) {
            random.nextBytes(chunk);
            big.write(chunk);
        }
        this.server.enqueue(new MockResponse.Builder().body(big).build());
        ClientHttpResponse response = this.connector.connect(HttpMethod.POST,
                URI.create("http://127.0.0.1:" + this.server.getPort() + "/"), (request) -> request.setComplete())
                .block(Duration.ofSeconds(10));

        Long received = response.getBody().take(2).doOnNext(DataBufferUtils::release).count()
                .block(Duration.ofSeconds(10));

        assertThat(received).isEqualTo(2);
        assertThat(this.transport.stats().totals().idle()).as("a body left unread is not pooled").isZero();
    }

    @Test
    void responseCookiesKeepTheirAttributes() {
        this.server.enqueue(new MockResponse.Builder()
                .addHeader("Set-Cookie", "id=42; Domain=example.test; Path=/api; Max-Age=60; Secure; HttpOnly; "
                        + "SameSite=Lax")
                .build());

        ClientHttpResponse response = this.connector.connect(HttpMethod.GET,
                URI.create("http://127.0.0.1:" + this.server.getPort() + "/"), (request) -> request.setComplete())
                .block(Duration.ofSeconds(10));
        response.getBody().then().block(Duration.ofSeconds(10));

        ResponseCookie cookie = response.getCookies().getFirst("id");
        assertThat(cookie).isNotNull();
        assertThat(cookie.getValue()).isEqualTo("42");
        assertThat(cookie.getDomain()).isEqualTo("example.test");
        assertThat(cookie.getPath()).isEqualTo("/api");
        assertThat(cookie.getMaxAge()).isEqualTo(Duration.ofSeconds(60));
        assertThat(cookie.isSecure()).isTrue();
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Lax");
    }
}
