package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Arrays;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reading a whole body with a declared length (what Spring's byte[] converter does) returns exactly its bytes and
 * gives the connection back at once, before the response is closed.
 */
class ResponseBodyReadAllTest {

    private final MockWebServer server = new MockWebServer();

    private final Transport transport = new Transport(TransportConfig.builder().disableCompression(true).build());

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void readAllBytesOfALargeBodyReturnsItExactlyAndReleasesTheConnection() throws Exception {
        byte[] content = new byte[300_000];
        Arrays.fill(content, (byte) 'z');
        content[content.length - 1] = 'E';
        this.server.enqueue(new MockResponse.Builder().body(new Buffer().write(content)).build());
        this.server.start(InetAddress.getLoopbackAddress(), 0);

        Response response = this.transport.roundTrip(Request.get("http://127.0.0.1:" + this.server.getPort() + "/"));
        byte[] body = response.body().readAllBytes();

        assertThat(body).isEqualTo(content);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.idle()).as("released at the end of the body, before close").isEqualTo(1);
        assertThat(totals.active()).isZero();
        response.close();
        assertThat(this.transport.stats().totals().closedTotal()).isZero();
    }

    @Test
    void aDeclaredLengthThatNeverArrivesIsNotAllocatedUpFront() throws Exception {
        // Claims almost 2 GB, sends 10 bytes, closes: reading must fail on the missing bytes, having allocated about
        // what arrived, not the declared length.
        try (RawHttpServer raw = new RawHttpServer((socket, server) -> {
            server.readHead(socket.getInputStream());
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2000000000\r\n\r\n0123456789"
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            socket.close();
        }); Response response = this.transport.roundTrip(Request.get(raw.url("/")))) {
            long before = allocatedByThisThread();

            org.assertj.core.api.Assertions.assertThatIOException()
                    .isThrownBy(() -> response.body().readNBytes(2_000_000_000));

            assertThat(allocatedByThisThread() - before).isLessThan(64L << 20);
        }
    }

    @Test
    void readingTheDeclaredLengthWithReadNBytesReleasesTheConnectionBeforeClose() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("0123456789").build());
        this.server.start(InetAddress.getLoopbackAddress(), 0);

        try (Response response = this.transport.roundTrip(
                Request.get("http://127.0.0.1:" + this.server.getPort() + "/"))) {
            assertThat(new String(response.body().readNBytes(10))).isEqualTo("0123456789");
            assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
        }
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    @Test
    void readNBytesStopsAtTheRequestedCountAndTheRestCanStillBeRead() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("0123456789").build());
        this.server.start(InetAddress.getLoopbackAddress(), 0);

        try (Response response = this.transport.roundTrip(
                Request.get("http://127.0.0.1:" + this.server.getPort() + "/"))) {
            assertThat(new String(response.body().readNBytes(4))).isEqualTo("0123");
            assertThat(new String(response.body().readNBytes(100))).isEqualTo("456789");
            assertThat(response.body().read()).isEqualTo(-1);
        }
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
    }
}
