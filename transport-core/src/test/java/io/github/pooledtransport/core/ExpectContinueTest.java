package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Expect: 100-continue}: the body waits for the server's go-ahead, is never sent after a final
 * status, and is sent anyway when the server stays silent for {@code expectContinueTimeout}.
 */
@Timeout(10)
class ExpectContinueTest {

    private static final String BODY = "hello";

    private RawHttpServer raw;

    private Transport transport;

    @AfterEach
    void stop() throws Exception {
        if (this.transport != null) {
            this.transport.close();
        }
        if (this.raw != null) {
            this.raw.close();
        }
    }

    @Test
    void bodyIsSentAfterTheServerAnswers100Continue() throws Exception {
        CompletableFuture<Boolean> bodyArrivedBeforeContinue = new CompletableFuture<>();
        CompletableFuture<String> bodyAtServer = new CompletableFuture<>();
        this.raw = new RawHttpServer((socket, server) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            server.readHead(in);
            socket.setSoTimeout(150);
            try {
                bodyArrivedBeforeContinue.complete(in.read() != -1);
            }
            catch (SocketTimeoutException expected) {
                bodyArrivedBeforeContinue.complete(false);
            }
            socket.setSoTimeout(0);
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            bodyAtServer.complete(new String(RawHttpServer.readExactly(in, BODY.length()), StandardCharsets.UTF_8));
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\naccepted".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            RawHttpServer.drainUntilClosed(in);
        });
        // Long enough that only the 100 Continue can release the body within the test's time limit.
        this.transport = new Transport(TransportConfig.builder().expectContinueTimeout(Duration.ofSeconds(30)).build());

        try (Response response = this.transport.roundTrip(expectContinuePost())) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().readAllBytes()).asString().isEqualTo("accepted");
        }

        assertThat(this.raw.heads().get(0)).containsIgnoringCase("Expect: 100-continue");
        assertThat(bodyArrivedBeforeContinue.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(bodyAtServer.get(5, TimeUnit.SECONDS)).isEqualTo(BODY);
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
    }

    @Test
    void finalStatusInsteadOf100ContinueMeansTheBodyIsNeverSentAndTheConnectionIsNotReused() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        CompletableFuture<Long> bytesAfterHeadOnFirstConnection = new CompletableFuture<>();
        this.raw = new RawHttpServer((socket, server) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            if (connections.incrementAndGet() == 1) {
                server.readHead(in);
                out.write("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 4\r\n\r\nnope"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                bytesAfterHeadOnFirstConnection.complete(RawHttpServer.drainUntilClosed(in));
                return;
            }
            RawHttpServer.answeringEveryRequestWith("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .serve(socket, server);
        });
        this.transport = new Transport(TransportConfig.builder().expectContinueTimeout(Duration.ofSeconds(30)).build());

        try (Response response = this.transport.roundTrip(expectContinuePost())) {
            assertThat(response.status()).isEqualTo(417);
            assertThat(response.body().readAllBytes()).asString().isEqualTo("nope");
        }
        try (Response next = this.transport.roundTrip(Request.get(this.raw.url("/next")))) {
            assertThat(next.body().readAllBytes()).asString().isEqualTo("ok");
        }

        assertThat(bytesAfterHeadOnFirstConnection.get(5, TimeUnit.SECONDS)).as("body bytes sent after 417").isZero();
        assertThat(this.raw.connections()).isEqualTo(2);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.closed(CloseReason.CONNECTION_CLOSE)).isEqualTo(1);
        assertThat(totals.reused()).isZero();
    }

    @Test
    void bodyIsSentAfterExpectContinueTimeoutWhenTheServerStaysSilent() throws Exception {
        CompletableFuture<String> bodyAtServer = new CompletableFuture<>();
        this.raw = new RawHttpServer((socket, server) -> {
            InputStream in = socket.getInputStream();
            server.readHead(in);
            bodyAtServer.complete(new String(RawHttpServer.readExactly(in, BODY.length()), StandardCharsets.UTF_8));
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            RawHttpServer.drainUntilClosed(in);
        });
        this.transport = new Transport(
                TransportConfig.builder().expectContinueTimeout(Duration.ofMillis(100)).build());

        try (Response response = this.transport.roundTrip(expectContinuePost())) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().readAllBytes()).asString().isEqualTo("ok");
        }

        assertThat(bodyAtServer.get(5, TimeUnit.SECONDS)).isEqualTo(BODY);
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
    }

    private Request expectContinuePost() {
        return Request.newBuilder(URI.create(this.raw.url("/upload")))
                .header("Expect", "100-continue")
                .post(RequestBody.of(BODY, StandardCharsets.UTF_8))
                .build();
    }
}
