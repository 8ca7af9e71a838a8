package io.github.pooledtransport.core.faults;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@code close()} on a response while another thread is blocked reading its body returns at once, fails that
 * read, and closes the connection: it is never put back while a reader is on it.
 */
class CloseFromAnotherThreadTest {

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closeWhileAnotherThreadReadsAbortsTheReadAndClosesTheConnection(Mode mode) throws Exception {
        CountDownLatch serverSawClose = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(mode, peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome");
            peer.awaitClientClose(); // then stalls: the rest never comes
            serverSawClose.countDown();
        }); Transport transport = new Transport(HostileServer.clientConfig().readTimeout(Duration.ofMinutes(5))
                .build())) {
            Response response = transport.roundTrip(Request.get(server.url("/stall")));
            assertThat(response.body().readNBytes(4)).hasSize(4);
            CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    response.body().read(new byte[10]);
                    return null;
                }
                catch (Throwable ex) {
                    return ex;
                }
            });
            awaitBlockedInRead(reader);

            // The read timeout is minutes away: only the close can end the read.
            assertTimeoutPreemptively(Duration.ofSeconds(10), response::close);
            Throwable failure = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> reader.get());
            assertThat(failure).isInstanceOf(TransportException.class).hasMessageContaining("closed while being read");
            assertThat(serverSawClose.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(transport.stats().totals().idle()).isZero();
            assertThat(transport.stats().totals().active()).isZero();
            assertThat(transport.stats().totals().closed(CloseReason.ABORTED)).isEqualTo(1);
            assertThatExceptionOfType(java.io.IOException.class).isThrownBy(() -> response.body().read());
        }
    }

    /** The reader thread parks in a socket read; its state says so. Bounded. */
    private static void awaitBlockedInRead(CompletableFuture<Throwable> reader) throws InterruptedException {
        for (int i = 0; i < 2000 && !reader.isDone(); i++) {
            boolean inRead = Thread.getAllStackTraces().entrySet().stream().anyMatch(e -> e.getKey().getName()
                    .startsWith("ForkJoinPool") && java.util.Arrays.stream(e.getValue()).anyMatch(
                            frame -> frame.getClassName().endsWith("ExchangeBody") && frame.getMethodName().equals("read")));
            if (inRead) {
                return;
            }
            Thread.sleep(1);
        }
        assertThat(reader.isDone()).as("the reader returned before the close").isFalse();
    }
}
