package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Races the two address families of a name, as Go's {@code dialParallel} (RFC 8305's "Happy Eyeballs"): the family
 * of the first address the resolver returned is primary; the other starts after the fallback delay, or at once when
 * every primary address failed. Within a family, addresses are tried in order, each within its share of the dial
 * deadline. The first connection to complete wins and the others are closed; TLS and proxy tunnels run only on the
 * winner, afterwards.
 *
 * <p>One thread, non-blocking connects and a selector: at most one attempt per family is in flight. A stop of the
 * dial wakes the selector; the racing thread then closes what it opened.
 */
final class HappyEyeballs {

    /** Each address gets at least this much of the remaining dial time, as Go's partial deadlines. */
    private static final long MIN_PER_ADDRESS_NANOS = 2_000_000_000L;

    /**
     * Go's {@code partialDeadline}: the time one address may take, an even share of what is left among the
     * addresses still to try, but at least 2 s, and never more than what is left.
     *
     * @param left the dial time left, positive
     * @param remaining the addresses still to try, this one included
     * @return the address's share
     */
    static long shareOf(long left, int remaining) {
        return Math.min(left, Math.max(MIN_PER_ADDRESS_NANOS, left / remaining));
    }

    /** What an attempt reports; the dialer turns it into listener events. */
    interface Attempts {

        /** An attempt starts. */
        void started(InetSocketAddress address);

        /** An attempt ended; {@code error} is {@code null} for the winner. */
        void ended(InetSocketAddress address, IOException error, long startedNanos);
    }

    private final int port;

    private final Family primary;

    private final Family fallback;

    /** 0 for no deadline. */
    private final long deadline;

    private final long fallbackDelayNanos;

    private final Attempts attempts;

    private final List<String> tried = new ArrayList<>();

    private boolean fellBack;

    /**
     * @param addresses the addresses in the resolver's order; both families present
     * @param port the port
     * @param deadline the dial deadline ({@code System.nanoTime()}), 0 for none
     * @param fallbackDelayNanos how long the primary family runs alone
     * @param attempts hears every attempt
     */
    HappyEyeballs(List<InetAddress> addresses, int port, long deadline, long fallbackDelayNanos, Attempts attempts) {
        this.port = port;
        this.deadline = deadline;
        this.fallbackDelayNanos = fallbackDelayNanos;
        this.attempts = attempts;
        boolean v6First = addresses.get(0) instanceof Inet6Address;
        List<InetAddress> first = new ArrayList<>();
        List<InetAddress> other = new ArrayList<>();
        for (InetAddress address : addresses) {
            ((address instanceof Inet6Address) == v6First ? first : other).add(address);
        }
        this.primary = new Family(first);
        this.fallback = new Family(other);
    }

    /** @return whether the addresses hold both families, so a race applies */
    static boolean bothFamilies(List<InetAddress> addresses) {
        boolean v6 = false;
        boolean v4 = false;
        for (InetAddress address : addresses) {
            v6 |= address instanceof Inet6Address;
            v4 |= !(address instanceof Inet6Address);
        }
        return v6 && v4;
    }

    /** @return the addresses tried, in the order they were started */
    List<String> tried() {
        return this.tried;
    }

    /** @return whether the fallback family was started */
    boolean fellBack() {
        return this.fellBack;
    }

    /**
     * Runs the race.
     *
     * @param call the dial's stop: it wakes the race, which then fails with the stop
     * @return the winner's channel, connected and blocking; the caller owns it
     * @throws IOException the last failure when every address failed, a {@link SocketTimeoutException} when the
     *     deadline passed, or the stop
     */
    SocketChannel race(CallState call) throws IOException {
        Selector selector = Selector.open();
        SocketChannel winner = null;
        try {
            call.enter("connecting to " + this.primary.addresses.get(0).getHostAddress(), selector::wakeup);
            long fallbackAt = System.nanoTime() + this.fallbackDelayNanos;
            this.primary.startNext(selector);
            while (winner == null) {
                call.throwIfStopped();
                long now = System.nanoTime();
                if (!this.fallback.started && (now - fallbackAt >= 0 || this.primary.exhausted())) {
                    this.fellBack = true;
                    this.fallback.startNext(selector);
                }
                if (this.primary.exhausted() && this.fallback.exhausted()) {
                    throw failure();
                }
                winner = this.primary.connectedAtOnce();
                if (winner == null) {
                    winner = this.fallback.connectedAtOnce();
                }
                if (winner != null) {
                    break;
                }
                selector.select(Math.max(1, (nextWake(now, fallbackAt) - now + 999_999) / 1_000_000));
                for (SelectionKey selected : selector.selectedKeys()) {
                    Family family = (Family) selected.attachment();
                    winner = family.finish(selector);
                    if (winner != null) {
                        break;
                    }
                }
                selector.selectedKeys().clear();
                if (winner == null) {
                    now = System.nanoTime();
                    this.primary.expire(now, selector);
                    this.fallback.expire(now, selector);
                }
            }
        }
        catch (IOException | RuntimeException | Error ex) {
            this.primary.abandon(null);
            this.fallback.abandon(null);
            throw ex;
        }
        finally {
            selector.close(); // deregisters every channel, so the winner can turn blocking
        }
        String won = winner.socket().getInetAddress().getHostAddress();
        this.primary.abandon(won);
        this.fallback.abandon(won);
        winner.configureBlocking(true);
        return winner;
    }

