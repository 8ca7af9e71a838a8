package io.github.pooledtransport.core.internal;

import java.util.concurrent.locks.Condition;

/**
 * A request queued for a connection because its host reached {@code maxConnsPerHost}. It is served
 * either a released connection or permission to dial. Guarded by the pool's lock.
 */
final class Waiter {

    final Condition ready;

    PooledConnection connection;

    boolean mayDial;

    boolean transportClosed;

    boolean cancelled;

    Waiter(Condition ready) {
        this.ready = ready;
    }

    boolean isServed() {
        return this.connection != null || this.mayDial || this.transportClosed;
    }
}
