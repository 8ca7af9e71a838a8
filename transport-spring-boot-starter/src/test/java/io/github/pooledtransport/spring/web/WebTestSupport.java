package io.github.pooledtransport.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.test.web.servlet.client.EntityExchangeResult;
import org.springframework.test.web.servlet.client.RestTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Shared plumbing of the web integration tests: a loopback downstream server, an actuator client that does not go
 * through the transport under test (JDK HttpClient), and JSON helpers.
 */
public final class WebTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private WebTestSupport() {
    }

    /** @return a started loopback MockWebServer that answers {@code hello <target>} */
    public static MockWebServer startEchoServer() {
        return start(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("hello " + request.getTarget()).build();
            }
        });
    }

    /**
     * A server whose responses are held until {@code parties} requests are in it at once, so the client provably
     * had that many connections open concurrently. The barrier is cyclic: each group of {@code parties} requests
     * trips it once.
     */
    public static MockWebServer startBarrierServer(int parties) {
        CyclicBarrier barrier = new CyclicBarrier(parties);
        return start(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    barrier.await(20, TimeUnit.SECONDS);
                    return new MockResponse.Builder().body("hello " + request.getTarget()).build();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return new MockResponse.Builder().code(500).body("interrupted").build();
                }
                catch (BrokenBarrierException | TimeoutException ex) {
                    return new MockResponse.Builder().code(500).body("barrier of " + parties + " not reached").build();
                }
            }
        });
    }

    private static MockWebServer start(Dispatcher dispatcher) {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(dispatcher);
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return server;
    }

    /** @return {@code http://127.0.0.1:<port>} */
    public static String url(MockWebServer server) {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** @return the transport's host key for the server, as the endpoint and metrics show it */
    public static String hostKey(MockWebServer server) {
        return url(server);
    }

    /** @return a client for the application itself that does not use the pooled transport */
    public static RestTestClient appClient(int port) {
        return RestTestClient.bindToServer(new JdkClientHttpRequestFactory()).baseUrl("http://127.0.0.1:" + port)
                .build();
    }

    /** GETs {@code uri}, asserts 200 and parses the body. */
    public static JsonNode getJson(RestTestClient client, String uri) {
        EntityExchangeResult<String> result = client.get().uri(uri).exchange().returnResult(String.class);
        assertThat(result.getStatus().value()).as("GET %s -> %s", uri, result.getResponseBody()).isEqualTo(200);
        return parse(result.getResponseBody());
    }

    /** GETs {@code uri}, asserts 200 and returns the raw body. */
    public static String getString(RestTestClient client, String uri) {
        EntityExchangeResult<String> result = client.get().uri(uri).exchange().returnResult(String.class);
        assertThat(result.getStatus().value()).as("GET %s -> %s", uri, result.getResponseBody()).isEqualTo(200);
        return result.getResponseBody();
    }

    public static JsonNode parse(String json) {
        return JSON.readTree(json);
    }

    /** @return the {@code hosts[]} entry of {@code /actuator/transport} with the given key */
    public static JsonNode hostEntry(JsonNode transport, String key) {
        List<String> keys = new ArrayList<>();
        for (JsonNode host : transport.required("hosts")) {
            String k = host.required("key").asString();
            if (k.equals(key)) {
                return host;
            }
            keys.add(k);
        }
        throw new AssertionError("No host entry " + key + " in /actuator/transport; hosts: " + keys);
    }

    /** @return the findings with the given code */
    public static List<JsonNode> findings(JsonNode findings, String code) {
        List<JsonNode> result = new ArrayList<>();
        for (JsonNode finding : findings) {
            if (code.equals(finding.required("code").asString())) {
                result.add(finding);
            }
        }
        return result;
    }

    /**
     * Runs {@code count} copies of {@code call} at once on their own threads.
     *
     * @return their results, in submission order
     */
    public static <T> List<T> concurrently(int count, Callable<T> call) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(count);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(executor.submit(call));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        }
        finally {
            executor.shutdownNow();
        }
    }

    /** @return every request the server has recorded so far */
    public static List<RecordedRequest> drain(MockWebServer server) throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            requests.add(request);
        }
        return requests;
    }
}
