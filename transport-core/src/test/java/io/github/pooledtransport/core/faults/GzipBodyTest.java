package io.github.pooledtransport.core.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Transparent gzip decodes like Go's reader: every member of a multi-member body, whenever it arrives; bytes
 * after the last member are an error; an empty gzip-encoded body reads as empty.
 */
class GzipBodyTest {

    @Test
    void multiMemberBodyIsDecodedCompletelyEvenWhenTheSecondMemberArrivesLater() throws Exception {
        byte[] first = gzip("first member;");
        byte[] second = gzip(" second member");
        CountDownLatch secondAllowed = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
            peer.write(chunk(first));
            secondAllowed.await(10, TimeUnit.SECONDS);
            peer.write(chunk(second));
            peer.write("0\r\n\r\n");
            peer.awaitClientClose();
        }); Transport transport = HostileServer.client();
                Response response = transport.roundTrip(Request.get(server.url("/multi")))) {
            byte[] head = response.body().readNBytes("first member;".length());
            // The second member is held back until the client has looked past the first: a decoder that stops at
            // a member boundary with nothing buffered ends here. Released after a while so a correct one proceeds.
            CompletableFuture.runAsync(secondAllowed::countDown, CompletableFuture.delayedExecutor(200,
                    TimeUnit.MILLISECONDS));
            byte[] rest = response.body().readAllBytes();
            assertThat(new String(head, StandardCharsets.UTF_8) + new String(rest, StandardCharsets.UTF_8))
                    .isEqualTo("first member; second member");
        }
    }

    @Test
    void bytesAfterTheLastMemberAreAnError() throws Exception {
        byte[] body = concat(gzip("payload"), "garbage".getBytes(StandardCharsets.US_ASCII));
        try (HostileServer server = answering(body); Transport transport = HostileServer.client();
                Response response = transport.roundTrip(Request.get(server.url("/garbage")))) {
            assertThatExceptionOfType(TransportException.class).isThrownBy(() -> response.body().readAllBytes())
                    .withMessageContaining("127.0.0.1");
        }
    }

    @Test
    void emptyChunkedGzipBodyReadsAsEmpty() throws Exception {
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            while (peer.readRequest() != null) {
                peer.write("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
            }
        }); Transport transport = HostileServer.client();
                Response response = transport.roundTrip(Request.get(server.url("/empty")))) {
            assertThat(response.body().readAllBytes()).isEmpty();
        }
    }

    @Test
    void emptyCloseDelimitedGzipBodyReadsAsEmpty() throws Exception {
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n");
        }); Transport transport = HostileServer.client();
                Response response = transport.roundTrip(Request.get(server.url("/empty")))) {
            assertThat(response.body().readAllBytes()).isEmpty();
        }
    }

    @Test
    void truncatedGzipMemberIsAnError() throws Exception {
        byte[] whole = gzip("a payload long enough to be cut");
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 6);
        try (HostileServer server = answering(cut); Transport transport = HostileServer.client();
                Response response = transport.roundTrip(Request.get(server.url("/cut")))) {
            assertThatExceptionOfType(TransportException.class).isThrownBy(() -> response.body().readAllBytes());
        }
    }

    private static HostileServer answering(byte[] body) throws IOException {
        return new HostileServer(Mode.PLAIN, peer -> {
            while (peer.readRequest() != null) {
                peer.write("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + body.length + "\r\n\r\n");
                peer.write(body);
            }
        });
    }

    private static byte[] chunk(byte[] data) {
        return concat(concat((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII), data),
                "\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
