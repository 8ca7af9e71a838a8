package io.github.pooledtransport.core.h2;

import io.github.pooledtransport.core.Transport;

/** Waits on a transport's HTTP/2 counts, bounded in time. */
final class PoolTestSupportH2 {

    private PoolTestSupportH2() {
    }

    /** Waits until the transport has this many streams in flight (at most 10 s). */
    static void awaitStreams(Transport transport, int streams) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (transport.stats().totals().streams() != streams) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("streams in flight: " + transport.stats().totals().streams() + ", not "
                        + streams);
            }
            Thread.sleep(5);
        }
    }
}
