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
 * The pool's lines of waiting requests: a request leaves them as soon as it is served or gives up, whatever
 * serves it, and a replay (which needs a new connection) is never left waiting behind idle connections that fill
 * {@code maxConnsPerHost}.
 */
class WaitingLinesTest {

    private long ids;

    private final List<Dial> held = new ArrayList<>();

    private ConnectionPool pool(int maxConnsPerHost, boolean dialAtOnce) {
        ConnectionPool[] pool = new ConnectionPool[1];
        pool[0] = new ConnectionPool(0, key -> ConnectionPool.newHostPool(key, 10, maxConnsPerHost, Duration.ZERO),
                System::nanoTime, PoolEvents.NONE, null, dial -> {
                    if (dialAtOnce) {
                        pool[0].dialSucceeded(dial, connection(dial.host()));
                    }
                    else {
                        this.held.add(dial);
                    }
                });
        return pool[0];
    }

    private ConnectionPoolFuzzTest.FakeConnection connection(HostPool host) {
        return new ConnectionPoolFuzzTest.FakeConnection(host, ++this.ids, System.nanoTime(), Long.MAX_VALUE);
    }

    @Test
    void requestsServedByTheirOwnDialLeaveNothingInLine() throws Exception {
        // As with keep-alives off: every request dials, and its connection is closed after it.
        ConnectionPool pool = pool(0, true);
        HostPool host = pool.host(new HostKey("http", "example.test", 80, null, null));
        for (int i = 0; i < 100; i++) {
            pool.release(pool.acquire(host, true, false, 0), CloseReason.KEEP_ALIVE_DISABLED);
        }
        assertThat(host.idleWaiters.size()).isZero();
        assertThat(host.slotWaiters.size()).isZero();
        pool.checkInvariants();
    }

    @Test
    void aRequestThatGivesUpLeavesBothLines() throws Exception {
        ConnectionPool pool = pool(1, false);
        HostPool host = pool.host(new HostKey("http", "example.test", 80, null, null));
        Waiter dialing = pool.want(host, true, false, DialSpec.DEFAULT);
        Waiter inLine = pool.want(host, true, false, DialSpec.DEFAULT);
        assertThat(host.slotWaiters.size()).isEqualTo(1);
        assertThat(host.idleWaiters.size()).isEqualTo(2);

        pool.leave(host, inLine);
        pool.leave(host, dialing);

        assertThat(host.idleWaiters.size()).isZero();
        assertThat(host.slotWaiters.size()).isZero();
        assertThat(pool.snapshot(new PoolStats[1]).get(0).stats().waiting()).isZero();
        pool.checkInvariants();
    }

    @Test
    void aReplayToAStrictHostWhoseStreamsAreAllTakenDialsItsOwnInsteadOfWaitingForAStream() throws Exception {
        // A host both protocols answer for (mixed backends): an HTTP/1.1 request failed and is replayed, which needs
        // a new connection; the strict line waits for streams, which a replay never takes.
        ConnectionPool pool = pool(0, false);
        HostPool host = pool.host(new HostKey("http", "example.test", 80, null, null));
        host.multiplexed = true;
        host.strict = true;
        Waiter first = pool.want(host, true, false, DialSpec.DEFAULT);
        pool.dialSucceeded(this.held.remove(0), connection(host)); // one stream, now taken by the first
        assertThat(first.connection).isNotNull();
        Waiter waitingForAStream = pool.want(host, true, false, DialSpec.DEFAULT);
        assertThat(waitingForAStream.inLine).isTrue();

        Waiter replay = pool.want(host, false, true, DialSpec.DEFAULT);

        assertThat(replay.inLine).as("replay waiting in the strict line").isFalse();
        assertThat(replay.dial).as("the replay's own dial").isNotNull();
        assertThat(this.held).hasSize(1);
        pool.checkInvariants();
    }

    @Test
    void aReplayAtTheConnectionCapClosesAnIdleConnectionToDialItsOwn() throws Exception {
        ConnectionPool pool = pool(1, false);
        HostPool host = pool.host(new HostKey("http", "example.test", 80, null, null));
        Waiter first = pool.want(host, true, false, DialSpec.DEFAULT);
        pool.dialSucceeded(this.held.remove(0), connection(host));
        pool.release(first.connection, null); // idle, and the only slot

        Waiter replay = pool.want(host, false, true, DialSpec.DEFAULT);

        assertThat(replay.dial).as("a dial of its own").isNotNull();
        PoolStats[] totals = new PoolStats[1];
        pool.snapshot(totals);
        assertThat(totals[0].closed(CloseReason.MAKING_ROOM)).isEqualTo(1);
        pool.dialSucceeded(this.held.remove(0), connection(host));
        assertThat(replay.connection).isNotNull();
        assertThat(replay.connection.isReused()).isFalse();
        pool.checkInvariants();
    }

