package io.github.pooledtransport.core.faults;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server that stops reading a request body: with {@code writeTimeout} the stuck write fails and the connection
 * closes; when the server answers first (a {@code 413} while the body is still going up) the caller gets that
 * answer, even though the server neither reads the rest nor closes.
 */
@Timeout(30)
class UploadStallTest {

    /** Far beyond what the socket buffers of both ends hold on loopback. */
    private static final byte[] HUGE = new byte[64 << 20];

    @ParameterizedTest
    @EnumSource(Mode.class)
    void writeTimeoutFailsAWriteThatMakesNoProgressAndClosesTheConnection(Mode mode) throws Exception {
        CountDownLatch testOver = new CountDownLatch(1);
        CountDownLatch uploadHeadRead = new CountDownLatch(1);
        AtomicInteger uploads = new AtomicInteger();
        try (HostileServer server = new HostileServer(mode, peer -> {
            String head = peer.readHead();
            if (head.startsWith("POST")) {
                uploads.incrementAndGet();
                uploadHeadRead.countDown();
                testOver.await(); // stops reading: never reads the body, never answers, never closes
                return;
            }
            peer.write(HostileServer.ok("fine"));
            peer.awaitClientClose();
        }); Transport transport = new Transport(HostileServer.clientConfig().writeTimeout(Duration.ofMillis(300))
                .build())) {
            assertThatThrownBy(() -> transport.roundTrip(post(server, RequestBody.of(HUGE))))
                    .isInstanceOfSatisfying(TransportException.class,
                            ex -> assertThat(ex.setting()).isEqualTo("writeTimeout"))
                    .hasMessageContaining("made no progress for writeTimeout=300 ms")
                    .hasMessageContaining("127.0.0.1:" + server.port());
            PoolStats totals = transport.stats().totals();
            assertThat(totals.closed(CloseReason.WRITE_TIMEOUT)).isEqualTo(1);
            assertThat(totals.active()).isZero();
            assertThat(HostileServer.get(transport, server.url("/after"))).isEqualTo("fine");
            // The jammed write times out whether or not the server's thread got to the head: wait for it.
            assertThat(uploadHeadRead.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(uploads.get()).as("never replayed").isEqualTo(1);
        }
        finally {
            testOver.countDown();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anEarlyFinalResponseIsHeardWhileTheServerNeitherReadsNorCloses(Mode mode) throws Exception {
        earlyResponse(mode, RequestBody.of(HUGE));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anEarlyFinalResponseIsHeardDuringAChunkedUpload(Mode mode) throws Exception {
        earlyResponse(mode, RequestBody.ofStream(new ByteArrayInputStream(HUGE), -1));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anEarlyResponsesLargeBodyIsReadInFullAfterTheUploadStopped(Mode mode) throws Exception {
        byte[] page = new byte[200 * 1024];
        java.util.Arrays.fill(page, (byte) 'x');
        CountDownLatch testOver = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(mode, peer -> {
            peer.readHead();
            peer.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: " + page.length + "\r\n\r\n");
            peer.write(page); // far beyond one read buffer, and beyond one TLS record
            testOver.await();
        }); Transport transport = new Transport(HostileServer.clientConfig().build())) {
            try (Response response = transport.roundTrip(post(server, RequestBody.of(HUGE)))) {
                assertThat(response.status()).isEqualTo(413);
                assertThat(response.body().readAllBytes()).isEqualTo(page);
            }
            assertThat(transport.stats().totals().closed(CloseReason.EARLY_RESPONSE)).isEqualTo(1);
        }
        finally {
            testOver.countDown();
        }
    }

    private void earlyResponse(Mode mode, RequestBody body) throws Exception {
        CountDownLatch testOver = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(mode, peer -> {
            String head = peer.readHead();
            if (head.startsWith("POST")) {
                peer.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\n\r\ntoo large");
                testOver.await(); // neither reads the rest nor closes
                return;
            }
            peer.write(HostileServer.ok("fine"));
            peer.awaitClientClose();
        }); Transport transport = new Transport(HostileServer.clientConfig().build())) {
            try (Response response = transport.roundTrip(post(server, body))) {
                assertThat(response.status()).isEqualTo(413);
                assertThat(response.body().readAllBytes()).asString(StandardCharsets.ISO_8859_1).isEqualTo("too large");
            }
            PoolStats totals = transport.stats().totals();
            assertThat(totals.closed(CloseReason.EARLY_RESPONSE)).isEqualTo(1);
            assertThat(totals.active()).isZero();
            assertThat(totals.idle()).isZero();
            assertThat(HostileServer.get(transport, server.url("/after"))).isEqualTo("fine");
        }
        finally {
            testOver.countDown();
        }
    }

    /**
     * Plain TCP only: under TLS, the reset a server's close with unread data causes can destroy the answer before
     * the TLS layer has decrypted it (Go's client fails there as well); the write failure is then what the caller
     * gets, never a replay.
     */
    @Test
    void anEarlyResponseFollowedByTheServersCloseIsStillTheAnswer() throws Exception {
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            peer.readHead();
            Thread.sleep(100); // the upload is stuck and listened to by now; the outcome does not depend on it
            peer.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\nConnection: close\r\n\r\ntoo large");
            peer.socket.close(); // as nginx: answer, then close with the body unread
        }); Transport transport = new Transport(HostileServer.clientConfig().build())) {
            try (Response response = transport.roundTrip(post(server, RequestBody.of(HUGE)))) {
                assertThat(response.status()).isEqualTo(413);
                assertThat(response.body().readAllBytes()).asString(StandardCharsets.ISO_8859_1).isEqualTo("too large");
            }
            assertThat(server.connections()).as("not replayed").isEqualTo(1);
        }
    }

    @Test
    void aServerThatReadsSlowlyButReadsEverythingIsAnsweredNormally() throws Exception {
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            String head;
            while ((head = peer.readHead()) != null) {
                long length = contentLength(head);
                long read = 0;
                byte[] buffer = new byte[256 * 1024];
                while (read < length) {
                    int n = peer.in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
                    if (n < 0) {
                        return;
                    }
                    read += n;
                }
                peer.write(HostileServer.ok("got " + read));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig().writeTimeout(Duration.ofSeconds(10))
                .build())) {
            byte[] body = new byte[16 << 20];
            try (Response response = transport.roundTrip(post(server, RequestBody.of(body)))) {
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body().readAllBytes()).asString(StandardCharsets.ISO_8859_1)
                        .isEqualTo("got " + body.length);
            }
            assertThat(transport.stats().totals().idle()).as("kept for reuse").isEqualTo(1);
        }
    }

    private static Request post(HostileServer server, RequestBody body) {
        return Request.newBuilder(URI.create(server.url("/upload"))).post(body).build();
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return Long.parseLong(line.substring(15).trim());
            }
        }
        return 0;
    }
}
