package io.github.pooledtransport.core.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.apache.hc.core5.http2.H2Error;
import org.apache.hc.core5.http2.config.H2Param;
import org.apache.hc.core5.http2.config.H2Setting;
import org.apache.hc.core5.http2.frame.FrameType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.Call;
import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.DnsResolver;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.internal.h2.H2Frame;

/**
 * The HTTP/2 review fixes, each through a real connection to a scripted server: a strict host dials once for its
 * whole line, a server that sends GOAWAY on every new connection is not dialed in a tight loop, a request that
 * joined a stopped dial dials again, our own frames are never dropped at the flood limit, a freed stream's
 * RST_STREAM goes out before the next HEADERS, and a server's PROTOCOL_ERROR retires the connection.
 */
@Timeout(30)
class H2ReviewFixesTest {

    private RawH2Peer peer;

    private final List<Transport> transports = new ArrayList<>();

    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws Exception {
        this.callers.shutdownNow();
        for (Transport transport : this.transports) {
            transport.close();
        }
        if (this.peer != null) {
            this.peer.close();
            assertThat(this.peer.failures).isEmpty();
        }
    }

    private Transport transport(TransportConfig.Builder config) {
        Transport transport = new Transport(config.protocols(EnumSet.of(Protocol.H2C)).build());
        this.transports.add(transport);
        return transport;
    }

    private static TransportConfig.Builder config() {
        return TransportConfig.builder().readTimeout(Duration.ofSeconds(10));
    }

    private static int status(Transport transport, Request request) throws IOException {
        try (Response response = transport.roundTrip(request)) {
            response.body().readAllBytes();
            return response.status();
        }
    }

    /** Answers every request with 204 until the client hangs up. */
    private static RawH2Peer.Script answerAll(int maxStreams) {
        return s -> {
            s.settings(new H2Setting(H2Param.MAX_CONCURRENT_STREAMS, maxStreams));
            while (true) {
                int id;
                try {
                    id = s.request();
                }
                catch (IOException closed) {
                    return;
                }
                s.head(id, 204, true);
            }
        };
    }

    /** Waits, within five seconds, for a condition the pool reaches under its lock (no event tells of it). */
    private static void awaitPool(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waited 5 s for " + what).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 7edc86a: a multiplexed host dials from its line one at a time

    @Test
    void strictHostWhoseOnlyConnectionGoesAwayDialsOnceForItsWholeLine() throws Exception {
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch lineFormed = new CountDownLatch(1);
        this.peer = new RawH2Peer(s -> {
            s.settings(new H2Setting(H2Param.MAX_CONCURRENT_STREAMS, 1));
            int id = s.request();
            firstArrived.countDown();
            lineFormed.await(10, TimeUnit.SECONDS);
            s.writer.goAway(id, H2Error.NO_ERROR, "restart"); // the first stream is served, nothing more
            s.writer.flush();
            s.head(id, 204, true);
            s.drain();
        }, answerAll(100));
        Transport strict = transport(config().strictMaxConcurrentStreams(true));
        Future<Integer> first = this.callers.submit(() -> status(strict, Request.get(this.peer.url("/first"))));
        assertThat(firstArrived.await(5, TimeUnit.SECONDS)).isTrue();
        List<Future<Integer>> line = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String path = "/line/" + i;
            line.add(this.callers.submit(() -> status(strict, Request.get(this.peer.url(path)))));
        }
        awaitPool(() -> strict.stats().totals().waiting() == 8, "8 requests in line for the only stream");

        lineFormed.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(204);
        for (Future<Integer> waited : line) {
            assertThat(waited.get(5, TimeUnit.SECONDS)).isEqualTo(204);
        }
        PoolStats totals = strict.stats().totals();
        assertThat(totals.opened() + totals.dialing()).as("connections opened or being opened").isEqualTo(2);
        assertThat(this.peer.connections()).isEqualTo(2);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 7edc86a: a connection retired before use goes to its requester, whose refused retry backs off

    @Test
    void serverThatSendsGoAwayOnEveryNewConnectionIsDialedWithBackoffNotInATightLoop() throws Exception {
        this.peer = new RawH2Peer(s -> {
            s.settings();
            s.writer.goAway(0, H2Error.NO_ERROR, "not taking requests"); // right after SETTINGS: no stream at all
            s.writer.flush();
            s.drain();
        });
        Transport transport = transport(config());
        Call call = transport.newCall(Request.get(this.peer.url("/")));
        // Go's refused-retry schedule: at once, then after 1 s, 2 s...: three dials fit in 2.5 s, a tight loop many.
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            timer.schedule(call::cancel, 2500, TimeUnit.MILLISECONDS);
            assertThatThrownBy(call::execute).isInstanceOf(TransportCancelledException.class)
                    .hasMessageContaining("sent GOAWAY");
        }
        finally {
            timer.shutdownNow();
        }
        assertThat(this.peer.connections()).as("dials").isBetween(2, 4);
    }

