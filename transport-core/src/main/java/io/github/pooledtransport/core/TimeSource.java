package io.github.pooledtransport.core;

/**
 * A monotonic clock in nanoseconds. Every timeout and eviction decision of the transport reads time from
 * here, so tests can walk a fake clock instead of sleeping.
 */
@FunctionalInterface
public interface TimeSource {

    /** The system's monotonic clock, {@link System#nanoTime()}. */
    TimeSource SYSTEM = System::nanoTime;

    /**
     * Returns the current value of this clock; only differences between two values are meaningful.
     *
     * @return nanoseconds since an arbitrary origin
     */
    long nanoTime();
}
