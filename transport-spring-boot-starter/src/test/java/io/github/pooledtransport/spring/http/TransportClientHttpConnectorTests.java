package io.github.pooledtransport.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.core.TransportConfig;

/**
 * {@link TransportClientHttpConnector} through {@code WebClient} against loopback servers: bodies stream both
 * ways with back-pressure and exact bytes, cancelling at any step cancels the call and frees its connection, and
 * many concurrent calls share the pool.
 */
class TransportClientHttpConnectorTests {

    private static final int MIB = 1024 * 1024;

    private final MockWebServer server = new MockWebServer();

    private Transport transport = new Transport(TransportConfig.defaults());

    private ConnectorThreads threads = ConnectorThreads.create(ConnectorThreads.DEFAULT_MAX_THREADS);

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

    private WebClient client() {
        return WebClient.builder().clientConnector(new TransportClientHttpConnector(this.transport, this.threads))
                .build();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + this.server.getPort() + path;
    }

    private PoolStats totals() {
        return this.transport.stats().totals();
    }

    @Test
    void largeResponseBodyArrivesExactlyAndItsConnectionIsReused() throws Exception {
        byte[] content = randomBytes(8 * MIB);
        this.server.enqueue(new MockResponse.Builder().body(new Buffer().write(content)).build());
        this.server.enqueue(new MockResponse.Builder().body(new Buffer().write(content)).build());
        WebClient client = client();

        for (int i = 0; i < 2; i++) {
            String digest = client.get().uri(url("/big")).retrieve().bodyToFlux(DataBuffer.class)
                    .reduce(sha256(), TransportClientHttpConnectorTests::update).map(TransportClientHttpConnectorTests::hex)
                    .block(Duration.ofSeconds(30));
            assertThat(digest).isEqualTo(hex(sha256().digest(content)));
        }
        assertThat(totals().opened()).isEqualTo(1);
        assertThat(totals().reused()).isEqualTo(1);
    }