    @Test
    @Timeout(10)
    void callTimeoutStillBoundsARequestSentAgainAfterItsStreamWasRefused() throws Exception {
        this.peer = new RawH2Peer(s -> {
            s.settings();
            while (true) {
                int id;
                try {
                    id = s.request();
                }
                catch (IOException closed) {
                    return;
                }
                s.writer.resetStream(id, H2Error.REFUSED_STREAM);
                s.writer.flush();
            }
        });
        Transport bounded = transport(config().callTimeout(Duration.ofMillis(500)));

        // Without the call timeout in force across the retries, the backoff (1, 2, 4, 8, 16 s) outlasts @Timeout.
        assertThatThrownBy(() -> status(bounded, Request.get(this.peer.url("/")))).isInstanceOf(
                TransportCancelledException.class).hasMessageContaining("callTimeout=500 ms");
    }

    // ---------------------------------------------------------------------------------------------------------
    // 7edc86a: a stopped dial's joiners dial again instead of failing

    @Test
    void requestThatJoinedADialStoppedByCloseIdleConnectionsDialsAgainAndIsServed() throws Exception {
        CountDownLatch resolving = new CountDownLatch(1);
        CountDownLatch resolve = new CountDownLatch(1);
        AtomicInteger lookups = new AtomicInteger();
        // An IP literal is resolved on the dial's own thread, where a stop cannot reach: the dial is held here.
        DnsResolver held = host -> {
            if (lookups.getAndIncrement() == 0) {
                resolving.countDown();
                try {
                    resolve.await(10, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            return List.of(InetAddress.getLoopbackAddress());
        };
        this.peer = new RawH2Peer(answerAll(100));
        Transport transport = transport(config().dnsResolver(held));
        Call cancelled = transport.newCall(Request.get(this.peer.url("/cancelled")));
        Future<Throwable> cancelledOutcome = this.callers.submit(() -> {
            try (Response response = cancelled.execute()) {
                return null;
            }
            catch (Throwable ex) {
                return ex;
            }
        });
        assertThat(resolving.await(5, TimeUnit.SECONDS)).isTrue();
        cancelled.cancel(); // its dial goes on, for nobody
        assertThat(cancelledOutcome.get(5, TimeUnit.SECONDS)).isInstanceOf(TransportCancelledException.class);
        transport.closeIdleConnections(); // stops the dial nobody waits for; it reports once its lookup returns
        Future<Integer> joiner = this.callers.submit(() -> status(transport, Request.get(this.peer.url("/joined"))));
        awaitPool(() -> transport.stats().totals().requests() == 2, "the second request to join the dial in flight");

        resolve.countDown();

        assertThat(joiner.get(5, TimeUnit.SECONDS)).as("served, not failed with the stop").isEqualTo(204);
        assertThat(lookups.get()).as("a dial of its own").isEqualTo(2);
        assertThat(this.peer.connections()).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 7edc86a: our own frames are never dropped at the flood limit

    @Test
    void tenThousandOfOurOwnFramesQueuedBehindAStuckWriterAreAllSentAndNothingFloods() throws Exception {
        int pieces = 10_100; // one DATA frame each: past the 10,000 frames a flood of answers may queue
        CountDownLatch writerInsideLargeBlock = new CountDownLatch(1);
        CountDownLatch piecesQueued = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        this.peer = new RawH2Peer(4096, s -> {
            s.settings();
            s.next(FrameType.HEADERS); // the first frame of the large header block: the writer is inside it now
            writerInsideLargeBlock.countDown();
            piecesQueued.await(10, TimeUnit.SECONDS); // unread until then: the writer stays stuck in that block
            int uploadId = -1;
            while (true) {
                H2Frame frame = s.frames.read();
                if (frame == null) {
                    throw new IOException("the client closed the connection");
                }
                if (frame.type() == FrameType.HEADERS) {
                    uploadId = frame.streamId();
                }
                else if (frame.type() == FrameType.DATA && frame.streamId() == uploadId) {
                    received.addAndGet(frame.payload().length);
                    if (RawH2Peer.Session.ends(frame)) {
                        break;
                    }
                }
            }
            s.head(1, 204, true);
            s.head(uploadId, 204, true);
            s.drain();
        });
        Transport transport = transport(config());
        byte[] noise = new byte[6 * 1024 * 1024];
        new java.util.Random(11).nextBytes(noise);
        // 12 MB of hex, no header table can index: past every socket buffer even Huffman-coded.
        Request large = Request.newBuilder(URI.create(this.peer.url("/large")))
                .header("x-large", java.util.HexFormat.of().formatHex(noise)).build();
        Future<Integer> stuck = this.callers.submit(() -> status(transport, large));
        assertThat(writerInsideLargeBlock.await(10, TimeUnit.SECONDS)).isTrue();
        RequestBody inPieces = new RequestBody() {
            @Override
            public long contentLength() {
                return pieces;
            }

            @Override
            public boolean isRepeatable() {
                return false;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                try {
                    for (int i = 0; i < pieces; i++) {
                        out.write('x');
                        out.flush(); // a DATA frame of one byte, queued behind the stuck writer
                    }
                }
                finally {
                    piecesQueued.countDown();
                }
            }
        };
        Request upload = Request.newBuilder(URI.create(this.peer.url("/pieces"))).post(inPieces).build();

        assertThat(status(transport, upload)).isEqualTo(204);

        assertThat(received.get()).as("body bytes the server got").isEqualTo(pieces);
        assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo(204);
        assertThat(transport.stats().totals().closed(CloseReason.PROTOCOL_ERROR)).isZero();
        assertThat(this.peer.connections()).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // d523c1d: a freed stream's RST_STREAM goes out before the next HEADERS

    @Test
    void resetOfAResponseClosedEarlyReachesTheServerBeforeTheNextRequestsHeaders() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch judged = new CountDownLatch(1);
        this.peer = new RawH2Peer(s -> {
            s.settings(new H2Setting(H2Param.MAX_CONCURRENT_STREAMS, 1)); // the reset frees the only stream
            int id = s.request();
            s.head(id, 200, false);
            s.data(id, new byte[] { 'a', 'b', 'c' }, false); // and the rest never comes
            while (seen.size() < 2) {
                H2Frame frame = s.frames.read();
                if (frame == null) {
                    break;
                }
                if (frame.type() == FrameType.RST_STREAM) {
                    seen.add("RST_STREAM " + frame.streamId() + " " + H2Error.getByCode(frame.errorCode()));
                }
                else if (frame.type() == FrameType.HEADERS) {
                    s.hpack.decode(frame.payload());
                    seen.add("HEADERS " + frame.streamId());
                    s.head(frame.streamId(), 204, true);
                }
            }
            judged.countDown();
            s.drain();
        });
        Transport strict = transport(config().strictMaxConcurrentStreams(true));
        // A second request waits for the only stream: the early close hands it over at once.
        try (Response response = strict.roundTrip(Request.get(this.peer.url("/early")))) {
            assertThat(response.status()).isEqualTo(200);
            Future<Integer> next = this.callers.submit(() -> status(strict, Request.get(this.peer.url("/next"))));
            awaitPool(() -> strict.stats().totals().waiting() == 1, "the next request in line for the stream");
            response.close(); // early: the stream is reset
            assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo(204);
        }
        assertThat(judged.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).containsExactly("RST_STREAM 1 CANCEL", "HEADERS 3");
    }

    // ---------------------------------------------------------------------------------------------------------
    // A server's PROTOCOL_ERROR retires the connection (Go: SetDoNotReuse on RST_STREAM(PROTOCOL_ERROR))

    @Test
    void goAwayWithProtocolErrorRetiresTheConnectionAndTheNextRequestDialsANewOne() throws Exception {
        AtomicInteger sentAfterGoAway = new AtomicInteger();
        this.peer = new RawH2Peer(s -> {
            s.settings();
            int id = s.request();
            s.writer.goAway(id, H2Error.PROTOCOL_ERROR, "you broke it"); // before the answer: read before it
            s.writer.flush();
            s.head(id, 204, true);
            H2Frame more;
            while ((more = s.next(FrameType.HEADERS)) != null) {
                sentAfterGoAway.incrementAndGet();
                s.head(more.streamId(), 204, true); // answered all the same, so that only the counts below fail
            }
        }, answerAll(100));
        Transport transport = transport(config());

        assertThat(status(transport, Request.get(this.peer.url("/first")))).isEqualTo(204);
        assertThat(status(transport, Request.get(this.peer.url("/second")))).isEqualTo(204);

        assertThat(sentAfterGoAway.get()).as("requests on the connection the server ended").isZero();
        assertThat(this.peer.connections()).isEqualTo(2);
        assertThat(transport.stats().totals().replays()).as("sent on the new connection at once").isZero();
        assertThat(transport.stats().totals().closed(CloseReason.GOAWAY)).isEqualTo(1);
    }

    @Test
    void resetWithProtocolErrorRetiresTheConnectionAndTheNextRequestDialsANewOne() throws Exception {
        this.peer = new RawH2Peer(s -> {
            s.settings();
            int id = s.request();
            s.writer.resetStream(id, H2Error.PROTOCOL_ERROR);
            s.writer.flush();
            H2Frame more = s.next(FrameType.HEADERS);
            if (more != null) {
                s.head(more.streamId(), 204, true); // answered, so that only the count below fails
                s.drain();
            }
        }, answerAll(100));
        Transport transport = transport(config());

        assertThatThrownBy(() -> status(transport, Request.get(this.peer.url("/first"))))
                .isInstanceOf(TransportException.class).hasMessageContaining("PROTOCOL_ERROR");
        assertThat(status(transport, Request.get(this.peer.url("/second")))).isEqualTo(204);

        assertThat(this.peer.connections()).as("the second request on a new connection").isEqualTo(2);
    }
}
