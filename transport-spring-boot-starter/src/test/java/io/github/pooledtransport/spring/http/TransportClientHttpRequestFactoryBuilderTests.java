package io.github.pooledtransport.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpCookieHandling;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.http.client.InetAddressFilter;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

import io.github.pooledtransport.core.RequestOptions;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * {@link TransportClientHttpRequestFactoryBuilder#build(HttpClientSettings)}: Spring's per-client settings
 * (timeouts, redirects, cookies) on the shared transport, seen through a {@link RestClient}.
 */
class TransportClientHttpRequestFactoryBuilderTests {

    private Transport transport;

    private TransportClientHttpRequestFactoryBuilder builder;

    private final MockWebServer server = new MockWebServer();

    private final MockWebServer other = new MockWebServer();

    @BeforeEach
    void start() throws IOException {
        this.transport = new Transport(TransportConfig.defaults());
        this.builder = new TransportClientHttpRequestFactoryBuilder(this.transport, null);
        this.server.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        this.server.close();
        this.other.close();
        this.transport.close();
    }

    private RestClient client(HttpClientSettings settings) {
        return RestClient.builder().requestFactory(this.builder.build(settings)).build();
    }

    private String url(MockWebServer server, String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    private static MockResponse redirect(int code, String location) {
        return new MockResponse.Builder().code(code).setHeader("Location", location).build();
    }

    private static MockResponse ok(String body) {
        return new MockResponse.Builder().body(body).build();
    }

    private RecordedRequest take(MockWebServer server) throws InterruptedException {
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request).as("request received").isNotNull();
        return request;
    }

    // ---- timeouts ----

    @Test
    void buildWithNullSettingsShouldReplaceNothing() {
        assertThat(this.builder.build(null).options()).isEqualTo(RequestOptions.NONE);
    }

    @Test
    void buildShouldPutConnectTimeoutIntoRequestOptions() {
        TransportClientHttpRequestFactory factory = this.builder
                .build(HttpClientSettings.defaults().withConnectTimeout(Duration.ofSeconds(3)));
        assertThat(factory.options().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void buildShouldPutReadTimeoutIntoRequestOptions() {
        TransportClientHttpRequestFactory factory = this.builder
                .build(HttpClientSettings.defaults().withReadTimeout(Duration.ofMillis(200)));
        assertThat(factory.options().readTimeout()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void buildShouldShareTheTransport() {
        assertThat(this.builder.build(HttpClientSettings.defaults()).getTransport()).isSameAs(this.transport);
    }

    @Test
    void readTimeoutShouldFailARequestWhoseBodyIsLate() {
        this.server.enqueue(new MockResponse.Builder().body("late").bodyDelay(2, TimeUnit.SECONDS).build());
        RestClient client = client(HttpClientSettings.defaults().withReadTimeout(Duration.ofMillis(200)));
        assertThatExceptionOfType(RestClientException.class)
                .isThrownBy(() -> client.get().uri(url(this.server, "/")).retrieve().body(String.class))
                .withRootCauseInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void withoutReadTimeoutALateBodyShouldArrive() {
        this.server.enqueue(new MockResponse.Builder().body("late").bodyDelay(500, TimeUnit.MILLISECONDS).build());
        RestClient client = client(HttpClientSettings.defaults());
        assertThat(client.get().uri(url(this.server, "/")).retrieve().body(String.class)).isEqualTo("late");
    }

    @Test
    void buildWithAnotherInetAddressFilterThanTheTransportsShouldFail() {
        assertThatIllegalStateException().isThrownBy(() -> this.builder
                .build(HttpClientSettings.defaults().withInetAddressFilter(InetAddressFilter.externalAddresses())));
    }

    @Test
    void sslBundleInSettingsShouldTrustItsServerForThatFactoryOnly() throws IOException {
        HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName("127.0.0.1").build();
        HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder().heldCertificate(certificate)
                .build();
        HandshakeCertificates trusting = new HandshakeCertificates.Builder()
                .addTrustedCertificate(certificate.certificate()).build();
        SslBundle bundle = SslBundle.of(null, null, null, null, SslManagerBundle.from(trusting.trustManager()));
        try (MockWebServer secure = new MockWebServer()) {
            secure.useHttps(serverCertificates.sslSocketFactory());
            secure.enqueue(ok("secure"));
            secure.start(InetAddress.getLoopbackAddress(), 0);
            String url = "https://127.0.0.1:" + secure.getPort() + "/";
            assertThat(client(HttpClientSettings.ofSslBundle(bundle)).get().uri(url).retrieve().body(String.class))
                    .isEqualTo("secure");
            assertThatExceptionOfType(RestClientException.class)
                    .isThrownBy(() -> client(HttpClientSettings.defaults()).get().uri(url).retrieve().body(String.class));
        }
    }

    // ---- redirects ----

    @Test
    void redirectShouldBeFollowedByDefault() throws InterruptedException {
        this.server.enqueue(redirect(302, "/target"));
        this.server.enqueue(ok("target"));
        assertThat(client(HttpClientSettings.defaults()).get().uri(url(this.server, "/start")).retrieve()
                .body(String.class)).isEqualTo("target");
        take(this.server);
        assertThat(take(this.server).getTarget()).isEqualTo("/target");
    }

    @Test
    void redirectShouldBeFollowedWithNullSettings() {
        this.server.enqueue(redirect(302, "/target"));
        this.server.enqueue(ok("target"));
        assertThat(client(null).get().uri(url(this.server, "/start")).retrieve().body(String.class))
                .isEqualTo("target");
    }

    @Test
    void redirectShouldNotBeFollowedWithDontFollow() {
        this.server.enqueue(redirect(302, "/target"));
        this.server.enqueue(ok("target"));
        ResponseEntity<String> response = client(HttpClientSettings.defaults().withRedirects(HttpRedirects.DONT_FOLLOW))
                .get().uri(url(this.server, "/start")).retrieve().toEntity(String.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.FOUND);
        assertThat(response.getHeaders().getFirst("Location")).isEqualTo("/target");
        assertThat(this.server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void see303AfterPostShouldBecomeGetWithoutBody() throws InterruptedException {
        this.server.enqueue(redirect(303, "/result"));
        this.server.enqueue(ok("result"));
        String body = client(HttpClientSettings.defaults()).post().uri(url(this.server, "/form"))
                .header(HttpHeaders.CONTENT_TYPE, "text/plain").body("payload").retrieve().body(String.class);
        assertThat(body).isEqualTo("result");
        RecordedRequest post = take(this.server);
        assertThat(post.getMethod()).isEqualTo("POST");
        RecordedRequest get = take(this.server);
        assertThat(get.getMethod()).isEqualTo("GET");
        assertThat(get.getTarget()).isEqualTo("/result");
        assertThat(get.getBodySize()).isZero();
        assertThat(get.getHeaders().get("Content-Type")).isNull();
    }

    @Test
    void foundAfterPostShouldBecomeGet() throws InterruptedException {
        this.server.enqueue(redirect(302, "/result"));
        this.server.enqueue(ok("result"));
        client(HttpClientSettings.defaults()).post().uri(url(this.server, "/form")).body("payload").retrieve()
                .body(String.class);
        take(this.server);
        RecordedRequest get = take(this.server);
        assertThat(get.getMethod()).isEqualTo("GET");
        assertThat(get.getBodySize()).isZero();
    }

    @Test
    void temporaryRedirectAfterPostShouldRepeatThePost() throws InterruptedException {
        this.server.enqueue(redirect(307, "/again"));
        this.server.enqueue(ok("again"));
        client(HttpClientSettings.defaults()).post().uri(url(this.server, "/form")).body("payload").retrieve()
                .body(String.class);
        take(this.server);
        RecordedRequest repeated = take(this.server);
        assertThat(repeated.getMethod()).isEqualTo("POST");
        assertThat(repeated.getBody().utf8()).isEqualTo("payload");
    }

    @Test
    void crossOriginRedirectShouldDropAuthorizationAndCookie() throws IOException, InterruptedException {
        this.other.enqueue(ok("other"));
        this.other.start(InetAddress.getLoopbackAddress(), 0);
        this.server.enqueue(redirect(302, url(this.other, "/landing")));
        client(HttpClientSettings.defaults()).get().uri(url(this.server, "/start"))
                .header(HttpHeaders.AUTHORIZATION, "Bearer secret").header(HttpHeaders.COOKIE, "session=abc")
                .retrieve().body(String.class);
        RecordedRequest first = take(this.server);
        assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer secret");
        RecordedRequest landed = take(this.other);
        assertThat(landed.getHeaders().get("Authorization")).isNull();
        assertThat(landed.getHeaders().get("Cookie")).isNull();
    }

    @Test
    void sameOriginRedirectShouldKeepAuthorization() throws InterruptedException {
        this.server.enqueue(redirect(302, "/next"));
        this.server.enqueue(ok("next"));
        client(HttpClientSettings.defaults()).get().uri(url(this.server, "/start"))
                .header(HttpHeaders.AUTHORIZATION, "Bearer secret").retrieve().body(String.class);
        take(this.server);
        assertThat(take(this.server).getHeaders().get("Authorization")).isEqualTo("Bearer secret");
    }

    @Test
    void httpsToHttpRedirectShouldNotBeFollowed() throws IOException {
        HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName("127.0.0.1").build();
        HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder().heldCertificate(certificate)
                .build();
        HandshakeCertificates clientCertificates = new HandshakeCertificates.Builder()
                .addTrustedCertificate(certificate.certificate()).build();
        this.other.enqueue(ok("plain"));
        this.other.start(InetAddress.getLoopbackAddress(), 0);
        try (MockWebServer secure = new MockWebServer();
                Transport tls = new Transport(TransportConfig.builder()
                        .sslContext(clientCertificates.sslContext(), "test-ca").build())) {
            secure.useHttps(serverCertificates.sslSocketFactory());
            secure.enqueue(redirect(302, url(this.other, "/downgraded")));
            secure.start(InetAddress.getLoopbackAddress(), 0);
            RestClient client = RestClient.builder()
                    .requestFactory(new TransportClientHttpRequestFactoryBuilder(tls, null).build(null)).build();
            ResponseEntity<String> response = client.get().uri("https://127.0.0.1:" + secure.getPort() + "/start")
                    .retrieve().toEntity(String.class);
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.FOUND);
            assertThat(this.other.getRequestCount()).isZero();
        }
    }

    @Test
    void tooManyRedirectsShouldFail() {
        for (int i = 0; i <= RedirectPolicy.MAX_REDIRECTS + 1; i++) {
            this.server.enqueue(redirect(302, "/loop" + i));
        }
        assertThatExceptionOfType(RestClientException.class).isThrownBy(() -> client(HttpClientSettings.defaults())
                .get().uri(url(this.server, "/start")).retrieve().body(String.class))
                .withMessageContaining("Too many redirects");
    }

    // ---- cookies ----

    @Test
    void cookieHandlingEnableShouldStoreAndSendCookies() throws InterruptedException {
        this.server.enqueue(new MockResponse.Builder().setHeader("Set-Cookie", "session=abc123; Path=/").body("login")
                .build());
        this.server.enqueue(ok("home"));
        RestClient client = client(HttpClientSettings.defaults().withCookieHandling(HttpCookieHandling.ENABLE));
        client.get().uri(url(this.server, "/login")).retrieve().body(String.class);
        client.get().uri(url(this.server, "/home")).retrieve().body(String.class);
        take(this.server);
        assertThat(take(this.server).getHeaders().get("Cookie")).isEqualTo("session=abc123");
    }

    @Test
    void cookieHandlingEnableShouldSendCookiesSetDuringARedirect() throws InterruptedException {
        this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/home")
                .setHeader("Set-Cookie", "session=abc123; Path=/").build());
        this.server.enqueue(ok("home"));
        client(HttpClientSettings.defaults().withCookieHandling(HttpCookieHandling.ENABLE)).get()
                .uri(url(this.server, "/login")).retrieve().body(String.class);
        take(this.server);
        assertThat(take(this.server).getHeaders().get("Cookie")).isEqualTo("session=abc123");
    }

    @Test
    void cookiesShouldNotBeStoredByDefault() throws InterruptedException {
        this.server.enqueue(new MockResponse.Builder().setHeader("Set-Cookie", "session=abc123; Path=/").body("login")
                .build());
        this.server.enqueue(ok("home"));
        RestClient client = client(HttpClientSettings.defaults());
        client.get().uri(url(this.server, "/login")).retrieve().body(String.class);
        client.get().uri(url(this.server, "/home")).retrieve().body(String.class);
        take(this.server);
        assertThat(take(this.server).getHeaders().get("Cookie")).isNull();
    }

    @Test
    void cookieHandlingDisableShouldNotSendCookies() throws InterruptedException {
        this.server.enqueue(new MockResponse.Builder().setHeader("Set-Cookie", "session=abc123; Path=/").body("login")
                .build());
        this.server.enqueue(ok("home"));
        RestClient client = client(HttpClientSettings.defaults().withCookieHandling(HttpCookieHandling.DISABLE));
        client.get().uri(url(this.server, "/login")).retrieve().body(String.class);
        client.get().uri(url(this.server, "/home")).retrieve().body(String.class);
        take(this.server);
        assertThat(take(this.server).getHeaders().get("Cookie")).isNull();
    }

    @Test
    void cookiesShouldNotBeSharedBetweenFactories() throws InterruptedException {
        this.server.enqueue(new MockResponse.Builder().setHeader("Set-Cookie", "session=abc123; Path=/").body("login")
                .build());
        this.server.enqueue(ok("home"));
        HttpClientSettings settings = HttpClientSettings.defaults().withCookieHandling(HttpCookieHandling.ENABLE);
        client(settings).get().uri(url(this.server, "/login")).retrieve().body(String.class);
        client(settings).get().uri(url(this.server, "/home")).retrieve().body(String.class);
        take(this.server);
        assertThat(take(this.server).getHeaders().get("Cookie")).isNull();
    }
}
