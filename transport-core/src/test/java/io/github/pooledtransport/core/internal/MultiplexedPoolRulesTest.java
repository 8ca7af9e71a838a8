package io.github.pooledtransport.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.TransportCancelledException;

/**
 * The pool's rules for a multiplexed (HTTP/2) host, step by step with dials the test holds and ends: a host dials
 * from its line one at a time, a connection retired before use still goes to the request that dialed it, and a dial
 * stopped by {@code closeIdleConnections} leaves the requests that joined it to dial again.
 */
class MultiplexedPoolRulesTest {

    private long ids;

    /** Dials the pool started, in order; the test ends them. */
    private final List<Dial> held = new ArrayList<>();

    private ConnectionPool pool(boolean strict) {
        return new ConnectionPool(0, key -> {
            HostPool h = ConnectionPool.newHostPool(key, 10, 0, Duration.ZERO);
            h.multiplexed = true;
            h.strict = strict;
            return h;
        }, System::nanoTime, PoolEvents.NONE, null, this.held::add);
    }

    private ConnectionPoolFuzzTest.FakeConnection connection(HostPool host) {
        return new ConnectionPoolFuzzTest.FakeConnection(host, ++this.ids, System.nanoTime(), Long.MAX_VALUE);
    }

    private static HostPool host(ConnectionPool pool) {
        return pool.host(new HostKey("http", "h2.test", 80, null, null));
    }

    @Test
    void strictHostWhoseLastConnectionRetiresDialsOnceForItsWholeLine() throws Exception {
        ConnectionPool pool = pool(true);
        HostPool host = host(pool);
        Waiter first = pool.want(host, true, false, DialSpec.DEFAULT);
        ConnectionPoolFuzzTest.FakeConnection only = connection(host); // one stream: the server's limit
        pool.dialSucceeded(this.held.remove(0), only);
        assertThat(first.connection).isSameAs(only);
        List<Waiter> line = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            line.add(pool.want(host, true, false, DialSpec.DEFAULT));
        }
        assertThat(line).allSatisfy(w -> assertThat(w.inLine).as("strict: waits for a stream").isTrue());
        assertThat(this.held).as("no dial while a usable connection is open").isEmpty();

        pool.retire(only, CloseReason.GOAWAY); // the server's GOAWAY: the host has no usable connection left

        assertThat(this.held).as("one dial for the whole line: its connection carries many streams").hasSize(1);
        assertThat(host.dialing).isEqualTo(1);
        pool.checkInvariants();

        ConnectionPoolFuzzTest.FakeConnection next = connection(host);
        next.streamLimit = 100;
        pool.dialSucceeded(this.held.remove(0), next);
        assertThat(line).allSatisfy(w -> assertThat(w.connection).isSameAs(next));
        assertThat(this.held).as("nobody is left to dial for").isEmpty();
        assertThat(host.opened).isEqualTo(2);
        pool.checkInvariants();
    }

    @Test
    void connectionRetiredBeforeUseGoesToTheRequestThatDialedIt() throws Exception {
        ConnectionPool pool = pool(false);
        HostPool host = host(pool);
        Waiter requester = pool.want(host, true, false, DialSpec.DEFAULT);
        ConnectionPoolFuzzTest.FakeConnection goneAway = connection(host);
        pool.retire(goneAway, CloseReason.GOAWAY); // GOAWAY right after its SETTINGS, before the dial reported

        pool.dialSucceeded(this.held.remove(0), goneAway);

        // The requester fails to start its stream on it and is sent again with Go's backoff: no dial from the pool
        // now, which would let a server that refuses every connection be dialed in a tight loop.
        assertThat(requester.connection).isSameAs(goneAway);
        assertThat(this.held).as("no dial behind the request's back").isEmpty();
        pool.checkInvariants();

        pool.release(goneAway, null); // its stream could not start
        assertThat(goneAway.state).isEqualTo(PooledConnection.State.CLOSED);
        assertThat(goneAway.closes).isEqualTo(1);
        assertThat(host.closed[CloseReason.GOAWAY.ordinal()]).isEqualTo(1);
        pool.checkInvariants();
    }

    @Test
    void requestsThatJoinedADialWhoseConnectionRetiredBeforeUseAllGetItInsteadOfEachDialingInTurn() throws Exception {
        ConnectionPool pool = pool(false);
        HostPool host = host(pool);
        Waiter requester = pool.want(host, true, false, DialSpec.DEFAULT);
        List<Waiter> joiners = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            joiners.add(pool.want(host, true, false, DialSpec.DEFAULT));
        }
        assertThat(joiners).allSatisfy(w -> assertThat(w.joined).as("waits for the dial in flight").isTrue());
        ConnectionPoolFuzzTest.FakeConnection goneAway = connection(host);
        goneAway.streamLimit = 100;
        pool.retire(goneAway, CloseReason.GOAWAY); // GOAWAY right after its SETTINGS, before the dial reported

        pool.dialSucceeded(this.held.remove(0), goneAway);

        // As Go's shared dial: every waiter gets the unusable connection, fails to start its stream and backs off.
        assertThat(requester.connection).isSameAs(goneAway);
        assertThat(joiners).allSatisfy(w -> assertThat(w.connection).isSameAs(goneAway));
        assertThat(this.held).as("no dial for the joiners, one after another").isEmpty();
        assertThat(host.joiners).isZero();
        pool.checkInvariants();

        pool.release(goneAway, null);
        for (int i = 0; i < joiners.size(); i++) {
            pool.release(goneAway, null); // none of their streams could start
        }
        assertThat(goneAway.state).isEqualTo(PooledConnection.State.CLOSED);
        assertThat(goneAway.closes).isEqualTo(1);
        pool.checkInvariants();
    }

    @Test
    void requestThatJoinedAStoppedDialGetsADialOfItsOwnInsteadOfTheStop() throws Exception {
        ConnectionPool pool = pool(false);
        HostPool host = host(pool);
        Waiter cancelled = pool.want(host, true, false, DialSpec.DEFAULT);
        pool.leave(host, cancelled); // its call was cancelled: the dial goes on, nobody waiting for it
        pool.closeIdle(); // stops the dial nobody waits for
        Dial stopped = this.held.remove(0);
        assertThat(stopped.stopped).isTrue();
        Waiter joiner = pool.want(host, true, false, DialSpec.DEFAULT); // before the stopped dial reported
        assertThat(joiner.joined).as("waits for the dial in flight").isTrue();

        pool.dialFailed(stopped, new TransportCancelledException(host.key,
                "dial stopped by closeIdleConnections", TransportCancelledException.Cause.CANCELLED, null, null, null));

        assertThat(joiner.dialError).as("the stop was not its failure").isNull();
        assertThat(joiner.isWaiting()).isTrue();
        assertThat(joiner.dial).as("a dial of its own").isNotNull();
        assertThat(this.held).hasSize(1);
        pool.checkInvariants();
        ConnectionPoolFuzzTest.FakeConnection c = connection(host);
        pool.dialSucceeded(this.held.remove(0), c);
        assertThat(joiner.connection).isSameAs(c);
        pool.checkInvariants();
    }
}
