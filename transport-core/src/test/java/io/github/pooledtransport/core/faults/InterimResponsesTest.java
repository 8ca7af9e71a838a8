package io.github.pooledtransport.core.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.ResponseHeadersTooLargeException;
import io.github.pooledtransport.core.TooManyInterimResponsesException;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Interim (1xx) responses are bounded twice: at most five before the final one ({@code 100} included), and all
 * heads of a response together within {@code maxResponseHeaderBytes}.
 */
class InterimResponsesTest {

    private static final String EARLY_HINTS = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";

    @Test
    void fiveInterimResponsesAreReadThenTheFinalOne() throws Exception {
        try (HostileServer server = answering(EARLY_HINTS.repeat(5) + HostileServer.ok("final"));
                Transport transport = HostileServer.client();
                Response response = transport.roundTrip(Request.get(server.url("/")))) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("final");
        }
    }

    @Test
    void aSixthInterimResponseFails() throws Exception {
        try (HostileServer server = answering(EARLY_HINTS.repeat(6) + HostileServer.ok("final"));
                Transport transport = HostileServer.client()) {
            assertThatExceptionOfType(TooManyInterimResponsesException.class)
                    .isThrownBy(() -> transport.roundTrip(Request.get(server.url("/"))))
                    .withMessageContaining("more than 5 interim");
        }
    }

    @Test
    void interimHeadsCountTowardTheHeaderLimitWithTheFinalHead() throws Exception {
        String hint = "HTTP/1.1 103 Early Hints\r\nLink: " + "x".repeat(400) + "\r\n\r\n";
        try (HostileServer server = answering(hint.repeat(3) + HostileServer.ok("final"));
                Transport transport = new Transport(HostileServer.clientConfig().maxResponseHeaderBytes(1000)
                        .build())) {
            assertThatExceptionOfType(ResponseHeadersTooLargeException.class)
                    .isThrownBy(() -> transport.roundTrip(Request.get(server.url("/"))));
        }
    }

    @Test
    void aContinueThatFollowsEarlyHintsReleasesTheRequestBody() throws Exception {
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            String head = peer.readRequest(); // Expect: 100-continue: the body has not come yet
            if (!head.contains("Expect: 100-continue")) {
                throw new AssertionError(head);
            }
            peer.write(EARLY_HINTS + "HTTP/1.1 100 Continue\r\n\r\n");
            byte[] body = peer.in.readNBytes(4);
            peer.write(HostileServer.ok("got " + new String(body, StandardCharsets.UTF_8)));
            peer.awaitClientClose();
        }); Transport transport = new Transport(HostileServer.clientConfig()
                .expectContinueTimeout(Duration.ofSeconds(30)).readTimeout(Duration.ofSeconds(5)).build())) {
            Request request = Request.newBuilder(java.net.URI.create(server.url("/upload")))
                    .post(RequestBody.of("data".getBytes(StandardCharsets.UTF_8))).header("Expect", "100-continue")
                    .build();
            try (Response response = transport.roundTrip(request)) {
                assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("got data");
            }
        }
    }

    private static HostileServer answering(String bytes) throws java.io.IOException {
        return new HostileServer(Mode.PLAIN, peer -> {
            while (peer.readRequest() != null) {
                peer.write(bytes);
            }
        });
    }
}
