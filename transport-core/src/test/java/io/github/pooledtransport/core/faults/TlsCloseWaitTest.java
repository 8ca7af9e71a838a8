package io.github.pooledtransport.core.faults;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Found by {@link ChaosTest}: closing a TLS connection whose server is alive and silent must not wait for the
 * server. The JDK's {@code SSLSocketImpl.close()} (TLS 1.3, no close_notify received yet) reads one record
 * before closing, for as long as the socket's read timeout ({@code bruteForceCloseInput} → {@code deplete});
 * the transport closes the TCP connection first so that read ends at once. The read timeout here is far longer
 * than the test's own bound, so a close that waits hangs the test instead of slowing it.
 */
class TlsCloseWaitTest {

    private static final Duration READ_TIMEOUT = Duration.ofMinutes(10);

    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void closingAnIdleTlsConnectionDoesNotWaitForTheServer() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(HostileServer.Mode.TLS, peer -> {
            peer.readRequest();
            peer.write(HostileServer.ok("hello"));
            released.await(2, TimeUnit.MINUTES); // alive and silent, as a keep-alive server is
        }); Transport transport = new Transport(HostileServer.clientConfig().readTimeout(READ_TIMEOUT).build())) {
            try (Response response = transport.roundTrip(Request.get(server.url("/")))) {
                assertThat(response.body().readAllBytes()).hasSize(5);
            }
            int closed = assertTimeoutPreemptively(BOUND, transport::closeIdleConnections);
            released.countDown();
            assertThat(closed).isEqualTo(1);
        }
    }

    @Test
    void discardingATlsConnectionWithStrayBytesDoesNotWaitForTheServer() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(HostileServer.Mode.TLS, peer -> {
            peer.readRequest();
            peer.write(HostileServer.ok("hello") + HostileServer.ok("stray"));
            released.await(2, TimeUnit.MINUTES);
        }); Transport transport = new Transport(HostileServer.clientConfig().readTimeout(READ_TIMEOUT).build())) {
            byte[] body = assertTimeoutPreemptively(BOUND, () -> {
                try (Response response = transport.roundTrip(Request.get(server.url("/")))) {
                    return response.body().readAllBytes(); // the end of the body discards the connection
                }
            });
            released.countDown();
            assertThat(body).hasSize(5);
            assertThat(transport.stats().totals().closed(CloseReason.UNSOLICITED_RESPONSE)).isEqualTo(1);
        }
    }
}
