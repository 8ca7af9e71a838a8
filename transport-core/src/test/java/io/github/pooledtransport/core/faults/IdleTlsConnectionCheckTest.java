package io.github.pooledtransport.core.faults;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idle TLS connections are checked like plain ones: what the server sent while the connection was idle (a
 * {@code close_notify}, data) is read through the TLS layer before a request that could not be replayed is
 * written to it; a session ticket or nothing at all leaves the connection usable.
 */
class IdleTlsConnectionCheckTest {

    @Test
    void oneShotPostOverHttpsAfterTheServerClosedTheIdleConnectionGoesToANewConnection() throws Exception {
        CountDownLatch firstAnswered = new CountDownLatch(1);
        CountDownLatch firstClosed = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(Mode.TLS, peer -> {
            if (peer.number == 1) {
                peer.readRequest();
                peer.write(HostileServer.ok("first"));
                firstAnswered.await(10, TimeUnit.SECONDS);
                peer.socket.close(); // sends close_notify, then FIN
                firstClosed.countDown();
                return;
            }
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("posted"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig()
                .staleCheckAfterIdle(Duration.ofHours(1)).build())) {
            try (Response first = transport.roundTrip(Request.get(server.url("/first")))) {
                first.body().readAllBytes();
            }
            firstAnswered.countDown();
            assertThat(firstClosed.await(10, TimeUnit.SECONDS)).isTrue();

            byte[] payload = "once".getBytes(StandardCharsets.UTF_8);
            Request post = Request.newBuilder(java.net.URI.create(server.url("/post")))
                    .post(RequestBody.ofStream(new ByteArrayInputStream(payload), payload.length)).build();
            try (Response response = transport.roundTrip(post)) {
                assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("posted");
            }
            assertThat(server.connections()).isEqualTo(2);
            assertThat(transport.stats().totals().closed(CloseReason.SERVER_CLOSED)).isEqualTo(1);
        }
    }

    @Test
    void checkingAnIdleTlsConnectionEveryTimeKeepsItUsable() throws Exception {
        try (HostileServer server = new HostileServer(Mode.TLS, peer -> {
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("same"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig()
                .staleCheckAfterIdle(Duration.ZERO).build())) {
            for (int i = 0; i < 5; i++) {
                try (Response response = transport.roundTrip(Request.get(server.url("/" + i)))) {
                    assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("same");
                }
            }
            assertThat(server.connections()).isEqualTo(1);
            assertThat(transport.stats().totals().reused()).isEqualTo(4);
        }
    }

    /**
     * A TLS 1.3 record that carries no data (here a KeyUpdate, which the JDK server sends from
     * {@code startHandshake()} on an established connection, as it would a late session ticket) waits on the idle
     * connection: the check reads it through TLS, the engine consumes it, and the connection is reused.
     */
    @Test
    void aRecordWithoutDataWaitingOnAnIdleTlsConnectionIsConsumedAndTheConnectionReused() throws Exception {
        CountDownLatch firstAnswered = new CountDownLatch(1);
        CountDownLatch recordDelivered = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(Mode.TLS, peer -> {
            peer.readRequest();
            peer.write(HostileServer.ok("first"));
            firstAnswered.await(10, TimeUnit.SECONDS);
            ((javax.net.ssl.SSLSocket) peer.socket).startHandshake(); // TLS 1.3: a KeyUpdate record
            peer.out.flush();
            peer.awaitDeliveredToClient();
            recordDelivered.countDown();
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("second"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig()
                .staleCheckAfterIdle(Duration.ofHours(1)).build())) {
            try (Response first = transport.roundTrip(Request.get(server.url("/first")))) {
                first.body().readAllBytes();
            }
            firstAnswered.countDown();
            assertThat(recordDelivered.await(10, TimeUnit.SECONDS)).isTrue();
            try (Response second = transport.roundTrip(Request.get(server.url("/second")))) {
                assertThat(new String(second.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("second");
            }
            assertThat(server.connections()).isEqualTo(1);
            assertThat(transport.stats().totals().reused()).isEqualTo(1);
        }
    }
}
