package io.github.pooledtransport.benchmarks.jmh;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;

import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.TimeSource;
import io.github.pooledtransport.core.internal.ConnectionPool;
import io.github.pooledtransport.core.internal.HostPool;
import io.github.pooledtransport.core.internal.PoolEvents;
import io.github.pooledtransport.core.internal.PooledConnection;

/**
 * The cost of taking an idle connection from the pool and giving it back, on the pool alone (no socket, no
 * I/O): host lookup by key, {@link ConnectionPool#acquire} (which must hand out an idle connection, never a
 * dial permission) and {@link ConnectionPool#release} back to the idle lists. The pool's claim is that both
 * are O(1) in hosts and connections, so the cost should stay flat across {@link PoolState#hosts} and
 * {@link PoolState#idleConns}.
 *
 * <p>Each thread walks its own shuffled share of the hosts in a cycle. When there are at least as many
 * hosts as threads, every host belongs to exactly one thread; otherwise threads share hosts and each host
 * is given at least as many idle connections as threads share it. Either way an acquire always finds an
 * idle connection, which the benchmark checks. The idle connections actually in the pool are therefore
 * {@code max(idleConns, hosts * ceil(threads / hosts))}; the set-up prints the figure.
 *
 * <p>No cap is reached (no global cap, per-host cap {@link Integer#MAX_VALUE}), there is no idle timeout
 * and no eviction scheduler, so nothing is ever closed; the tear-down checks it with a connection subclass
 * that counts closes, and checks the pool's invariants.
 *
 * <p>{@link #lookupOnly} is a baseline: the same choice of host and map lookup, without acquire and release.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PoolAcquireReleaseBenchmark {

    /** The pool, shared by all threads. */
    @State(Scope.Benchmark)
    public static class PoolState {

        /** Distinct host keys in the pool. */
        @Param({ "1", "100", "10000" })
        public int hosts;

        /** Idle connections in the pool, spread evenly over the hosts (at least one per host). */
        @Param({ "10", "10000" })
        public int idleConns;

        ConnectionPool pool;

        HostKey[] keys;

        final LongAdder closes = new LongAdder();

        int totalIdle;

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) throws IOException {
            int threads = params.getThreads();
            long[] ids = { 0 };
            // Dials end at once, on the thread that started them: the pool hands each to its request.
            this.pool = new ConnectionPool(0,
                    key -> ConnectionPool.newHostPool(key, Integer.MAX_VALUE, 0, Duration.ZERO),
                    TimeSource.SYSTEM, PoolEvents.NONE, null, dial -> this.pool.dialSucceeded(dial,
                            new CountingConnection(dial.host(), ++ids[0], System.nanoTime(), this.closes)));
            int minPerHost = (this.hosts < threads) ? (threads + this.hosts - 1) / this.hosts : 1;
            this.totalIdle = Math.max(this.idleConns, this.hosts * minPerHost);
            this.keys = new HostKey[this.hosts];
            List<PooledConnection> dialed = new ArrayList<>(this.totalIdle);
            for (int h = 0; h < this.hosts; h++) {
                this.keys[h] = new HostKey("http", "host-" + h + ".example", 8080, null, null);
                HostPool host = this.pool.host(this.keys[h]);
                int count = this.totalIdle / this.hosts + ((h < this.totalIdle % this.hosts) ? 1 : 0);
                for (int i = 0; i < count; i++) {
                    // Nothing idle for this host yet (the ones dialed so far are still active): a new connection.
                    PooledConnection c = this.pool.acquire(host, true, false, 0);
                    if (c.isReused()) {
                        throw new IllegalStateException("expected a new connection while pre-populating");
                    }
                    dialed.add(c);
                }
            }
            for (PooledConnection c : dialed) {
                this.pool.release(c, null);
            }
            PoolStats totals = totals();
            if (totals.idle() != this.totalIdle || totals.active() != 0) {
                throw new IllegalStateException("pre-populated pool is " + totals);
            }
            System.out.printf("%n[pool] threads=%d hosts=%d idleConns=%d -> %d idle connections in the pool%n",
                    threads, this.hosts, this.idleConns, this.totalIdle);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            this.pool.checkInvariants();
            PoolStats totals = totals();
            long closed = this.closes.sum();
            this.pool.close();
            if (closed != 0 || totals.closedTotal() != 0 || totals.idle() != this.totalIdle || totals.active() != 0) {
                throw new IllegalStateException("the benchmark closed or lost connections: closes=" + closed + ", "
                        + totals);
            }
            System.out.printf("[pool] after the run: idle=%d active=%d reused=%d closed=%d%n", totals.idle(),
                    totals.active(), totals.reused(), closed);
        }

        private PoolStats totals() {
            PoolStats[] totals = new PoolStats[1];
            this.pool.snapshot(totals);
            return totals[0];
        }
    }

    /** The hosts one thread walks through, in a fixed shuffled order. */
    @State(Scope.Thread)
    public static class ThreadHosts {

        HostKey[] mine;

        int next;

        @Setup(Level.Trial)
        public void setUp(PoolState state, ThreadParams threadParams) {
            int index = threadParams.getThreadIndex();
            int threads = threadParams.getThreadCount();
            List<HostKey> list = new ArrayList<>();
            if (state.hosts >= threads) {
                for (int h = index; h < state.hosts; h += threads) {
                    list.add(state.keys[h]);
                }
            }
            else {
                list.add(state.keys[index % state.hosts]);
            }
            Collections.shuffle(list, new Random(index));
            // Control: -Dbench.pool.hostsInUse=N makes each thread cycle through only N of its hosts, so that
            // the pool's size and the working set (hosts touched per unit of time) can be varied separately.
            int inUse = Integer.getInteger("bench.pool.hostsInUse", list.size());
            this.mine = list.subList(0, Math.max(1, Math.min(inUse, list.size()))).toArray(new HostKey[0]);
        }

        HostKey nextKey() {
            HostKey key = this.mine[this.next];
            if (++this.next == this.mine.length) {
                this.next = 0;
            }
            return key;
        }
    }

    /** Counts closes, so the tear-down can check that the benchmark never closed a connection. */
    static final class CountingConnection extends PooledConnection {

        private final LongAdder closes;

        CountingConnection(HostPool host, long id, long createdAt, LongAdder closes) {
            super(host, id, createdAt, Long.MAX_VALUE);
            this.closes = closes;
        }

        @Override
        protected void closeTransport() {
            this.closes.increment();
        }
    }

    static PooledConnection acquireRelease(PoolState state, ThreadHosts thread) throws IOException {
        ConnectionPool pool = state.pool;
        HostPool host = pool.host(thread.nextKey());
        PooledConnection c = pool.acquire(host, true, false, 0);
        if (!c.isReused()) {
            throw new IllegalStateException("acquire found no idle connection for " + host.key());
        }
        pool.release(c, null);
        return c;
    }

    /** Baseline: choosing the host and looking its pool up by key, no acquire or release. */
    @Benchmark
    @Threads(1)
    public HostPool lookupOnly(PoolState state, ThreadHosts thread) {
        return state.pool.host(thread.nextKey());
    }

    @Benchmark
    @Threads(1)
    public PooledConnection threads1(PoolState state, ThreadHosts thread) throws IOException {
        return acquireRelease(state, thread);
    }

    @Benchmark
    @Threads(2)
    public PooledConnection threads2(PoolState state, ThreadHosts thread) throws IOException {
        return acquireRelease(state, thread);
    }

    @Benchmark
    @Threads(64)
    public PooledConnection threads64(PoolState state, ThreadHosts thread) throws IOException {
        return acquireRelease(state, thread);
    }
}
