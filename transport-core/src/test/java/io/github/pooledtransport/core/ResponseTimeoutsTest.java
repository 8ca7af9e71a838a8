package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code responseHeaderTimeout} bounds the wait for the response head only; {@code readTimeout} bounds each
 * read of the body.
 */
@Timeout(10)
class ResponseTimeoutsTest {

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
    void serverThatDelaysTheHeadBeyondResponseHeaderTimeoutFailsWithResponseHeaderTimeoutException()
            throws Exception {
        this.raw = new RawHttpServer(RawHttpServer.silentUntilTheClientCloses());
        this.transport = new Transport(
                TransportConfig.builder().responseHeaderTimeout(Duration.ofMillis(150)).build());

        assertThatThrownBy(() -> this.transport.roundTrip(Request.get(this.raw.url("/slow"))))
                .isInstanceOf(ResponseHeaderTimeoutException.class)
                .hasMessageContaining("responseHeaderTimeout=150")
                .hasCauseInstanceOf(SocketTimeoutException.class);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.closed(CloseReason.ERROR)).isEqualTo(1);
        assertThat(totals.active()).isZero();
    }

    @Test
    void responseHeaderTimeoutDoesNotBoundTheBody() throws Exception {
        this.raw = new RawHttpServer((socket, server) -> {
            InputStream in = socket.getInputStream();
            server.readHead(in);
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab".getBytes());
            socket.getOutputStream().flush();
            Thread.sleep(300);
            socket.getOutputStream().write("cd".getBytes());
            RawHttpServer.drainUntilClosed(in);
        });
        this.transport = new Transport(
                TransportConfig.builder().responseHeaderTimeout(Duration.ofMillis(100)).build());

        try (Response response = this.transport.roundTrip(Request.get(this.raw.url("/")))) {
            assertThat(response.body().readAllBytes()).asString().isEqualTo("abcd");
        }
        assertThat(this.transport.stats().totals().closed(CloseReason.ERROR)).isZero();
    }

    @Test
    void stalledBodyFailsWithAnIOExceptionAfterReadTimeout() throws Exception {
        this.raw = new RawHttpServer((socket, server) -> {
            InputStream in = socket.getInputStream();
            server.readHead(in);
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial".getBytes());
            socket.getOutputStream().flush();
            RawHttpServer.drainUntilClosed(in); // stalls with 93 bytes owed
        });
        this.transport = new Transport(TransportConfig.builder().readTimeout(Duration.ofMillis(150)).build());

        try (Response response = this.transport.roundTrip(Request.get(this.raw.url("/")))) {
            byte[] start = response.body().readNBytes(7);
            assertThat(start).asString().isEqualTo("partial");

            assertThatThrownBy(() -> response.body().read())
                    .isInstanceOf(IOException.class)
                    .satisfies(ex -> assertThat(isOrWrapsSocketTimeout(ex)).as("socket timeout").isTrue());
        }
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.closed(CloseReason.ERROR)).isEqualTo(1);
        assertThat(totals.active()).isZero();
        assertThat(totals.idle()).isZero();
    }

    private static boolean isOrWrapsSocketTimeout(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