    @Test
    void requestBodyIsStreamedAskingThePublisherForOneBufferAtATime() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("stored").build());
        AtomicLong mostAskedAtOnce = new AtomicLong();
        AtomicLong produced = new AtomicLong();
        Flux<DataBuffer> body = Flux.range(0, 1024).<DataBuffer>map((i) -> {
            produced.incrementAndGet();
            byte[] chunk = new byte[8192];
            java.util.Arrays.fill(chunk, (byte) ('a' + i % 26));
            return DefaultDataBufferFactory.sharedInstance.wrap(chunk);
        }).doOnRequest((n) -> mostAskedAtOnce.accumulateAndGet(n, Math::max));

        String answer = client().post().uri(url("/upload")).body(BodyInserters.fromDataBuffers(body)).retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(30));

        assertThat(answer).isEqualTo("stored");
        assertThat(mostAskedAtOnce.get()).isEqualTo(1);
        RecordedRequest recorded = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(recorded.getHeaders().get("Transfer-Encoding")).isEqualTo("chunked");
        byte[] received = recorded.getBody().toByteArray();
        assertThat(received).hasSize(1024 * 8192);
        for (int i = 0; i < 1024; i++) {
            assertThat(received[i * 8192]).isEqualTo((byte) ('a' + i % 26));
        }
        assertThat(produced.get()).isEqualTo(1024);
    }

    @Test
    void requestBodyOfKnownLengthIsSentWithContentLength() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("ok").build());

        client().put().uri(url("/put")).bodyValue("twelve bytes").retrieve().toBodilessEntity()
                .block(Duration.ofSeconds(10));

        RecordedRequest recorded = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(recorded.getHeaders().get("Content-Length")).isEqualTo("12");
        assertThat(recorded.getBody().utf8()).isEqualTo("twelve bytes");
    }

    @Test
    void bodylessPostSendsContentLengthZeroAndGetSendsNone() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("a").build());
        this.server.enqueue(new MockResponse.Builder().body("b").build());
        WebClient client = client();

        client.post().uri(url("/post")).retrieve().toBodilessEntity().block(Duration.ofSeconds(10));
        client.get().uri(url("/get")).retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        assertThat(this.server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Content-Length")).isEqualTo("0");
        assertThat(this.server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Content-Length")).isNull();
    }

    @Test
    void cancellingMidBodyClosesTheConnectionAndFreesItsSlot() throws Exception {
        this.transport.close();
        this.transport = new Transport(TransportConfig.builder().maxConnsPerHost(1).build());
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedServer stalling = new ScriptedServer((socket, index) -> {
            ScriptedServer.readHead(socket.getInputStream());
            if (index == 0) { // half a body, then hold the connection open
                ScriptedServer.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + "x".repeat(20000));
                release.await(10, TimeUnit.SECONDS);
            }
            else {
                ScriptedServer.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
                release.await(10, TimeUnit.SECONDS);
            }
        })) {
            WebClient client = client();

            List<DataBuffer> first = client.get().uri(stalling.url("/stalls")).retrieve().bodyToFlux(DataBuffer.class)
                    .take(1).collectList().block(Duration.ofSeconds(10));
            assertThat(first).hasSize(1);
            first.forEach(DataBufferUtils::release);
            awaitTrue(() -> totals().closed(CloseReason.CANCELLED) == 1 && totals().active() == 0);

            String next = client.get().uri(stalling.url("/next")).retrieve().bodyToMono(String.class)
                    .block(Duration.ofSeconds(10));
            assertThat(next).isEqualTo("next");
            assertThat(stalling.connections()).isEqualTo(2);
            release.countDown();
        }
    }

    @Test
    void cancellingWhileWaitingForTheResponseCancelsTheCall() throws Exception {
        CountDownLatch requestArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedServer silent = new ScriptedServer((socket, index) -> {
            ScriptedServer.readHead(socket.getInputStream());
            requestArrived.countDown();
            release.await(10, TimeUnit.SECONDS);
        })) {
            Disposable call = client().get().uri(silent.url("/never")).retrieve().bodyToMono(String.class)
                    .subscribe();
            assertThat(requestArrived.await(10, TimeUnit.SECONDS)).isTrue();

            call.dispose();

            awaitTrue(() -> totals().cancellations() == 1 && totals().active() == 0);
            assertThat(totals().closed(CloseReason.CANCELLED)).isEqualTo(1);
            release.countDown();
        }
    }

    @Test
    void timeoutOperatorCancelsTheCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedServer silent = new ScriptedServer((socket, index) -> {
            ScriptedServer.readHead(socket.getInputStream());
            release.await(10, TimeUnit.SECONDS);
        })) {
            assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> client().get()
                    .uri(silent.url("/slow")).retrieve().bodyToMono(String.class).timeout(Duration.ofMillis(300))
                    .block(Duration.ofSeconds(10)))
                    .withCauseInstanceOf(java.util.concurrent.TimeoutException.class);

            awaitTrue(() -> totals().cancellations() == 1 && totals().active() == 0);
            release.countDown();
        }
    }

    @Test
    void transportCallTimeoutFailsTheExchangeWithTheCancellation() throws Exception {
        this.transport.close();
        this.transport = new Transport(TransportConfig.builder().callTimeout(Duration.ofMillis(300)).build());
        try (ServerSocket neverAnswers = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatExceptionOfType(WebClientRequestException.class).isThrownBy(() -> client().get()
                    .uri("http://127.0.0.1:" + neverAnswers.getLocalPort() + "/").retrieve().bodyToMono(String.class)
                    .block(Duration.ofSeconds(10)))
                    .withCauseInstanceOf(TransportCancelledException.class)
                    .withMessageContaining("callTimeout=300 ms");
            assertThat(totals().callTimeouts()).isEqualTo(1);
        }
    }

    @Test
    void requestBodyFailureReachesTheCallerAndTheConnectionIsNotReused() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedServer reading = new ScriptedServer((socket, index) -> {
            InputStream in = socket.getInputStream();
            ScriptedServer.readHead(in);
            in.transferTo(java.io.OutputStream.nullOutputStream()); // until the client closes
            release.await(10, TimeUnit.SECONDS);
        })) {
            Flux<DataBuffer> failing = Flux.concat(
                    Flux.just(DefaultDataBufferFactory.sharedInstance.wrap("partial".getBytes())),
                    Flux.error(new IllegalStateException("the body's source failed")));

            assertThatExceptionOfType(WebClientRequestException.class).isThrownBy(() -> client().post()
                    .uri(reading.url("/upload")).body(BodyInserters.fromDataBuffers(failing)).retrieve()
                    .toBodilessEntity().block(Duration.ofSeconds(10)))
                    .withCauseInstanceOf(IllegalStateException.class)
                    .withMessageContaining("the body's source failed");
            awaitTrue(() -> totals().active() == 0 && totals().idle() == 0);
            release.countDown();
        }
    }

    @Test
    void fiveHundredConcurrentCallsOnBoundedThreadsEachGetTheirOwnAnswer() throws Exception {
        this.threads.close();
        this.threads = ConnectorThreads.platform(16); // what Java 17 gets, with a small bound
        this.transport.close();
        this.transport = new Transport(TransportConfig.builder().maxConnsPerHost(32).build());
        this.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("answer to " + request.getUrl().encodedPath()).build();
            }
        });
        WebClient client = client();

        List<String> answers = Flux.range(0, 500)
                .flatMap((i) -> client.get().uri(url("/" + i)).retrieve().bodyToMono(String.class)
                        .map((body) -> body.equals("answer to /" + i) ? "ok" : "wrong: " + body), 500)
                .collectList().block(Duration.ofSeconds(60));

        assertThat(answers).hasSize(500).containsOnly("ok");
        assertThat(totals().requests()).isEqualTo(500);
        assertThat(totals().opened()).isLessThanOrEqualTo(32);
        assertThat(totals().active()).isZero();
    }

    @Test
    void redirectIsFollowedAsByTheBlockingFactory() throws Exception {
        this.server.enqueue(new MockResponse.Builder().code(303).setHeader("Location", "/there").build());
        this.server.enqueue(new MockResponse.Builder().body("arrived").build());

        String body = client().post().uri(url("/here")).bodyValue("form").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10));

        assertThat(body).isEqualTo("arrived");
        this.server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest second = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(second.getMethod()).isEqualTo("GET");
        assertThat(second.getUrl().encodedPath()).isEqualTo("/there");
    }

    @Test
    void responseBodyCanBeSubscribedOnlyOnce() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("once").build());

        String twice = client().get().uri(url("/once")).exchangeToMono((response) -> {
            Flux<DataBuffer> body = response.bodyToFlux(DataBuffer.class);
            return body.then(body.then()).thenReturn("second read allowed").onErrorResume(IllegalStateException.class,
                    (ex) -> reactor.core.publisher.Mono.just(ex.getMessage()));
        }).block(Duration.ofSeconds(10));

        assertThat(twice).contains("only be consumed once");
    }

    @Test
    void cancelAfterTheResponseCameFreesTheConnectionWhenTheBodyWasNotRead() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedServer stalling = new ScriptedServer((socket, index) -> {
            ScriptedServer.readHead(socket.getInputStream());
            ScriptedServer.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial");
            release.await(10, TimeUnit.SECONDS);
        })) {
            assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> client().get()
                    .uri(stalling.url("/")).exchangeToMono((response) -> reactor.core.publisher.Mono.never())
                    .timeout(Duration.ofMillis(200)).block(Duration.ofSeconds(10)));

            awaitTrue(() -> totals().active() == 0 && totals().closed(CloseReason.CANCELLED) == 1);
            release.countDown();
        }
    }

    @Test
    void bodyCancelledWhileWaitingForABodyThreadFreesItsConnection() throws Exception {
        this.threads.close();
        this.threads = ConnectorThreads.platform(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedServer stalling = new ScriptedServer((socket, index) -> {
            ScriptedServer.readHead(socket.getInputStream());
            ScriptedServer.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nfirst bytes");
            release.await(10, TimeUnit.SECONDS);
        })) {
            WebClient client = client();
            CountDownLatch firstBytes = new CountDownLatch(1);
            // Holds the only body thread: it reads on, blocked, for as long as the server stalls.
            Disposable holder = client.get().uri(stalling.url("/holder")).retrieve().bodyToFlux(DataBuffer.class)
                    .subscribe((buffer) -> {
                        DataBufferUtils.release(buffer);
                        firstBytes.countDown();
                    });
            assertThat(firstBytes.await(10, TimeUnit.SECONDS)).isTrue();

            assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> client.get().uri(stalling.url("/queued"))
                    .retrieve().bodyToFlux(DataBuffer.class).timeout(Duration.ofMillis(200)).blockLast(
                            Duration.ofSeconds(10)));

            awaitTrue(() -> totals().active() == 1 && totals().closed(CloseReason.CANCELLED) == 1);
            holder.dispose();
            awaitTrue(() -> totals().active() == 0);
            release.countDown();
        }
    }

    @Test
    void callTimeoutStopsAWriterWaitingForTheRequestBody() throws Exception {
        this.transport.close();
        this.transport = new Transport(TransportConfig.builder().callTimeout(Duration.ofMillis(300)).build());
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedServer reading = new ScriptedServer((socket, index) -> {
            ScriptedServer.readHead(socket.getInputStream());
            release.await(10, TimeUnit.SECONDS);
        })) {
            assertThatExceptionOfType(WebClientRequestException.class).isThrownBy(() -> client().post()
                    .uri(reading.url("/upload")).body(BodyInserters.fromDataBuffers(Flux.never())).retrieve()
                    .toBodilessEntity().block(Duration.ofSeconds(10)));

            assertThat(totals().callTimeouts()).isEqualTo(1);
            awaitTrue(() -> totals().active() == 0);
            release.countDown();
        }
    }

    @Test
    void publisherSendingMoreThanAskedFailsTheRequestInsteadOfDroppingBytes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedServer reading = new ScriptedServer((socket, index) -> {
            InputStream in = socket.getInputStream();
            ScriptedServer.readHead(in);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            release.await(10, TimeUnit.SECONDS);
        })) {
            org.reactivestreams.Publisher<DataBuffer> flooding = (subscriber) -> subscriber
                    .onSubscribe(new org.reactivestreams.Subscription() {
                        private boolean sent;

                        @Override
                        public void request(long n) {
                            if (!this.sent) {
                                this.sent = true;
                                subscriber.onNext(DefaultDataBufferFactory.sharedInstance.wrap("one".getBytes()));
                                subscriber.onNext(DefaultDataBufferFactory.sharedInstance.wrap("two".getBytes()));
                            }
                        }

                        @Override
                        public void cancel() {
                        }
                    });

            assertThatExceptionOfType(WebClientRequestException.class).isThrownBy(() -> client().post()
                    .uri(reading.url("/upload")).body(BodyInserters.fromDataBuffers(flooding)).retrieve()
                    .toBodilessEntity().block(Duration.ofSeconds(10)))
                    .withMessageContaining("more buffers than were requested");
            awaitTrue(() -> totals().active() == 0 && totals().idle() == 0);
            release.countDown();
        }
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition met within 10 s").isNegative();
            Thread.sleep(5); // the pool settles on another thread; bounded above
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static MessageDigest update(MessageDigest digest, DataBuffer buffer) {
        try (DataBuffer.ByteBufferIterator buffers = buffer.readableByteBuffers()) {
            buffers.forEachRemaining((ByteBuffer bytes) -> digest.update(bytes));
        }
        DataBufferUtils.release(buffer);
        return digest;
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
