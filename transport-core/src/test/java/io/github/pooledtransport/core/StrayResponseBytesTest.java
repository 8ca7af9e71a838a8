package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bytes a server sends beyond the end of a response belong to no request: a connection holding them must not
 * be reused, or the next request would be answered with them (response desynchronisation).
 */
@Timeout(10)
class StrayResponseBytesTest {

    private static final String STRAY_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray";

    private RawHttpServer raw;

    private final Transport transport = new Transport(TransportConfig.defaults());

    @AfterEach
    void stop() throws Exception {
        this.transport.close();
        if (this.raw != null) {
            this.raw.close();
        }
    }

    @Test
    void extraResponseAfterAContentLengthBodyIsNeverTakenAsTheNextResponse() throws Exception {
        this.raw = new RawHttpServer(serverAppendingAStrayResponseToItsFirstAnswer(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"));

        assertThat(get("/first")).isEqualTo("first");
        assertThat(get("/second")).isEqualTo("fresh");
    }

    @Test
    void extraResponseAfterABodilessResponseIsNeverTakenAsTheNextResponse() throws Exception {
        this.raw = new RawHttpServer(serverAppendingAStrayResponseToItsFirstAnswer(
                "HTTP/1.1 204 No Content\r\n\r\n"));

        try (Response response = this.transport.roundTrip(Request.get(this.raw.url("/first")))) {
            assertThat(response.status()).isEqualTo(204);
        }
        assertThat(get("/second")).isEqualTo("fresh");
    }

    /**
     * Answers the first request with {@code first} immediately followed, in the same write, by a complete
     * response nobody asked for; every later request on any connection gets {@code fresh}.
     */
    private static RawHttpServer.Script serverAppendingAStrayResponseToItsFirstAnswer(String first) {
        java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        return (socket, server) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (server.readHead(in) != null) {
                String answer = answered.compareAndSet(false, true) ? first + STRAY_RESPONSE
                        : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh";
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        };
    }

    private String get(String path) throws Exception {
        try (Response response = this.transport.roundTrip(Request.get(this.raw.url(path)))) {
            return new String(response.body().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
