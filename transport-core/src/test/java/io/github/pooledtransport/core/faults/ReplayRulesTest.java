package io.github.pooledtransport.core.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Replays follow Go's {@code shouldRetryRequest}: after a reused connection failed with no response byte, a
 * request goes again, once, on a fresh connection, only if it is replayable (GET, HEAD, OPTIONS, TRACE, or an
 * idempotency key) with no body or a repeatable one. PUT and DELETE without a key are not replayed.
 */
class ReplayRulesTest {

    @Test
    void putWithoutAnIdempotencyKeyIsNotReplayedWhenTheReusedConnectionDiesUnanswered() throws Exception {
        try (HostileServer server = dyingAfterFirstExchange(); Transport transport = HostileServer.client()) {
            warmUp(transport, server);
            Request put = Request.newBuilder(java.net.URI.create(server.url("/put")))
                    .method("PUT", RequestBody.of("v".getBytes(StandardCharsets.UTF_8))).build();
            assertThatExceptionOfType(TransportException.class).isThrownBy(() -> transport.roundTrip(put));
            assertThat(server.heads()).filteredOn(head -> head.startsWith("PUT")).hasSize(1);
        }
    }

    @Test
    void deleteWithoutAnIdempotencyKeyIsNotReplayed() throws Exception {
        try (HostileServer server = dyingAfterFirstExchange(); Transport transport = HostileServer.client()) {
            warmUp(transport, server);
            Request delete = Request.newBuilder(java.net.URI.create(server.url("/d"))).method("DELETE", null).build();
            assertThatExceptionOfType(TransportException.class).isThrownBy(() -> transport.roundTrip(delete));
            assertThat(server.heads()).filteredOn(head -> head.startsWith("DELETE")).hasSize(1);
        }
    }

    @Test
    void putWithAnIdempotencyKeyIsReplayedOnceOnAFreshConnection() throws Exception {
        try (HostileServer server = dyingAfterFirstExchange(); Transport transport = HostileServer.client()) {
            warmUp(transport, server);
            Request put = Request.newBuilder(java.net.URI.create(server.url("/put")))
                    .method("PUT", RequestBody.of("v".getBytes(StandardCharsets.UTF_8)))
                    .header("Idempotency-Key", "k-1").build();
            try (Response response = transport.roundTrip(put)) {
                assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("fresh");
            }
            assertThat(server.heads()).filteredOn(head -> head.startsWith("PUT")).hasSize(2);
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    @Test
    void getIsReplayedOnceOnAFreshConnection() throws Exception {
        try (HostileServer server = dyingAfterFirstExchange(); Transport transport = HostileServer.client()) {
            warmUp(transport, server);
            try (Response response = transport.roundTrip(Request.get(server.url("/again")))) {
                assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("fresh");
            }
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    @Test
    void aFailureOfTheCallersOwnBodyReachesTheCallerUnchangedAndIsNeverReplayed() throws Exception {
        IOException mine = new IOException("the caller's source failed");
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("ok"));
            }
        }); Transport transport = HostileServer.client()) {
            warmUp(transport, server);
            Request post = Request.newBuilder(java.net.URI.create(server.url("/body")))
                    .header("Idempotency-Key", "replayable-were-it-the-connection").method("POST", new RequestBody() {
                        @Override
                        public long contentLength() {
                            return 10;
                        }

                        @Override
                        public boolean isRepeatable() {
                            return true;
                        }

                        @Override
                        public void writeTo(OutputStream out) throws IOException {
                            out.write("half".getBytes(StandardCharsets.UTF_8));
                            throw mine;
                        }
                    }).build();
            assertThatExceptionOfType(IOException.class).isThrownBy(() -> transport.roundTrip(post))
                    .isSameAs(mine);
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    /** The first connection answers one request, then closes when the next one arrives, without a byte. */
    private static HostileServer dyingAfterFirstExchange() throws IOException {
        return new HostileServer(Mode.PLAIN, peer -> {
            if (peer.number == 1) {
                peer.readRequest();
                peer.write(HostileServer.ok("first"));
                peer.readRequest();
                return; // closes without answering
            }
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("fresh"));
            }
        });
    }

    private static void warmUp(Transport transport, HostileServer server) throws IOException {
        try (Response response = transport.roundTrip(Request.get(server.url("/warm")))) {
            response.body().readAllBytes();
        }
    }
}
