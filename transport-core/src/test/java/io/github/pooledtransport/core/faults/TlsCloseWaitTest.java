package io.github.pooledtransport.core.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;

/**
 * Found by {@link ChaosTest}: closing a TLS connection whose server is alive and silent blocks the closing
 * thread for up to the socket's SO_TIMEOUT, because JDK's {@code SSLSocketImpl.close()} (TLS 1.3, no
 * close_notify received yet) waits to read one record before closing ({@code bruteForceCloseInput} →
 * {@code deplete(true)} when SO_TIMEOUT &gt; 0). The transport leaves the last read timeout on the socket, so
 * every discard of such a connection costs up to {@code readTimeout}.
 */
class TlsCloseWaitTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);

    @Test
    @Disabled("bug: closeTransport() calls SSLSocket.close() with the last read timeout still on the socket; "
            + "JDK waits up to that long for the server's close_notify (3 s here)")
    void closingAnIdleTlsConnectionDoesNotWaitForTheServer() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(HostileServer.Mode.TLS, peer -> {
            peer.readRequest();
            peer.write(HostileServer.ok("hello"));
            released.await(10, TimeUnit.SECONDS); // alive and silent, as a keep-alive server is
        }); Transport transport = new Transport(HostileServer.clientConfig().readTimeout(READ_TIMEOUT).build())) {
            try (Response response = transport.roundTrip(Request.get(server.url("/")))) {
                assertThat(response.body().readAllBytes()).hasSize(5);
            }
            long start = System.nanoTime();
            assertThat(transport.closeIdleConnections()).isEqualTo(1);
            long millis = (System.nanoTime() - start) / 1_000_000;
            released.countDown();
            assertThat(millis).as("closeIdleConnections() took %d ms", millis).isLessThan(1000);
        }
    }

    @Test
    @Disabled("bug: discarding a TLS connection on the reading thread blocks it up to readTimeout in "
            + "SSLSocket.close(), waiting for a close_notify the live server never sends")
    void discardingATlsConnectionWithStrayBytesDoesNotWaitForTheServer() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(HostileServer.Mode.TLS, peer -> {
            peer.readRequest();
            peer.write(HostileServer.ok("hello") + HostileServer.ok("stray"));
            released.await(10, TimeUnit.SECONDS);
        }); Transport transport = new Transport(HostileServer.clientConfig().readTimeout(READ_TIMEOUT).build())) {
            long start;
            try (Response response = transport.roundTrip(Request.get(server.url("/")))) {
                start = System.nanoTime(); // the handshake is done: what follows is reading and the discard
                assertThat(response.body().readAllBytes()).hasSize(5);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            released.countDown();
            assertThat(millis).as("reading the body and discarding the connection took %d ms", millis)
                    .isLessThan(1000);
            assertThat(transport.stats().totals().closed(io.github.pooledtransport.core.CloseReason.UNSOLICITED_RESPONSE))
                    .isEqualTo(1);
        }
    }
}
