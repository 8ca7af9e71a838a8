package io.github.pooledtransport.core.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.ResponseFramingException;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Framing doubts are resolved safely (RFC 9112 6.3): what cannot be framed exactly fails with a specific
 * error, and an ambiguous but readable response does not leave its connection for reuse.
 */
class ResponseFramingTest {

    @Test
    void contentLengthAndTransferEncodingTogetherAreReadAsChunkedAndTheConnectionIsNotReused() throws Exception {
        try (HostileServer server = answering("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n"); Transport transport = HostileServer.client()) {
            try (Response response = transport.roundTrip(Request.get(server.url("/both")))) {
                assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            }
            try (Response response = transport.roundTrip(Request.get(server.url("/again")))) {
                response.body().readAllBytes();
            }
            assertThat(server.connections()).isEqualTo(2);
            assertThat(transport.stats().totals().closed(CloseReason.FRAMING_ERROR)).isEqualTo(2);
        }
    }

    @Test
    void differingDuplicateContentLengthsFail() throws Exception {
        assertFramingError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", "Content-Length");
    }

    @Test
    void differingContentLengthsInOneHeaderFail() throws Exception {
        assertFramingError("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!", "Content-Length");
    }

    @Test
    void identicalDuplicateContentLengthsAreAccepted() throws Exception {
        try (HostileServer server = answering("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
                Transport transport = HostileServer.client();
                Response response = transport.roundTrip(Request.get(server.url("/same")))) {
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
    }

    @Test
    void aSignedContentLengthFails() throws Exception {
        assertFramingError("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello", "Content-Length");
    }

    @Test
    void aFinalTransferCodingOtherThanChunkedFails() throws Exception {
        assertFramingError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nhello", "transfer coding");
    }

    @Test
    void transferEncodingInAnHttp10ResponseFails() throws Exception {
        assertFramingError("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "HTTP/1.0");
    }

    @Test
    void aPlusSignedChunkSizeFails() throws Exception {
        assertBodyFramingError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void aMinusSignedChunkSizeFails() throws Exception {
        assertBodyFramingError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n");
    }

    private static void assertFramingError(String response, String named) throws Exception {
        try (HostileServer server = answering(response); Transport transport = HostileServer.client()) {
            assertThatExceptionOfType(ResponseFramingException.class)
                    .isThrownBy(() -> transport.roundTrip(Request.get(server.url("/bad"))))
                    .withMessageContaining(named).withMessageContaining("127.0.0.1");
            assertThat(transport.stats().totals().closed(CloseReason.FRAMING_ERROR)).isEqualTo(1);
        }
    }

    private static void assertBodyFramingError(String response) throws Exception {
        try (HostileServer server = answering(response); Transport transport = HostileServer.client();
                Response r = transport.roundTrip(Request.get(server.url("/bad")))) {
            assertThatExceptionOfType(ResponseFramingException.class).isThrownBy(() -> r.body().readAllBytes())
                    .withMessageContaining("chunk");
            assertThat(transport.stats().totals().closed(CloseReason.FRAMING_ERROR)).isEqualTo(1);
        }
    }

    private static HostileServer answering(String bytes) throws IOException {
        return new HostileServer(Mode.PLAIN, peer -> {
            while (peer.readRequest() != null) {
                peer.write(bytes);
            }
        });
    }
}
