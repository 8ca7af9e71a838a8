package io.github.pooledtransport.core.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bytes a server writes on a connection after its response, while the connection sits idle in the pool, answer
 * no request. They must never reach the next request: the connection is found dirty when it is handed out,
 * whatever its idle time, and the request goes to a fresh connection (Go: "Unsolicited response received on
 * idle HTTP channel").
 */
class UnsolicitedBytesTest {

    private static final String LATE_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nWRONG";

    @ParameterizedTest
    @EnumSource(Mode.class)
    void lateResponseAfterA204NeverReachesTheNextRequest(Mode mode) throws Exception {
        assertStrayBytesAreNotServed(mode, "GET", "HTTP/1.1 204 No Content\r\n\r\n", LATE_RESPONSE);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void lateResponseAfterA304NeverReachesTheNextRequest(Mode mode) throws Exception {
        assertStrayBytesAreNotServed(mode, "GET", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", LATE_RESPONSE);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void bodyBytesAfterAHeadResponseNeverReachTheNextRequest(Mode mode) throws Exception {
        assertStrayBytesAreNotServed(mode, "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "WRONG");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void bytesAfterACompleteBodyNeverReachTheNextRequest(Mode mode) throws Exception {
        assertStrayBytesAreNotServed(mode, "GET", HostileServer.ok("first"), LATE_RESPONSE);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void a408SentOnAnIdleConnectionNeverReachesTheNextRequest(Mode mode) throws Exception {
        assertStrayBytesAreNotServed(mode, "GET", HostileServer.ok("first"),
                "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    }

    /**
     * The first connection answers its request, then (once the client has its response) writes stray bytes and
     * stays open; every later connection answers properly. The second request must get its own answer, from a
     * second connection, even though the first one was idle only briefly (below staleCheckAfterIdle).
     */
    private void assertStrayBytesAreNotServed(Mode mode, String firstMethod, String firstResponse, String stray)
            throws Exception {
        CountDownLatch firstResponseRead = new CountDownLatch(1);
        CountDownLatch strayWritten = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(mode, peer -> {
            if (peer.number == 1) {
                peer.readRequest();
                peer.write(firstResponse);
                firstResponseRead.await(10, TimeUnit.SECONDS);
                peer.write(stray);
                peer.awaitDeliveredToClient();
                strayWritten.countDown();
                peer.awaitClientClose();
                return;
            }
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("right"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig()
                .staleCheckAfterIdle(Duration.ofHours(1)).build())) {
            try (Response first = transport.roundTrip(Request.newBuilder(java.net.URI.create(server.url("/first")))
                    .method(firstMethod, null).build())) {
                first.body().readAllBytes();
            }
            firstResponseRead.countDown();
            assertThat(strayWritten.await(10, TimeUnit.SECONDS)).isTrue();

            try (Response second = transport.roundTrip(Request.get(server.url("/second")))) {
                assertThat(new String(second.body().readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("right");
            }
            assertThat(server.connections()).isEqualTo(2);
            assertThat(transport.stats().totals().closed(CloseReason.UNSOLICITED_RESPONSE)).isEqualTo(1);
        }
    }
}
