package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code maxResponseHeaderBytes} caps the status line and headers, line terminators included.
 */
class ResponseHeadLimitTest {

    private static final int LIMIT = 1024;

    private RawHttpServer raw;

    private final Transport transport = new Transport(
            TransportConfig.builder().maxResponseHeaderBytes(LIMIT).build());

    @AfterEach
    void stop() throws Exception {
        this.transport.close();
        if (this.raw != null) {
            this.raw.close();
        }
    }

    @Test
    void headWithManyHeadersBeyondTheLimitFailsNamingTheLimit() throws Exception {
        StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
        for (int i = 0; i < 40; i++) {
            head.append(String.format("X-Filler-%02d: %s\r\n", i, "a".repeat(40)));
        }
        this.raw = new RawHttpServer(RawHttpServer.answeringEveryRequestWith(head.append("\r\n").toString()));

        assertThatThrownBy(() -> this.transport.roundTrip(Request.get(this.raw.url("/"))))
                .isInstanceOf(ResponseHeadersTooLargeException.class)
                .hasMessageContaining("maxResponseHeaderBytes=" + LIMIT);
        assertThat(this.transport.stats().totals().closed(CloseReason.ERROR)).isEqualTo(1);
        assertThat(this.transport.stats().totals().active()).isZero();
    }

    @Test
    void singleHeaderLineLongerThanTheLimitFailsNamingTheLimit() throws Exception {
        this.raw = new RawHttpServer(RawHttpServer.answeringEveryRequestWith(
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Huge: " + "b".repeat(LIMIT * 2) + "\r\n\r\n"));

        assertThatThrownBy(() -> this.transport.roundTrip(Request.get(this.raw.url("/"))))
                .isInstanceOf(ResponseHeadersTooLargeException.class)
                .hasMessageContaining("maxResponseHeaderBytes=" + LIMIT);
        assertThat(this.transport.stats().totals().closed(CloseReason.ERROR)).isEqualTo(1);
    }

    @Test
    void headOfExactlyTheLimitIsAccepted() throws Exception {
        this.raw = new RawHttpServer(RawHttpServer.answeringEveryRequestWith(headOfLength(LIMIT) + "ok"));

        try (Response response = this.transport.roundTrip(Request.get(this.raw.url("/")))) {
            assertThat(response.body().readAllBytes()).asString().isEqualTo("ok");
        }
    }

    @Test
    void headOneByteOverTheLimitIsRejected() throws Exception {
        this.raw = new RawHttpServer(RawHttpServer.answeringEveryRequestWith(headOfLength(LIMIT + 1) + "ok"));

        assertThatThrownBy(() -> this.transport.roundTrip(Request.get(this.raw.url("/"))))
                .isInstanceOf(ResponseHeadersTooLargeException.class);
    }

    /** A response head of exactly {@code length} bytes, CRLFs and the blank line included, for a 2-byte body. */
    private static String headOfLength(int length) {
        String start = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: ";
        String end = "\r\n\r\n";
        String head = start + "p".repeat(length - start.length() - end.length()) + end;
        assertThat(head).hasSize(length);
        return head;
    }
}
