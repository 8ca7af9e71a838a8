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
 * A seeded, deterministic fuzz test of the pool alone: thousands of random acquire, dial, release, expire
 * and close steps per seed, with every invariant checked after each step. A failure names the seed and the
 * step, so it can be replayed exactly.
 */
class ConnectionPoolFuzzTest {

    private static final int STEPS = 5_000;

    private static final CloseReason[] RELEASE_REASONS = { null, null, null, null, CloseReason.ERROR,
            CloseReason.CONNECTION_CLOSE, CloseReason.BODY_NOT_CONSUMED };

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = { 1, 2, 3, 42, 1234, 98765, 20261126, 777, 31337, 5 })
    void randomStepsKeepEveryInvariant(long seed) {
        new Run(seed).execute();
    }

    /** A connection that records how often the pool closed it. */
    static final class FakeConnection extends PooledConnection {

        int closes;

        FakeConnection(HostPool host, long id, long now, long expiresAt) {
            super(host, id, now, expiresAt);
        }

        @Override
        protected void closeTransport() {
            this.closes++;
        }
    }

    private static final class Run {

        private final long seed;

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

        Run(long seed) {
            this.seed = seed;
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
            };
            this.pool = new ConnectionPool(maxIdle, key -> ConnectionPool.newHostPool(key,
                    this.random.nextInt(Math.min(maxIdle, 5) + 1), this.random.nextInt(4),
                    Duration.ofSeconds(this.random.nextInt(3) * 30L)), () -> this.now, events, null);
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
            if (op < 40) {
                acquire(this.hosts.get(this.random.nextInt(this.hosts.size())));
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
                this.pool.closeIdle();
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

        private void acquire(HostPool host) throws Exception {
            // A single thread must never block: only ask when the pool can answer at once.
            if (host.idle == 0 && !host.hasRoomLocked()) {
                return;
            }
            PooledConnection expected = host.idleHead;
            boolean expectedUsable = expected != null && this.now - expected.idleDeadline() < 0;
            PooledConnection got = this.pool.acquire(host, true, false, 0);
            if (got == null) {
                assertThat(expectedUsable).as("dialed although a usable idle connection existed").isFalse();
                if (this.random.nextInt(10) == 0) {
                    this.pool.dialFailed(host);
                    return;
                }
                FakeConnection c = new FakeConnection(host, ++this.ids, this.now,
                        this.random.nextInt(4) == 0 ? this.now + 60_000_000_000L : Long.MAX_VALUE);
                this.all.add(c);
                this.dialsSucceeded++;
                assertThat(this.pool.dialSucceeded(c)).isTrue();
                this.active.add(c);
                this.activeSet.add(c);
                return;
            }
            if (expectedUsable) {
                assertThat(got).as("most recently used idle connection first").isSameAs(expected);
            }
            assertThat(got.state).isEqualTo(PooledConnection.State.ACTIVE);
            assertThat(this.activeSet.add((FakeConnection) got)).as("handed out twice").isTrue();
            this.active.add((FakeConnection) got);
        }

        private void release(FakeConnection c, CloseReason reason) {
            this.active.remove(c);
            this.activeSet.remove(c);
            this.pool.release(c, reason);
        }

        private void check() {
            this.pool.checkInvariants();
            PoolStats totals = totals();
            assertThat(totals.active()).as("active").isEqualTo(this.active.size());
            assertThat(totals.dialing()).as("dialing").isZero();
            assertThat(totals.waiting()).as("waiting").isZero();
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
