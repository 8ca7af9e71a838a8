package io.github.pooledtransport.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * What the adapter sends for what Spring's clients ask: user-info as {@code Authorization: Basic} (and never to
 * another origin), {@code null} header values as empty ones, {@code Content-Length: 0} on body-less non-safe
 * methods. Seen on the wire of a loopback server, through {@link RestClient} and {@link RestTemplate}.
 */
class TransportClientHttpRequestTests {

    private final MockWebServer server = new MockWebServer();

    private final MockWebServer other = new MockWebServer();

    private final Transport transport = new Transport(TransportConfig.defaults());

    private final TransportClientHttpRequestFactory factory = new TransportClientHttpRequestFactory(this.transport);

    private final RestClient client = RestClient.builder().requestFactory(this.factory).build();

    @BeforeEach
    void start() throws IOException {
        this.server.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
        this.other.close();
    }

    private static MockResponse ok() {
        return new MockResponse.Builder().body("ok").build();
    }

    private static MockResponse redirect(String location) {
        return new MockResponse.Builder().code(302).setHeader("Location", location).build();
    }

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    private URI uri(MockWebServer server, String userInfo, String path) {
        return URI.create("http://" + userInfo + "@127.0.0.1:" + server.getPort() + path);
    }

    private String url(MockWebServer server, String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    private RecordedRequest take(MockWebServer server) throws InterruptedException {
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request).as("request received").isNotNull();
        return request;
    }

    // ---- user-info ----

    @Test
    void userInfoIsSentAsBasicAuthorizationPercentDecoded() throws InterruptedException {
        this.server.enqueue(ok());
        this.client.get().uri(uri(this.server, "user:pa%20ss", "/x")).retrieve().body(String.class);
        RecordedRequest request = take(this.server);
        assertThat(request.getHeaders().get("Authorization")).isEqualTo(basic("user:pa ss"));
    }

    @Test
    void userInfoIsDecodedAsUtf8() throws InterruptedException {
        this.server.enqueue(ok());
        this.client.get().uri(uri(this.server, "j%C3%BCrgen:p%C3%A4ss%3Aw%40rd", "/x")).retrieve().body(String.class);
        assertThat(take(this.server).getHeaders().get("Authorization")).isEqualTo(basic("jürgen:päss:w@rd"));
    }

    @Test
    void userInfoWithoutPasswordIsSentWithAnEmptyPassword() throws InterruptedException {
        this.server.enqueue(ok());
        this.client.get().uri(uri(this.server, "user", "/x")).retrieve().body(String.class);
        assertThat(take(this.server).getHeaders().get("Authorization")).isEqualTo(basic("user:"));
    }

    @Test
    void userInfoIsNeitherInTheRequestLineNorInTheHostHeader() throws InterruptedException {
        this.server.enqueue(ok());
        this.client.get().uri(uri(this.server, "user:secret", "/x?q=1")).retrieve().body(String.class);
        RecordedRequest request = take(this.server);
        assertThat(request.getTarget()).isEqualTo("/x?q=1");
        assertThat(request.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + this.server.getPort());
    }

    @Test
    void userInfoFromUriTemplateVariablesIsSentAsBasicAuthorization() throws InterruptedException {
        this.server.enqueue(ok());
        this.server.enqueue(ok());
        String template = "http://{user}:{password}@127.0.0.1:" + this.server.getPort() + "/x";
        this.client.get().uri(template, "user", "p@ss w:rd").retrieve().body(String.class);
        new RestTemplate(this.factory).getForObject(template, String.class, "user", "p@ss w:rd");
        assertThat(take(this.server).getHeaders().get("Authorization")).isEqualTo(basic("user:p@ss w:rd"));
        assertThat(take(this.server).getHeaders().get("Authorization")).isEqualTo(basic("user:p@ss w:rd"));
    }

    @Test
    void userInfoThroughRestTemplateIsSentAsBasicAuthorization() throws InterruptedException {
        this.server.enqueue(ok());
        new RestTemplate(this.factory).getForObject(uri(this.server, "user:secret", "/x"), String.class);
        assertThat(take(this.server).getHeaders().get("Authorization")).isEqualTo(basic("user:secret"));
    }

