package io.github.pooledtransport.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.PoolStats;

/**
 * A seeded, deterministic fuzz test of the pool alone: thousands of random steps per seed (requests that want a
 * connection, fresh or not; dials the pool started, ending in a connection or a failure in any order; requests
 * that give up; releases, expiry, closing idle connections), with every invariant checked after each step: no
 * connection in two places, a request never served twice, counts that add up, late binding served FIFO. A
 * failure names the seed and the step, so it can be replayed exactly.
 */
class ConnectionPoolFuzzTest {

    private static final int STEPS = 5_000;

    private static final CloseReason[] RELEASE_REASONS = { null, null, null, null, CloseReason.ERROR,
            CloseReason.CONNECTION_CLOSE, CloseReason.BODY_NOT_CONSUMED };

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = { 1, 2, 3, 42, 1234, 98765, 20261126, 777, 31337, 5 })
    void randomStepsKeepEveryInvariant(long seed) {
        Run run = new Run(seed, false);
        run.execute();
        assertThat(run.adoptions).as("requests that adopted a spare dial: the steps reach adoption").isPositive();
    }

    /**
     * The same, with two of the four hosts multiplexed (HTTP/2): their connections carry up to a random number of
     * streams that the server's SETTINGS change at random, and GOAWAY retires them at random. A stream is never
     * granted beyond the limit the connection had, and each connection is held by exactly as many requests as it
     * counts streams.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = { 1, 2, 3, 42, 1234, 98765, 20261130, 777, 31337, 5 })
    void randomStepsOnMultiplexedHostsKeepEveryInvariant(long seed) {
        Run run = new Run(seed, true);
        run.execute();
        assertThat(run.sharedTakes).as("requests that took a stream of a connection already in use").isPositive();
        assertThat(run.joins).as("requests that waited for the dial in flight of a multiplexed host").isPositive();
    }

    /** A connection that records how often the pool closed it. */
    static final class FakeConnection extends PooledConnection {

        int closes;

        FakeConnection(HostPool host, long id, long now, long expiresAt) {
            super(host, id, now, expiresAt, host.multiplexed);
        }

        @Override
        protected void closeTransport() {
            this.closes++;
        }
    }

    private static final class Run {

        private final long seed;

        /** Requests that waited on a spare dial instead of their own. */
        int adoptions;

        /** Requests that took a stream of a multiplexed connection another request held. */
        int sharedTakes;

        /** Requests that waited for a multiplexed host's dial in flight. */
        int joins;

        private final boolean multiplexing;

        private final Random random;

        private long now = 1_000_000_000L;

        private final ConnectionPool pool;

        private final List<HostPool> hosts = new ArrayList<>();

        private final List<FakeConnection> active = new ArrayList<>();

        private final java.util.Set<FakeConnection> activeSet = new java.util.HashSet<>();

        private final List<FakeConnection> all = new ArrayList<>();

        private final Map<CloseReason, Integer> closedByEvents = new HashMap<>();

        private long ids;

        private long dialsSucceeded;

        private int hostsRemoved;

        /** Dials the pool started and the test has not ended yet. */
        private final List<Dial> dials = new ArrayList<>();

        /** Requests waiting for a connection. */
        private final List<Waiter> waiting = new ArrayList<>();

        Run(long seed, boolean multiplexing) {
            this.seed = seed;
            this.multiplexing = multiplexing;
            this.random = new Random(seed);
            int maxIdle = 1 + this.random.nextInt(12);
            PoolEvents events = new PoolEvents() {
                @Override
                public void putIdleConn(HostKey key, long connectionId) {
                }

                @Override
                public void connectionClosed(HostKey key, long connectionId, CloseReason reason) {
                    Run.this.closedByEvents.merge(reason, 1, Integer::sum);
                }

                @Override
                public void hostRemoved(io.github.pooledtransport.core.HostStats last) {
                    Run.this.hostsRemoved++;
                }
            };
            this.pool = new ConnectionPool(maxIdle, key -> {
                HostPool h = ConnectionPool.newHostPool(key, this.random.nextInt(Math.min(maxIdle, 5) + 1),
                        this.random.nextInt(4), Duration.ofSeconds(this.random.nextInt(3) * 30L));
                h.multiplexed = multiplexing && (key.host().equals("host2") || key.host().equals("host3"));
                h.strict = h.multiplexed && key.host().equals("host3"); // waits for streams instead of dialing
                return h;
            }, () -> this.now, events, null, this.dials::add);
            for (int i = 0; i < 4; i++) {
                this.hosts.add(this.pool.host(new HostKey("http", "host" + i, 80, null, null)));
            }
        }

        void execute() {
            for (int step = 0; step < STEPS; step++) {
                try {
                    step();
                    check();
                }
                catch (Throwable ex) {
                    throw new AssertionError("seed " + this.seed + ", step " + step + ": " + ex.getMessage(), ex);
                }
            }
            this.pool.close();
            harvest();
            assertThat(this.waiting).as("requests still waiting after close").isEmpty();
            while (!this.dials.isEmpty()) {
                endDial(this.dials.get(0), true);
            }
            for (FakeConnection c : new ArrayList<>(this.active)) {
                release(c, null);
            }
            check();
            PoolStats totals = totals();
            assertThat(totals.idle()).as("idle after close").isZero();
            assertThat(totals.active()).as("active after close").isZero();
            assertThat(this.all).allSatisfy(c -> assertThat(c.closes).as(c + " closes").isEqualTo(1));
        }

        private void step() throws Exception {
            int op = this.random.nextInt(100);
            if (op < 30) {
                int index = this.random.nextInt(this.hosts.size());
                try {
                    want(this.hosts.get(index));
                }
                catch (ConnectionPool.StaleHostException ex) {
                    // Dropped after it stayed empty: a new entry for the key serves it, as the engine looks again.
                    assertThat(this.hostsRemoved).isPositive();
                    this.hosts.set(index, this.pool.host(this.hosts.get(index).key));
                    want(this.hosts.get(index));
                }
            }
            else if (op < 45 && !this.dials.isEmpty()) {
                endDial(this.dials.get(this.random.nextInt(this.dials.size())), this.random.nextInt(8) != 0);
            }
            else if (op < 50 && !this.waiting.isEmpty()) {
                Waiter w = this.waiting.remove(this.random.nextInt(this.waiting.size()));
                this.pool.leave(w.host, w); // gives up; a connection it was served meanwhile goes back
            }
            else if (op < 75 && !this.active.isEmpty()) {
                FakeConnection c = this.active.get(this.random.nextInt(this.active.size()));
                release(c, RELEASE_REASONS[this.random.nextInt(RELEASE_REASONS.length)]);
            }
            else if (op < 88) {
                this.now += (long) this.random.nextInt(40) * 1_000_000_000L;
            }
            else if (op < 96) {
                this.pool.evictExpired();
            }
            else if (op < 98) {
                if (this.multiplexing && this.random.nextBoolean()) {
                    serverSaysSomething();
                }
                else {
                    this.pool.closeIdle();
                }
            }
            else if (!this.active.isEmpty()) {
                FakeConnection c = this.active.get(this.random.nextInt(this.active.size()));
                if (c.lastWasIdle) {
                    this.active.remove(c);
                    this.activeSet.remove(c);
                    this.pool.discardStale(c);
                }
            }
        }

        /** A multiplexed connection's server changes its stream limit, or sends GOAWAY. */
        private void serverSaysSomething() {
            List<FakeConnection> open = new ArrayList<>();
            for (FakeConnection c : this.all) {
                if (c.multiplexed && c.state != PooledConnection.State.CLOSED) {
                    open.add(c);
                }
            }
            if (open.isEmpty()) {
                return;
            }
            FakeConnection c = open.get(this.random.nextInt(open.size()));
            if (this.random.nextInt(4) == 0) {
                this.pool.retire(c, CloseReason.GOAWAY);
            }
            else {
                this.pool.streamLimitChanged(c, this.random.nextInt(5));
            }
        }

        private void want(HostPool host) throws Exception {
            boolean fresh = this.random.nextInt(10) == 0;
            PooledConnection shared = host.sharedHead;
            PooledConnection expected = (shared == null) ? host.idleHead
                    : (this.now - shared.expiresAt < 0) ? shared : null; // an expired one is retired, not taken
            boolean expectedUsable = expected != null && (expected == shared || this.now - expected.idleDeadline() < 0);
            Waiter w = this.pool.want(host, true, fresh, DialSpec.DEFAULT);
            if (w.ready == null) {
                assertThat(fresh).as("a fresh request took an idle connection").isFalse();
                if (expectedUsable) {
                    assertThat(w.connection).as("most recently used idle connection first").isSameAs(expected);
                }
                take((FakeConnection) w.connection);
                return;
            }
            if (!fresh) {
                assertThat(expectedUsable).as("waits although a usable idle connection existed").isFalse();
            }
            if (w.adopted) {
                this.adoptions++;
            }
            if (w.joined) {
                this.joins++;
            }
            this.waiting.add(w);
        }

        /** A dial the pool started ends: a connection, or a failure. */
        private void endDial(Dial dial, boolean succeeds) {
            this.dials.remove(dial);
            if (succeeds) {
                FakeConnection c = new FakeConnection(dial.host, ++this.ids, this.now,
                        this.random.nextInt(4) == 0 ? this.now + 60_000_000_000L : Long.MAX_VALUE);
                this.all.add(c);
                this.dialsSucceeded++;
                if (c.multiplexed) {
                    this.pool.streamLimitChanged(c, 1 + this.random.nextInt(4)); // the server's first SETTINGS
                }
                this.pool.dialSucceeded(dial, c);
            }
            else {
                this.pool.dialFailed(dial, new java.io.IOException("refused"));
            }
        }

        /** Requests that were served become owners of their connection, or fail with their dial's error. */
        private void harvest() {
            for (java.util.Iterator<Waiter> it = this.waiting.iterator(); it.hasNext();) {
                Waiter w = it.next();
                if (!w.isServed()) {
                    continue;
                }
                it.remove();
                if (w.connection != null) {
                    if (w.fresh && !w.connection.multiplexed) { // a new multiplexed one serves others too
                        assertThat(w.connection.useCount).as("a fresh request got a used connection").isEqualTo(1);
                    }
                    take((FakeConnection) w.connection);
                }
            }
        }

        private void take(FakeConnection c) {
            assertThat(c.state).isEqualTo(PooledConnection.State.ACTIVE);
            if (c.multiplexed) {
                assertThat(c.streams).as("streams granted on " + c).isLessThanOrEqualTo(c.streamLimit);
                if (this.activeSet.contains(c)) {
                    this.sharedTakes++;
                }
                this.activeSet.add(c);
            }
            else {
                assertThat(this.activeSet.add(c)).as("handed out twice").isTrue();
            }
            this.active.add(c);
        }

        private void release(FakeConnection c, CloseReason reason) {
            this.active.remove(c); // one lease of it
            if (!this.active.contains(c)) {
                this.activeSet.remove(c);
            }
            this.pool.release(c, reason);
        }

        private void check() {
            harvest();
            this.pool.checkInvariants();
            PoolStats totals = totals();
            assertThat(totals.active()).as("active connections").isEqualTo(this.activeSet.size());
            long muxLeases = this.active.stream().filter(c -> c.multiplexed).count();
            assertThat(totals.streams()).as("streams").isEqualTo(muxLeases);
            long muxOpen = this.all.stream().filter(c -> c.multiplexed && c.closes == 0
                    && c.state != PooledConnection.State.CLOSED).count();
            assertThat(totals.multiplexed()).as("multiplexed connections").isEqualTo(muxOpen);
            assertThat(totals.dialing()).as("dialing").isEqualTo(this.dials.size());
            assertThat(totals.waiting()).as("waiting").isLessThanOrEqualTo(this.waiting.size());
            assertThat(totals.opened()).as("opened").isEqualTo(this.dialsSucceeded);
            long closed = this.all.stream().filter(c -> c.closes > 0).count();
            assertThat(totals.closedTotal()).as("closed").isEqualTo(closed);
            assertThat(totals.opened()).isEqualTo(totals.idle() + totals.active() + totals.closedTotal());
            for (FakeConnection c : this.all) {
                // Plain checks: this loop runs millions of times per seed.
                if (c.closes > 1) {
                    throw new AssertionError(c + " closed " + c.closes + " times");
                }
                boolean isActive = this.activeSet.contains(c);
                if (c.multiplexed && c.state != PooledConnection.State.CLOSED) {
                    int held = java.util.Collections.frequency(this.active, c);
                    if (held != c.streams) {
                        throw new AssertionError(c + " counts " + c.streams + " streams but " + held + " are held");
                    }
                }
                boolean isIdle = c.state == PooledConnection.State.IDLE;
                boolean isClosed = c.closes == 1;
                if ((isActive ? 1 : 0) + (isIdle ? 1 : 0) + (isClosed ? 1 : 0) != 1) {
                    throw new AssertionError(c + " must be in exactly one place: active=" + isActive + " idle="
                            + isIdle + " closed=" + isClosed);
                }
            }
            for (CloseReason reason : CloseReason.values()) {
                assertThat(totals.closed(reason)).as("closed " + reason)
                        .isEqualTo(this.closedByEvents.getOrDefault(reason, 0).longValue());
            }
        }

        private PoolStats totals() {
            PoolStats[] totals = new PoolStats[1];
            this.pool.snapshot(totals);
            return totals[0];
        }
    }
}
