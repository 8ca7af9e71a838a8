package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Late binding, as Go's {@code wantConn}: a request that found no idle connection starts a dial (or adopts a spare
 * one whose own request was served elsewhere) and keeps waiting for an idle one, and whichever is ready first
 * serves it. The dial is held open at its DNS lookup, so each test
 * chooses the moment a connection is released.
 */
@Timeout(20)
class LateBindingTest {

    private ScriptedHttpServer server;

    private Transport transport;

    /** Set to hold the next lookup until {@link #answer} is counted down. */
    private final AtomicBoolean holdNextLookup = new AtomicBoolean();

    private final CountDownLatch lookupHeld = new CountDownLatch(1);

    private final CountDownLatch answer = new CountDownLatch(1);

    /** Makes the held lookup fail once it is let go. */
    private final AtomicBoolean failHeldLookup = new AtomicBoolean();

    private final java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        this.server = ScriptedHttpServer.start();
        this.transport = new Transport(TransportConfig.builder().readTimeout(Duration.ofSeconds(5))
                .dnsResolver(this::resolve).build());
    }

    @AfterEach
    void stop() {
        this.answer.countDown();
        this.transport.close();
        this.server.close();
    }

    private List<InetAddress> resolve(String host) throws UnknownHostException {
        this.lookups.incrementAndGet();
        if (this.holdNextLookup.compareAndSet(true, false)) {
            this.lookupHeld.countDown();
            try {
                this.answer.await(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                throw new UnknownHostException("interrupted");
            }
            if (this.failHeldLookup.get()) {
                throw new UnknownHostException("the held lookup was told to fail");
            }
        }
        return List.of(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void aRequestWaitingForItsDialTakesAConnectionReleasedMeanwhileAndTheDialJoinsThePool() throws Exception {
        secondRequestTakesTheFirstsConnectionWhileItsDialIsHeld();
        assertThat(this.server.acceptedConnections()).as("served on the released connection").isEqualTo(1);
        assertThat(this.transport.stats().totals().dialing()).as("its dial is still held").isEqualTo(1);

        this.answer.countDown();
        awaitStat(s -> s.dialing() == 0 && s.idle() == 2);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.dialsLost()).isEqualTo(1);
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(totals.reused()).isEqualTo(1);
        assertThat(totals.closedTotal()).isZero();
    }

    @Test
    void aDialWhoseRequesterWasServedElsewhereServesTheNextRequest() throws Exception {
        secondRequestTakesTheFirstsConnectionWhileItsDialIsHeld();

        this.answer.countDown();
        awaitStat(s -> s.dialing() == 0);
        // Two idle connections now; the dial's, never used, is not counted as a reuse when it serves.
        assertThat(get(url("/third"))).isEqualTo("/third");
        assertThat(get(url("/fourth"))).isEqualTo("/fourth");
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(totals.requests()).isEqualTo(4);
        assertThat(this.server.acceptedConnections()).isEqualTo(2);
    }

    @Test
    void closeIdleConnectionsStopsADialNobodyWaitsFor() throws Exception {
        secondRequestTakesTheFirstsConnectionWhileItsDialIsHeld();

        this.transport.closeIdleConnections();
        awaitStat(s -> s.dialing() == 0); // the caller stops waiting for the lookup, which cannot be stopped
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.idle()).isZero();
        assertThat(totals.dialsLost()).isZero();
    }

    @Test
    void aRequestFindingASpareDialWaitsOnItInsteadOfDialingAnother() throws Exception {
        secondRequestTakesTheFirstsConnectionWhileItsDialIsHeld();
        Response holding = this.transport.roundTrip(Request.get(url("/holding"))); // takes the idle connection

        CompletableFuture<String> adopter = CompletableFuture.supplyAsync(() -> get(url("/adopter")));
        awaitStat(s -> s.requests() == 4);
        assertThat(this.transport.stats().totals().dialing()).as("no dial of its own").isEqualTo(1);
        assertThat(adopter).isNotDone();

        this.answer.countDown();
        assertThat(adopter.get(10, TimeUnit.SECONDS)).isEqualTo("/adopter");
        assertThat(body(holding)).isEqualTo("/holding");
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(2);
        assertThat(this.lookups.get()).as("the first dial's lookup and the spare dial's").isEqualTo(2);
        assertThat(this.server.acceptedConnections()).isEqualTo(2);
    }

    @Test
    void anAdopterWhoseSpareDialFailsGetsADialOfItsOwn() throws Exception {
        secondRequestTakesTheFirstsConnectionWhileItsDialIsHeld();
        Response holding = this.transport.roundTrip(Request.get(url("/holding")));
        CompletableFuture<String> adopter = CompletableFuture.supplyAsync(() -> get(url("/adopter")));
        awaitStat(s -> s.requests() == 4);

        this.failHeldLookup.set(true);
        this.answer.countDown();

        assertThat(adopter.get(10, TimeUnit.SECONDS)).isEqualTo("/adopter");
        assertThat(body(holding)).isEqualTo("/holding");
        assertThat(this.lookups.get()).as("the spare dial failed, so the adopter dialed").isEqualTo(3);
        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
    }

    /**
     * The first request holds the only connection; the second finds none, dials (held at DNS) and waits; the
     * first's release hands its connection to the second at once.
     */
    private void secondRequestTakesTheFirstsConnectionWhileItsDialIsHeld() throws Exception {
        Response first = this.transport.roundTrip(Request.get(url("/first")));
        this.holdNextLookup.set(true);
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> get(url("/second")));
        assertThat(this.lookupHeld.await(10, TimeUnit.SECONDS)).as("the second request dials").isTrue();
        assertThat(body(first)).isEqualTo("/first");
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("/second");
    }

    private String url(String path) {
        return "http://localhost:" + this.server.port() + path;
    }

    private String get(String url) {
        try {
            return body(this.transport.roundTrip(Request.get(url)));
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static String body(Response response) throws IOException {
        try (response) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void awaitStat(Predicate<PoolStats> condition) throws InterruptedException {
        for (int i = 0; i < 10_000 && !condition.test(this.transport.stats().totals()); i++) {
            Thread.sleep(1); // bounded poll: the dial ends on a thread of its own, which no event here reports
        }
        assertThat(condition.test(this.transport.stats().totals())).as("pool state reached: %s",
                this.transport.stats().totals()).isTrue();
    }
}
