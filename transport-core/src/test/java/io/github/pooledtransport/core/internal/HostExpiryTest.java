package io.github.pooledtransport.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.PoolStats;

/**
 * Per-key state is bounded: a host key's entry is dropped once it had no connection, waiter or dial for the expiry
 * time, its counts living on in the totals. 100,000 distinct keys, as a service calling per-tenant host names would
 * see, leave only the keys still in use.
 */
class HostExpiryTest {

    private static final int KEYS = 100_000;

    private static final long SECOND = 1_000_000_000L;

    private long now = SECOND;

    private long ids;

    private final List<HostKey> removed = new ArrayList<>();

    private ConnectionPool pool;

    @Test
    void keysUnusedForTheExpiryTimeAreDroppedAndTheTotalsStayExact() throws Exception {
        this.pool = new ConnectionPool(0, key -> ConnectionPool.newHostPool(key, 2, 0, Duration.ofSeconds(90)),
                () -> this.now, new PoolEvents() {
                    @Override
                    public void putIdleConn(HostKey key, long connectionId) {
                    }

                    @Override
                    public void connectionClosed(HostKey key, long connectionId, CloseReason reason) {
                    }

                    @Override
                    public void hostRemoved(io.github.pooledtransport.core.HostStats last) {
                        HostExpiryTest.this.removed.add(last.key());
                    }
                }, null, dial -> this.pool.dialSucceeded(dial,
                        new ConnectionPoolFuzzTest.FakeConnection(dial.host(), ++this.ids, this.now, Long.MAX_VALUE)),
                Duration.ofSeconds(90));
        for (int i = 0; i < KEYS; i++) {
            request(key(i));
        }
        assertThat(hostsLeft()).isEqualTo(KEYS);

        this.now += 90 * SECOND;
        assertThat(this.pool.evictExpired()).as("idle connections past their timeout").isEqualTo(KEYS);
        for (int i = 0; i < 10; i++) {
            request(key(i)); // ten keys stay in use
        }
        this.now += 90 * SECOND;
        this.pool.evictExpired();

        assertThat(hostsLeft()).as("entries left").isEqualTo(10);
        assertThat(this.removed).hasSize(KEYS - 10).doesNotContain(key(0));
        PoolStats[] totals = new PoolStats[1];
        this.pool.snapshot(totals);
        assertThat(totals[0].opened()).isEqualTo(KEYS + 10);
        assertThat(totals[0].requests()).isEqualTo(KEYS + 10);
        assertThat(totals[0].closed(CloseReason.IDLE_TIMEOUT)).isEqualTo(KEYS + 10);
        assertThat(totals[0].idle()).isZero();
        this.pool.checkInvariants();
    }

    @Test
    void theHttp2CountsOfADroppedKeyStayInTheTotals() throws Exception {
        this.pool = new ConnectionPool(0, key -> ConnectionPool.newHostPool(key, 2, 0, Duration.ofSeconds(90)),
                () -> this.now, PoolEvents.NONE, null, dial -> this.pool.dialSucceeded(dial,
                        new ConnectionPoolFuzzTest.FakeConnection(dial.host(), ++this.ids, this.now, Long.MAX_VALUE)),
                Duration.ofSeconds(90));
        HostPool host = this.pool.host(key(1));
        this.pool.release(this.pool.acquire(host, true, false, 0), null);
        host.streamWaits = 5; // as a strict host's requests and a leak detector would have left them
        host.streamWaitTimeouts = 2;
        host.leakedStreams = 3;

        this.now += 90 * SECOND;
        this.pool.evictExpired();
        this.now += 90 * SECOND;
        this.pool.evictExpired();

        assertThat(this.pool.existingHost(key(1))).as("dropped").isNull();
        PoolStats[] totals = new PoolStats[1];
        this.pool.snapshot(totals);
        assertThat(totals[0].streamWaits()).isEqualTo(5);
        assertThat(totals[0].streamWaitTimeouts()).isEqualTo(2);
        assertThat(totals[0].leakedStreams()).isEqualTo(3);
        assertThat(totals[0].leaked()).isEqualTo(3);
    }

    @Test
    void aKeyUsedAgainAfterItsEntryWasDroppedStartsAFreshOne() throws Exception {
        this.pool = new ConnectionPool(0, key -> ConnectionPool.newHostPool(key, 2, 0, Duration.ofSeconds(90)),
                () -> this.now, PoolEvents.NONE, null, dial -> this.pool.dialSucceeded(dial,
                        new ConnectionPoolFuzzTest.FakeConnection(dial.host(), ++this.ids, this.now, Long.MAX_VALUE)),
                Duration.ofSeconds(90));
        HostPool first = this.pool.host(key(1));
        this.pool.release(this.pool.acquire(first, true, false, 0), null);
        this.now += 90 * SECOND;
        this.pool.evictExpired();
        this.now += 90 * SECOND;
        this.pool.evictExpired();
        assertThat(this.pool.existingHost(key(1))).isNull();

        // A request that looked the key up just before the drop is told to look again.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> this.pool.acquire(first, true, false, 0))
                .isInstanceOf(ConnectionPool.StaleHostException.class);
        HostPool second = this.pool.host(key(1));
        assertThat(second).isNotSameAs(first);
        this.pool.release(this.pool.acquire(second, true, false, 0), null);
        PoolStats[] totals = new PoolStats[1];
        this.pool.snapshot(totals);
        assertThat(totals[0].opened()).isEqualTo(2);
        assertThat(totals[0].requests()).isEqualTo(2);
        this.pool.checkInvariants();
    }

    private void request(HostKey key) throws Exception {
        HostPool host = this.pool.host(key);
        this.pool.release(this.pool.acquire(host, true, false, 0), null);
    }

    private int hostsLeft() {
        return this.pool.snapshot(new PoolStats[1]).size();
    }

    private static HostKey key(int i) {
        return new HostKey("https", "tenant-" + i + ".example", 443, null, null);
    }
}