    @Test
    void aConnectionReleasedWhileOnlyAReplayWaitsInLineIsClosedForTheReplaysDial() throws Exception {
        ConnectionPool pool = pool(1, false);
        HostPool host = pool.host(new HostKey("http", "example.test", 80, null, null));
        Waiter first = pool.want(host, true, false, DialSpec.DEFAULT);
        pool.dialSucceeded(this.held.remove(0), connection(host));
        Waiter replay = pool.want(host, false, true, DialSpec.DEFAULT);
        assertThat(replay.inLine).isTrue();

        pool.release(first.connection, null);

        assertThat(replay.dial).as("the freed slot dials for the replay").isNotNull();
        PoolStats[] totals = new PoolStats[1];
        pool.snapshot(totals);
        assertThat(totals[0].closed(CloseReason.MAKING_ROOM)).isEqualTo(1);
        assertThat(totals[0].idle()).isZero();
        pool.checkInvariants();
    }

    /** W1 holds the only connection; W2 waits on its held dial; W1's release serves W2, so W2's dial is spare. */
    private Waiter[] spareDialAfterARelease(ConnectionPool pool, HostPool host) throws Exception {
        Waiter first = pool.want(host, true, false, DialSpec.DEFAULT);
        pool.dialSucceeded(this.held.remove(0), connection(host));
        Waiter second = pool.want(host, true, false, DialSpec.DEFAULT);
        pool.release(first.connection, null);
        assertThat(second.connection).as("served by the release").isNotNull();
        assertThat(host.spareDials).isEqualTo(1);
        return new Waiter[] { first, second };
    }

    @Test
    void aRequestAdoptsASpareDialInsteadOfDialing() throws Exception {
        ConnectionPool pool = pool(0, false);
        HostPool host = pool.host(new HostKey("http", "example.test", 80, null, null));
        spareDialAfterARelease(pool, host);

        Waiter adopter = pool.want(host, true, false, DialSpec.DEFAULT);

        assertThat(adopter.adopted).isTrue();
        assertThat(adopter.dial).isNull();
        assertThat(this.held).as("no new dial").hasSize(1);
        pool.checkInvariants();
        pool.dialSucceeded(this.held.remove(0), connection(host));
        assertThat(adopter.connection).as("served by the spare dial").isNotNull();
        assertThat(host.adopters).isZero();
        assertThat(host.spareDials).isZero();
        pool.checkInvariants();
    }

    @Test
    void anAdopterGetsADialOfItsOwnWhenTheSpareDialFails() throws Exception {
        ConnectionPool pool = pool(0, false);
        HostPool host = pool.host(new HostKey("http", "example.test", 80, null, null));
        spareDialAfterARelease(pool, host);
        Waiter adopter = pool.want(host, true, false, DialSpec.DEFAULT);

        pool.dialFailed(this.held.remove(0), new java.io.IOException("refused"));

        assertThat(adopter.isWaiting()).isTrue();
        assertThat(adopter.adopted).isFalse();
        assertThat(adopter.dial).as("a dial of its own").isNotNull();
        assertThat(this.held).hasSize(1);
        pool.checkInvariants();
    }

    @Test
    void closeIdleConnectionsKeepsASpareDialWhileAnAdopterWaitsOnIt() throws Exception {
        ConnectionPool pool = pool(0, false);
        HostPool host = pool.host(new HostKey("http", "example.test", 80, null, null));
        Waiter[] served = spareDialAfterARelease(pool, host);
        pool.release(served[1].connection, null); // idle now: closeIdleConnections has something to close
        Waiter holder = pool.want(host, true, false, DialSpec.DEFAULT);
        Waiter adopter = pool.want(host, true, false, DialSpec.DEFAULT);
        assertThat(holder.connection).isNotNull();
        assertThat(adopter.adopted).isTrue();

        pool.closeIdle();
        assertThat(this.held.get(0).state.isStopped()).as("kept for the adopter").isFalse();

        pool.leave(host, adopter);
        pool.closeIdle();
        assertThat(this.held.get(0).state.isStopped()).as("stopped once nobody waits on it").isTrue();
        assertThat(host.spareDials).isZero();
        pool.checkInvariants();
    }

    @Test
    void aRequestInLineForASlotTakesTheSpareDialBeforeANewRequestCanAdoptIt() throws Exception {
        ConnectionPool pool = pool(2, false);
        HostPool host = pool.host(new HostKey("http", "example.test", 80, null, null));
        Waiter first = pool.want(host, true, false, DialSpec.DEFAULT);
        pool.dialSucceeded(this.held.remove(0), connection(host));
        Waiter second = pool.want(host, true, false, DialSpec.DEFAULT); // dials: the second slot
        Waiter third = pool.want(host, true, false, DialSpec.DEFAULT); // in line: no slot left
        assertThat(third.inLine).isTrue();
        pool.release(first.connection, null); // serves the second; its dial is spare
        assertThat(second.connection).isNotNull();

        Waiter fourth = pool.want(host, true, false, DialSpec.DEFAULT);

        assertThat(fourth.adopted).as("the spare dial is the third's, first in line").isFalse();
        assertThat(fourth.inLine).isTrue();
        pool.checkInvariants();
    }
}