    @Test
    void userInfoDoesNotReplaceAnAuthorizationTheCallerSet() throws InterruptedException {
        this.server.enqueue(ok());
        this.client.get().uri(uri(this.server, "user:secret", "/x")).header(HttpHeaders.AUTHORIZATION, "Bearer token")
                .retrieve().body(String.class);
        assertThat(take(this.server).getHeaders().values("Authorization")).containsExactly("Bearer token");
    }

    @Test
    void userInfoIsNotInTheRequestsUri() {
        ClientHttpRequest request = this.factory.createRequest(uri(this.server, "user:secret", "/x"), HttpMethod.GET);
        assertThat(request.getURI()).isEqualTo(URI.create(url(this.server, "/x")));
        assertThat(request.toString()).doesNotContain("secret");
    }

    @Test
    void userInfoPasswordIsNotInTheAdaptersErrors() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        ClientHttpRequest request = this.factory
                .createRequest(URI.create("http://user:s3cr3t@127.0.0.1:" + closedPort + "/x"), HttpMethod.GET);
        Throwable failure = catchThrowable(request::execute);
        assertThat(failure).isInstanceOf(IOException.class);
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            assertThat(String.valueOf(cause.getMessage())).doesNotContain("s3cr3t");
            assertThat(cause.toString()).doesNotContain("s3cr3t");
        }
    }

    @Test
    void relativeRedirectKeepsTheAuthorizationFromUserInfo() throws InterruptedException {
        this.server.enqueue(redirect("/next"));
        this.server.enqueue(ok());
        this.client.get().uri(uri(this.server, "user:secret", "/start")).retrieve().body(String.class);
        take(this.server);
        RecordedRequest next = take(this.server);
        assertThat(next.getTarget()).isEqualTo("/next");
        assertThat(next.getHeaders().get("Authorization")).isEqualTo(basic("user:secret"));
    }

    @Test
    void absoluteRedirectToTheSameOriginCarriesOnlyItsOwnUserInfoAsGoDoes() throws InterruptedException {
        this.server.enqueue(redirect(url(this.server, "/next")));
        this.server.enqueue(ok());
        this.client.get().uri(uri(this.server, "user:secret", "/start")).retrieve().body(String.class);
        take(this.server);
        assertThat(take(this.server).getHeaders().get("Authorization")).isNull();
    }

    @Test
    void crossOriginRedirectDropsTheAuthorizationFromUserInfo() throws IOException, InterruptedException {
        this.other.enqueue(ok());
        this.other.start(InetAddress.getLoopbackAddress(), 0);
        this.server.enqueue(redirect(url(this.other, "/landing")));
        this.client.get().uri(uri(this.server, "user:secret", "/start")).retrieve().body(String.class);
        assertThat(take(this.server).getHeaders().get("Authorization")).isEqualTo(basic("user:secret"));
        assertThat(take(this.other).getHeaders().get("Authorization")).isNull();
    }

    @Test
    void redirectBackToTheFirstOriginDoesNotRestoreTheAuthorizationFromUserInfo()
            throws IOException, InterruptedException {
        this.other.start(InetAddress.getLoopbackAddress(), 0);
        this.server.enqueue(redirect(url(this.other, "/away")));
        this.other.enqueue(redirect(url(this.server, "/back")));
        this.server.enqueue(ok());
        this.client.get().uri(uri(this.server, "user:secret", "/start")).retrieve().body(String.class);
        take(this.server);
        assertThat(take(this.other).getHeaders().get("Authorization")).isNull();
        RecordedRequest back = take(this.server);
        assertThat(back.getTarget()).isEqualTo("/back");
        assertThat(back.getHeaders().get("Authorization")).isNull();
    }

    @Test
    void crossOriginRedirectDropsTheCallersAuthorizationEvenWithUserInfo() throws IOException, InterruptedException {
        this.other.enqueue(ok());
        this.other.start(InetAddress.getLoopbackAddress(), 0);
        this.server.enqueue(redirect(url(this.other, "/landing")));
        this.client.get().uri(uri(this.server, "user:secret", "/start")).header(HttpHeaders.AUTHORIZATION, "Bearer t")
                .retrieve().body(String.class);
        assertThat(take(this.server).getHeaders().get("Authorization")).isEqualTo("Bearer t");
        assertThat(take(this.other).getHeaders().get("Authorization")).isNull();
    }

    @Test
    void redirectToALocationWithUserInfoIsFollowedWithoutItInTheRequestLine() throws IOException,
            InterruptedException {
        this.other.enqueue(ok());
        this.other.start(InetAddress.getLoopbackAddress(), 0);
        this.server.enqueue(redirect("http://them:theirs@127.0.0.1:" + this.other.getPort() + "/landing"));
        String body = this.client.get().uri(url(this.server, "/start")).retrieve().body(String.class);
        assertThat(body).isEqualTo("ok");
        take(this.server);
        RecordedRequest landed = take(this.other);
        assertThat(landed.getTarget()).isEqualTo("/landing");
        assertThat(landed.getHeaders().get("Authorization")).isEqualTo(basic("them:theirs"));
    }

    // ---- null header values ----

    @Test
    void nullHeaderValueFromRestClientIsSentEmpty() throws InterruptedException {
        this.server.enqueue(ok());
        this.client.get().uri(url(this.server, "/x")).header("X-Empty", (String) null).retrieve().body(String.class);
        assertThat(take(this.server).getHeaders().values("X-Empty")).containsExactly("");
    }

    @Test
    void nullHeaderValueInAListIsSentEmpty() throws InterruptedException {
        this.server.enqueue(ok());
        HttpHeaders headers = new HttpHeaders();
        List<String> values = new ArrayList<>();
        values.add("a");
        values.add(null);
        headers.put("X-Values", values);
        headers.put("X-Null", Collections.singletonList(null));
        new RestTemplate(this.factory).exchange(url(this.server, "/x"), HttpMethod.GET, new HttpEntity<>(headers),
                String.class);
        RecordedRequest request = take(this.server);
        assertThat(request.getHeaders().values("X-Values")).containsExactly("a", "");
        assertThat(request.getHeaders().values("X-Null")).containsExactly("");
    }

    // ---- Content-Length: 0 ----

    @ParameterizedTest
    @ValueSource(strings = { "POST", "PUT", "PATCH", "DELETE", "PROPFIND" })
    void bodylessNonSafeMethodSendsContentLengthZero(String method) throws InterruptedException {
        this.server.enqueue(ok());
        this.client.method(HttpMethod.valueOf(method)).uri(url(this.server, "/x")).retrieve().toBodilessEntity();
        RecordedRequest request = take(this.server);
        assertThat(request.getMethod()).isEqualTo(method);
        assertThat(request.getHeaders().get("Content-Length")).isEqualTo("0");
        assertThat(request.getHeaders().get("Transfer-Encoding")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET", "HEAD", "OPTIONS", "TRACE" })
    void bodylessSafeMethodSendsNoContentLength(String method) throws InterruptedException {
        this.server.enqueue(new MockResponse.Builder().build());
        this.client.method(HttpMethod.valueOf(method)).uri(url(this.server, "/x")).retrieve().toBodilessEntity();
        RecordedRequest request = take(this.server);
        assertThat(request.getHeaders().get("Content-Length")).isNull();
        assertThat(request.getHeaders().get("Transfer-Encoding")).isNull();
    }

    @Test
    void deleteThroughRestTemplateSendsContentLengthZero() throws InterruptedException {
        this.server.enqueue(ok());
        new RestTemplate(this.factory).delete(url(this.server, "/x"));
        assertThat(take(this.server).getHeaders().get("Content-Length")).isEqualTo("0");
    }

    @Test
    void deleteWithABodySendsItsLength() throws InterruptedException {
        this.server.enqueue(ok());
        this.client.method(HttpMethod.DELETE).uri(url(this.server, "/x")).body("gone").retrieve().toBodilessEntity();
        RecordedRequest request = take(this.server);
        assertThat(request.getHeaders().get("Content-Length")).isEqualTo("4");
        assertThat(request.getBody().utf8()).isEqualTo("gone");
    }
}
