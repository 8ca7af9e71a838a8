package io.github.pooledtransport.core.faults;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.pooledtransport.core.Call;
import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.core.TransportListener;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A call can be stopped at every step: by {@link Call#cancel()}, by its {@code callTimeout}, or by interrupting its
 * thread. Each way fails promptly with {@link TransportCancelledException}, never replays, closes what the call
 * held as {@code cancelled} (never as a server's close), and leaves a pool whose counts add up and that serves the
 * next request. Each test names the step; the stop comes once the call has provably reached it.
 */
@Timeout(30)
class CancellationTest {

    /** How a call is stopped. */
    enum Stop {
        CANCEL, CALL_TIMEOUT, INTERRUPT
    }

    /** The call timeout of the {@code CALL_TIMEOUT} runs: long enough for every step to be reached first. */
    private static final Duration LIMIT = Duration.ofMillis(400);

    // --- waiting for a connection ------------------------------------------------------------------------

    /** Every way to stop, over plain TCP and TLS. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> stopsAndModes() {
        return java.util.Arrays.stream(Mode.values()).flatMap(mode -> java.util.Arrays.stream(Stop.values())
                .map(stop -> org.junit.jupiter.params.provider.Arguments.of(mode, stop)));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("stopsAndModes")
    void stopsWhileWaitingForAConnection(Mode mode, Stop stop) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(mode, peer -> {
            while (peer.readRequest() != null) {
                if (peer.number == 1 && release.getCount() > 0) {
                    peer.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab");
                    release.await();
                    peer.write("cd");
                }
                else {
                    peer.write(HostileServer.ok("next"));
                }
            }
        }); Transport transport = new Transport(HostileServer.clientConfig().maxConnsPerHost(1).build())) {
            Response holder = transport.roundTrip(Request.get(server.url("/hold")));
            Outcome outcome = run(transport, Request.get(server.url("/waits")), stop,
                    () -> awaitStat(transport, s -> s.waiting() == 1));
            outcome.assertStopped(stop, "waiting for a connection");
            assertCounted(transport, stop);
            assertThat(transport.stats().totals().waiting()).isZero();
            release.countDown();
            assertThat(holder.body().readAllBytes()).asString(StandardCharsets.ISO_8859_1).isEqualTo("abcd");
            assertThat(HostileServer.get(transport, server.url("/after"))).isEqualTo("next");
            assertCountsAddUp(transport);
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    // --- DNS -----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("stopsAndModes")
    void stopsWhileResolvingTheHostName(Mode mode, Stop stop) throws Exception {
        CountDownLatch resolving = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        try (HostileServer server = new HostileServer(mode, peer -> {
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("resolved"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig().dnsResolver(host -> {
            resolving.countDown();
            try {
                answer.await(); // a lookup nothing can stop, as InetAddress's
            }
            catch (InterruptedException ex) {
                throw new java.net.UnknownHostException("interrupted");
            }
            return List.of(InetAddress.getByName("127.0.0.1"));
        }).build())) {
            // "localhost": the name the test certificate carries, resolved by the blocking resolver above.
            String url = server.url("/").replace("127.0.0.1", "localhost");
            Outcome outcome = run(transport, Request.get(url), stop, resolving::await);
            outcome.assertStopped(stop, "resolving localhost");
            assertCounted(transport, stop);
            answer.countDown();
            // The dial outlives its stopped caller (Go dials apart from the request) and joins the pool.
            awaitStat(transport, s -> s.dialing() == 0 && s.idle() == 1);
            assertThat(HostileServer.get(transport, url)).isEqualTo("resolved");
            assertThat(server.connections()).isEqualTo(1);
            assertCountsAddUp(transport);
        }
    }

    // --- dial -------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("stopsAndModes")
    void stopsWhileConnecting(Mode mode, Stop stop) throws Exception {
        CountDownLatch connecting = new CountDownLatch(1);
        TransportListener listener = new TransportListener() {
            @Override
            public void connectStart(InetSocketAddress address) {
                connecting.countDown();
            }
        };
        try (DialingFixtures.FullBacklog unreachable = new DialingFixtures.FullBacklog();
                Transport transport = new Transport(HostileServer.clientConfig().dialTimeout(Duration.ofSeconds(20))
                        .listener(listener).build())) {
            String scheme = (mode == Mode.TLS) ? "https" : "http";
            Outcome outcome = run(transport, Request.get(scheme + "://127.0.0.1:" + unreachable.port() + "/"), stop,
                    connecting::await);
            outcome.assertStopped(stop, "connecting to 127.0.0.1");
            assertCounted(transport, stop);
            // The dial goes on without its caller, until closeIdleConnections stops a dial nobody waits for.
            assertThat(transport.stats().totals().dialing()).isEqualTo(1);
            transport.closeIdleConnections();
            awaitStat(transport, s -> s.dialing() == 0);
            assertCountsAddUp(transport);
            assertThat(transport.stats().totals().opened()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Stop.class)
    void stopsDuringTheTlsHandshake(Stop stop) throws Exception {
        CountDownLatch handshaking = new CountDownLatch(1);
        TransportListener listener = new TransportListener() {
            @Override
            public void tlsHandshakeStart(io.github.pooledtransport.core.HostKey key) {
                handshaking.countDown();
            }
        };
        try (DialingFixtures.AcceptingServer silent = new DialingFixtures.AcceptingServer();
                Transport transport = new Transport(HostileServer.clientConfig().listener(listener).build())) {
            Outcome outcome = run(transport, Request.get("https://127.0.0.1:" + silent.port() + "/"), stop,
                    handshaking::await);
            outcome.assertStopped(stop, "TLS handshake");
            assertCounted(transport, stop);
            transport.closeIdleConnections(); // stops the dial its caller left
            assertThat(DialingFixtures.AcceptingServer.closedByClient(silent.nextAccepted())).isTrue();
            awaitStat(transport, s -> s.dialing() == 0);
            assertCountsAddUp(transport);
        }
    }

    // --- the exchange ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("stopsAndModes")
    void stopsAStalledUpload(Mode mode, Stop stop) throws Exception {
        CountDownLatch headRead = new CountDownLatch(1);
        CountDownLatch testOver = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger uploads = new java.util.concurrent.atomic.AtomicInteger();
        try (HostileServer server = new HostileServer(mode, peer -> {
            String head = peer.readHead();
            if (head.startsWith("POST")) {
                uploads.incrementAndGet();
                headRead.countDown();
                testOver.await(); // never reads the body, never answers, never closes
                return;
            }
            peer.write(HostileServer.ok("fine"));
            peer.awaitClientClose();
        }); Transport transport = new Transport(HostileServer.clientConfig().build())) {
            byte[] big = new byte[64 << 20]; // far beyond what socket buffers hold
            Request upload = Request.newBuilder(java.net.URI.create(server.url("/upload")))
                    .post(RequestBody.of(big)).build();
            Outcome outcome = run(transport, upload, stop, headRead::await);
            outcome.assertStopped(stop, "writing the request");
            assertCounted(transport, stop);
            assertThat(uploads.get()).as("not replayed").isEqualTo(1);
            assertCountsAddUp(transport);
            assertThat(transport.stats().totals().closed(CloseReason.CANCELLED)).isEqualTo(1);
            assertThat(HostileServer.get(transport, server.url("/after"))).isEqualTo("fine");
        }
        finally {
            testOver.countDown();
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("stopsAndModes")
    void stopsAStalledResponseHeadOnAReusedConnectionWithoutReplay(Mode mode, Stop stop) throws Exception {
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch written = wroteRequests(2);
        try (HostileServer server = new HostileServer(mode, peer -> {
            String head;
            while ((head = peer.readRequest()) != null) {
                if (head.startsWith("GET /stall")) {
                    stalled.countDown();
                    peer.awaitClientClose();
                    return;
                }
                peer.write(HostileServer.ok("fine"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig().listener(listener(written)).build())) {
            assertThat(HostileServer.get(transport, server.url("/first"))).isEqualTo("fine"); // the stalled GET goes on a reused one
            // The server has the request and the client knows it wrote it all: now it waits for the head.
            Outcome outcome = run(transport, Request.get(server.url("/stall")), stop, () -> {
                stalled.await();
                written.await();
            });
            outcome.assertStopped(stop, "waiting for the response head");
            assertCounted(transport, stop);
            // A GET on a reused connection that failed would be replayed; a stopped one never is.
            assertThat(server.heads()).hasSize(2);
            assertThat(server.connections()).isEqualTo(1);
            PoolStats totals = transport.stats().totals();
            assertThat(totals.closed(CloseReason.CANCELLED)).isEqualTo(1);
            assertThat(totals.closed(CloseReason.SERVER_CLOSED)).isZero();
            assertCountsAddUp(transport);
            assertThat(HostileServer.get(transport, server.url("/after"))).isEqualTo("fine");
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("stopsAndModes")
    void stopsAStalledBodyRead(Mode mode, Stop stop) throws Exception {
        try (HostileServer server = new HostileServer(mode, peer -> {
            String head;
            while ((head = peer.readRequest()) != null) {
                if (head.startsWith("GET /stall")) {
                    peer.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
                    peer.awaitClientClose();
                    return;
                }
                peer.write(HostileServer.ok("fine"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig().build())) {
            CountDownLatch firstBytes = new CountDownLatch(1);
            Outcome outcome = run(transport, Request.get(server.url("/stall")), stop, firstBytes::await, response -> {
                InputStream body = response.body();
                byte[] first = body.readNBytes(10);
                assertThat(new String(first, StandardCharsets.ISO_8859_1)).isEqualTo("0123456789");
                firstBytes.countDown();
                body.read(new byte[100]); // blocks: 90 bytes never come
            });
            outcome.assertStopped(stop, "reading the response body");
            assertCounted(transport, stop);
            assertThat(transport.stats().totals().closed(CloseReason.CANCELLED)).isEqualTo(1);
            assertCountsAddUp(transport);
            assertThat(HostileServer.get(transport, server.url("/after"))).isEqualTo("fine");
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("stopsAndModes")
    void stopsDuringAReplayAndNeverReplaysAgain(Mode mode, Stop stop) throws Exception {
        CountDownLatch replayArrived = new CountDownLatch(1);
        CountDownLatch written = wroteRequests(3);
        try (HostileServer server = new HostileServer(mode, peer -> {
            String head;
            while ((head = peer.readRequest()) != null) {
                if (head.startsWith("GET /replayed") && peer.number == 1) {
                    return; // closes without answering: the GET goes again on a new connection
                }
                if (head.startsWith("GET /replayed")) {
                    replayArrived.countDown();
                    peer.awaitClientClose(); // the replay stalls
                    return;
                }
                peer.write(HostileServer.ok("fine"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig().listener(listener(written)).build())) {
            assertThat(HostileServer.get(transport, server.url("/first"))).isEqualTo("fine");
            Outcome outcome = run(transport, Request.get(server.url("/replayed")), stop, () -> {
                replayArrived.await();
                written.await();
            });
            outcome.assertStopped(stop, "waiting for the response head");
            assertCounted(transport, stop);
            assertThat(server.connections()).as("one replay, no more").isEqualTo(2);
            assertThat(transport.stats().totals().replays()).isEqualTo(1);
            assertThat(server.heads()).hasSize(3);
            assertCountsAddUp(transport);
            assertThat(transport.stats().totals().closed(CloseReason.CANCELLED)).isEqualTo(1);
            assertThat(HostileServer.get(transport, server.url("/after"))).isEqualTo("fine");
        }
    }

    @Test
    void readsAfterACancelledBodyKeepFailingWithTheCancellation() throws Exception {
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
            peer.awaitClientClose();
        }); Transport transport = new Transport(HostileServer.clientConfig().build())) {
            Call call = transport.newCall(Request.get(server.url("/")));
            Response response = call.execute();
            call.cancel(); // nobody reading: the body is given up by the cancelling thread
            assertThat(transport.stats().totals().active()).isZero();
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> response.body().read()).isInstanceOf(TransportCancelledException.class)
                        .hasMessageContaining("cancelled while reading the response body");
            }
            assertThat(transport.stats().totals().closed(CloseReason.CANCELLED)).isEqualTo(1);
        }
    }

    @Test
    void aCallCancelledBeforeItRunsFailsAtOnceAndSendsNothing() throws Exception {
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("fine"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig().build())) {
            assertThat(HostileServer.get(transport, server.url("/warm"))).isEqualTo("fine");
            Call call = transport.newCall(Request.get(server.url("/never")));
            call.cancel();
            assertThat(call.isCancelled()).isTrue();
            assertThatThrownBy(call::execute).isInstanceOf(TransportCancelledException.class);
            assertThat(server.heads()).hasSize(1);
            // The idle connection it was about to use was untouched: kept, not closed.
            assertThat(transport.stats().totals().idle()).isEqualTo(1);
            assertThat(transport.stats().totals().closedTotal()).isZero();
        }
    }

    @Test
    void cancelAfterTheBodyWasReadDoesNothing() throws Exception {
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("fine"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig().build())) {
            Call call = transport.newCall(Request.get(server.url("/")));
            try (Response response = call.execute()) {
                assertThat(response.body().readAllBytes()).asString(StandardCharsets.ISO_8859_1).isEqualTo("fine");
            }
            call.cancel();
            assertThat(transport.stats().totals().idle()).isEqualTo(1);
            assertThat(HostileServer.get(transport, server.url("/again"))).isEqualTo("fine");
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void aCallIsExecutedOnce() throws Exception {
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("fine"));
            }
        }); Transport transport = new Transport(HostileServer.clientConfig().build())) {
            Call call = transport.newCall(Request.get(server.url("/")));
            call.execute().close();
            assertThatThrownBy(call::execute).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void theTransportsCallTimeoutAndAHostOverrideNameTheirOrigin() throws Exception {
        try (HostileServer server = new HostileServer(Mode.PLAIN, peer -> {
            peer.readRequest();
            peer.awaitClientClose();
        })) {
            try (Transport transport = new Transport(HostileServer.clientConfig().callTimeout(Duration.ofMillis(200))
                    .build())) {
                assertThatThrownBy(() -> transport.roundTrip(Request.get(server.url("/"))))
                        .isInstanceOfSatisfying(TransportCancelledException.class, ex -> {
                            assertThat(ex.why()).isEqualTo(TransportCancelledException.Cause.CALL_TIMEOUT);
                            assertThat(ex.setting()).isEqualTo("callTimeout");
                            assertThat(ex.limit()).isEqualTo(Duration.ofMillis(200));
                        })
                        .hasMessageContaining("timed out after callTimeout=200 ms while waiting for the response head");
            }
            String authority = "127.0.0.1:" + server.port();
            try (Transport transport = new Transport(HostileServer.clientConfig()
                    .hostOverrides(authority, new io.github.pooledtransport.core.HostOverrides(null, null, null, null,
                            Duration.ofMillis(150)))
                    .build())) {
                assertThatThrownBy(() -> transport.roundTrip(Request.get(server.url("/"))))
                        .isInstanceOf(TransportCancelledException.class)
                        .hasMessageContaining("callTimeout=150 ms (this host's override)");
            }
        }
    }

    // --- the runner --------------------------------------------------------------------------------------------

    /** What the stopped call threw, and whether its thread was still interrupted then. */
    private record Outcome(Throwable thrown, boolean stillInterrupted) {

        void assertStopped(Stop stop, String phase) {
            assertThat(this.thrown).as("the call must fail").isInstanceOf(TransportCancelledException.class);
            TransportCancelledException cancelled = (TransportCancelledException) this.thrown;
            java.io.StringWriter trace = new java.io.StringWriter();
            cancelled.printStackTrace(new java.io.PrintWriter(trace));
            assertThat(cancelled.getMessage()).as(trace::toString).contains(phase);
            switch (stop) {
                case CANCEL -> assertThat(cancelled.why()).isEqualTo(TransportCancelledException.Cause.CANCELLED);
                case CALL_TIMEOUT -> {
                    assertThat(cancelled.why()).isEqualTo(TransportCancelledException.Cause.CALL_TIMEOUT);
                    assertThat(cancelled.getMessage()).contains("callTimeout=" + LIMIT.toMillis() + " ms");
                }
                case INTERRUPT -> {
                    assertThat(cancelled.why()).isEqualTo(TransportCancelledException.Cause.INTERRUPTED);
                    assertThat(this.stillInterrupted).as("the interrupt status is kept").isTrue();
                }
            }
        }
    }

    @FunctionalInterface
    private interface Step {

        void await() throws Exception;
    }

    @FunctionalInterface
    private interface ResponseUse {

        void use(Response response) throws Exception;
    }

    private static Outcome run(Transport transport, Request request, Stop stop, Step reached) throws Exception {
        return run(transport, request, stop, reached, response -> response.body().readAllBytes());
    }

    /**
     * Executes the call on a thread of its own, waits until it reached the step, stops it there (a timeout
     * stops it by itself) and returns what it threw.
     */
    private static Outcome run(Transport transport, Request request, Stop stop, Step reached, ResponseUse use)
            throws Exception {
        Request sent = (stop == Stop.CALL_TIMEOUT)
                ? request.toBuilder().options(request.options().withCallTimeout(LIMIT)).build()
                : request;
        Call call = transport.newCall(sent);
        AtomicReference<Outcome> outcome = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try (Response response = call.execute()) {
                use.use(response);
                outcome.set(new Outcome(null, Thread.currentThread().isInterrupted()));
            }
            catch (Throwable ex) {
                outcome.set(new Outcome(ex, Thread.currentThread().isInterrupted()));
            }
        }, "stopped-call");
        caller.start();
        reached.await();
        if (stop == Stop.CANCEL) {
            call.cancel();
        }
        else if (stop == Stop.INTERRUPT) {
            caller.interrupt();
        }
        caller.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(caller.isAlive()).as("the call must end promptly").isFalse();
        return outcome.get();
    }

    /** Counts down on each request the client finished writing. */
    private static CountDownLatch wroteRequests(int count) {
        return new CountDownLatch(count);
    }

    private static TransportListener listener(CountDownLatch written) {
        return new TransportListener() {
            @Override
            public void wroteRequest(io.github.pooledtransport.core.HostKey key, IOException error) {
                if (error == null) {
                    written.countDown();
                }
            }
        };
    }

    /** The stop is counted once, as a cancellation or as a call timeout. */
    private static void assertCounted(Transport transport, Stop stop) {
        PoolStats totals = transport.stats().totals();
        assertThat(totals.callTimeouts()).as("call timeouts").isEqualTo(stop == Stop.CALL_TIMEOUT ? 1 : 0);
        assertThat(totals.cancellations()).as("cancellations").isEqualTo(stop == Stop.CALL_TIMEOUT ? 0 : 1);
    }

    /** Nothing active, dialing or waiting once the stopped call is over; closes add up to what was opened. */
    private static void assertCountsAddUp(Transport transport) {
        PoolStats totals = transport.stats().totals();
        assertThat(totals.active()).as("active").isZero();
        assertThat(totals.dialing()).as("dialing").isZero();
        assertThat(totals.waiting()).as("waiting").isZero();
        assertThat(totals.opened()).as("opened = idle + closed").isEqualTo(totals.idle() + totals.closedTotal());
    }

    private static void awaitStat(Transport transport, java.util.function.Predicate<PoolStats> condition)
            throws InterruptedException {
        for (int i = 0; i < 10_000 && !condition.test(transport.stats().totals()); i++) {
            Thread.sleep(1); // bounded poll of the pool's own count: no event says "now waiting in line"
        }
        assertThat(condition.test(transport.stats().totals())).as("pool state reached").isTrue();
    }
}
