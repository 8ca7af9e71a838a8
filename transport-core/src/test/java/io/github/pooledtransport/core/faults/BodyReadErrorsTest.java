package io.github.pooledtransport.core.faults;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestOptions;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A failure while reading a body says what happened and where: the host, and for a timeout the setting and
 * value that applied; the original exception stays the cause, and no internal exception type reaches the
 * caller. A later read fails the same way.
 */
class BodyReadErrorsTest {

    @ParameterizedTest
    @EnumSource(Mode.class)
    void resetWhileReadingTheBodyNamesTheHostAndKeepsTheCause(Mode mode) throws Exception {
        CountDownLatch headRead = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(mode, peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
            headRead.await(10, TimeUnit.SECONDS);
            peer.reset();
        }); Transport transport = HostileServer.client();
                Response response = transport.roundTrip(Request.get(server.url("/reset")))) {
            byte[] first = new byte[7];
            assertThat(response.body().readNBytes(first, 0, 7)).isEqualTo(7);
            headRead.countDown();
            TransportException ex = catchTransport(() -> response.body().readAllBytes());
            assertThat(ex).hasMessageContaining("127.0.0.1:" + server.port());
            assertThat(ex.getCause()).isInstanceOf(IOException.class);
            assertPublic(ex);
            assertThatExceptionOfType(TransportException.class).isThrownBy(() -> response.body().read())
                    .withMessage(ex.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void bodyReadTimeoutNamesTheTransportSettingAndItsValue(Mode mode) throws Exception {
        try (HostileServer server = stallingServer(mode);
                Transport transport = new Transport(HostileServer.clientConfig().readTimeout(Duration.ofMillis(200))
                        .build());
                Response response = transport.roundTrip(Request.get(server.url("/stall")))) {
            TransportException ex = catchTransport(() -> response.body().readAllBytes());
            assertThat(ex).hasMessageContaining("127.0.0.1:" + server.port()).hasMessageContaining("readTimeout=200 ms")
                    .hasCauseInstanceOf(SocketTimeoutException.class);
            assertPublic(ex);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void bodyReadTimeoutSetOnTheRequestSaysSo(Mode mode) throws Exception {
        try (HostileServer server = stallingServer(mode); Transport transport = HostileServer.client();
                Response response = transport.roundTrip(Request.newBuilder(java.net.URI.create(server.url("/stall")))
                        .options(RequestOptions.timeouts(null, Duration.ofMillis(150))).build())) {
            TransportException ex = catchTransport(() -> response.body().readAllBytes());
            assertThat(ex).hasMessageContaining("readTimeout=150 ms (this request's option)");
        }
    }

    private static HostileServer stallingServer(Mode mode) throws IOException {
        return new HostileServer(mode, peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
            peer.awaitClientClose();
        });
    }

    private static TransportException catchTransport(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(thrown).isInstanceOf(TransportException.class);
        return (TransportException) thrown;
    }

    /** Callers see only the public exception types, never HttpCore's or the transport's internal ones. */
    private static void assertPublic(Throwable ex) {
        assertThat(ex.getClass().getPackageName()).isEqualTo("io.github.pooledtransport.core");
        assertThat(ex.getCause()).isNotNull();
        assertThat(ex.getCause().getClass().getName()).doesNotContain(".internal.");
        assertThat(SocketException.class.isInstance(ex)).isFalse();
    }
}
