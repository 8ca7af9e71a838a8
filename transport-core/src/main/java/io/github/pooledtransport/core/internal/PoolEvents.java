package io.github.pooledtransport.core.internal;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;

/**
 * The pool's own events, delivered outside its lock.
 */
public interface PoolEvents {

    /** Ignores every event. */
    PoolEvents NONE = new PoolEvents() {
        @Override
        public void putIdleConn(HostKey key, long connectionId) {
        }

        @Override
        public void connectionClosed(HostKey key, long connectionId, CloseReason reason) {
        }

        @Override
        public void hostRemoved(io.github.pooledtransport.core.HostStats last) {
        }
    };

    /**
     * @param key the host key
     * @param connectionId the connection that went idle or to a waiting request
     */
    void putIdleConn(HostKey key, long connectionId);

    /**
     * @param key the host key
     * @param connectionId the connection that was closed
     * @param reason why
     */
    void connectionClosed(HostKey key, long connectionId, CloseReason reason);

    /**
     * @param last the final counts of a host key whose entry expired: no connections, waiters or dials for the
     *     expiry time
     */
    void hostRemoved(io.github.pooledtransport.core.HostStats last);
}
