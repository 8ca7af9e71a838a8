package io.github.pooledtransport.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that only moves when a test walks it. */
final class FakeTimeSource implements TimeSource {

    /** Starts far from zero so that no arithmetic in the pool accidentally relies on a zero origin. */
    private final AtomicLong now = new AtomicLong(Duration.ofDays(1).toNanos());

    @Override
    public long nanoTime() {
        return this.now.get();
    }

    void advance(Duration duration) {
        this.now.addAndGet(duration.toNanos());
    }
}