    /** The next moment something is due: an attempt's own deadline, the fallback's start, or the dial's end. */
    private long nextWake(long now, long fallbackAt) {
        long wake = now + 1_000_000_000L;
        if (!this.fallback.started) {
            wake = Math.min(wake, fallbackAt);
        }
        for (Family family : new Family[] { this.primary, this.fallback }) {
            if (family.current != null) {
                wake = Math.min(wake, family.attemptDeadline);
            }
        }
        return wake;
    }

    private IOException failure() {
        IOException last = (this.fallback.lastError != null) ? this.fallback.lastError : this.primary.lastError;
        return (last != null) ? last : new SocketTimeoutException("dial deadline passed");
    }

    /** One address family: its addresses in order, tried one at a time. */
    private final class Family {

        final List<InetAddress> addresses;

        int next;

        boolean started;

        SocketChannel current;

        InetSocketAddress currentAddress;

        long currentStarted;

        long attemptDeadline;

        IOException lastError;

        /** The attempt in flight connected as it started (loopback may): no selection will report it. */
        boolean connected;

        Family(List<InetAddress> addresses) {
            this.addresses = addresses;
        }

        /** @return whether it has nothing in flight and nothing left to try */
        boolean exhausted() {
            return this.started && this.current == null && this.next >= this.addresses.size();
        }

        /** Starts the next address, moving past those that fail at once; nothing when none is left or time is up. */
        void startNext(Selector selector) throws IOException {
            this.started = true;
            while (this.current == null && this.next < this.addresses.size()) {
                long now = System.nanoTime();
                long share = Long.MAX_VALUE;
                if (HappyEyeballs.this.deadline != 0) {
                    long left = HappyEyeballs.this.deadline - now;
                    if (left <= 0) {
                        this.next = this.addresses.size();
                        if (this.lastError == null) {
                            this.lastError = new SocketTimeoutException("dial deadline passed");
                        }
                        return;
                    }
                    share = shareOf(left, this.addresses.size() - this.next);
                }
                InetSocketAddress address = new InetSocketAddress(this.addresses.get(this.next++),
                        HappyEyeballs.this.port);
                HappyEyeballs.this.tried.add(address.getAddress().getHostAddress());
                HappyEyeballs.this.attempts.started(address);
                this.currentAddress = address;
                this.currentStarted = System.nanoTime();
                try {
                    SocketChannel channel = SocketChannel.open();
                    this.current = channel; // closed by failCurrent whatever fails from here
                    channel.configureBlocking(false);
                    this.attemptDeadline = (share == Long.MAX_VALUE) ? Long.MAX_VALUE : now + share;
                    this.connected = channel.connect(address);
                    if (!this.connected) {
                        channel.register(selector, SelectionKey.OP_CONNECT, this);
                    }
                }
                catch (IOException ex) {
                    failCurrent(ex);
                }
            }
        }

        /** @return the attempt in flight when it connected as it started, else {@code null} */
        SocketChannel connectedAtOnce() {
            if (this.current == null || !this.connected) {
                return null;
            }
            SocketChannel channel = this.current;
            HappyEyeballs.this.attempts.ended(this.currentAddress, null, this.currentStarted);
            this.current = null;
            return channel;
        }

        /** @return the channel when its connect completed, else {@code null} (a failure moves on) */
        SocketChannel finish(Selector selector) throws IOException {
            SocketChannel channel = this.current;
            if (channel == null) {
                return null;
            }
            try {
                if (channel.finishConnect()) {
                    HappyEyeballs.this.attempts.ended(this.currentAddress, null, this.currentStarted);
                    this.current = null;
                    return channel;
                }
                return null;
            }
            catch (IOException ex) {
                failCurrent(ex);
                startNext(selector);
                return null;
            }
        }

        /** Fails an attempt past its share of the deadline. */
        void expire(long now, Selector selector) throws IOException {
            if (this.current != null && now - this.attemptDeadline >= 0) {
                failCurrent(new SocketTimeoutException("connect timed out"));
                startNext(selector);
            }
        }

        private void failCurrent(IOException error) {
            closeQuietly(this.current);
            HappyEyeballs.this.attempts.ended(this.currentAddress, error, this.currentStarted);
            this.current = null;
            this.lastError = error;
        }

        /** Closes the attempt in flight, which lost to {@code winner} (or to a failure, when {@code null}). */
        void abandon(String winner) {
            if (this.current != null) {
                closeQuietly(this.current);
                HappyEyeballs.this.attempts.ended(this.currentAddress, new ConnectException((winner != null)
                        ? "abandoned: " + winner + " connected first" : "abandoned"), this.currentStarted);
                this.current = null;
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            }
            catch (IOException ex) {
                // losing or failing already; nothing to add
            }
        }
    }
}
