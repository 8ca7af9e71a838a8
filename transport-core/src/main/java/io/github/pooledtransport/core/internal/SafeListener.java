package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.ConnectionInfo;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.TransportListener;

/**
 * Calls the configured listeners in order and contains their failures: a listener that throws is logged
 * once (per listener class) and never breaks a request or the pool.
 */
public class SafeListener implements TransportListener, PoolEvents {

    private static final Logger logger = LoggerFactory.getLogger(SafeListener.class);

    /** Replaced, never changed in place, when a listener is added: events read one snapshot. */
    private volatile TransportListener[] listeners;

    private final java.util.concurrent.locks.ReentrantLock adding = new java.util.concurrent.locks.ReentrantLock();

    private final Set<Class<?>> reported = ConcurrentHashMap.newKeySet();

    /** @param listeners the listeners, called in this order */
    public SafeListener(List<TransportListener> listeners) {
        this.listeners = listeners.toArray(new TransportListener[0]);
    }

    /**
     * @param listeners the listeners, called in this order
     * @return a listener that calls them, and any added later
     */
    public static SafeListener of(List<TransportListener> listeners) {
        return new SafeListener(listeners);
    }

    /**
     * Adds a listener that hears every event from now on, after the others; an event already being delivered may
     * or may not reach it.
     *
     * @param listener the listener
     */
    public void add(TransportListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        this.adding.lock();
        try {
            TransportListener[] current = this.listeners;
            TransportListener[] more = java.util.Arrays.copyOf(current, current.length + 1);
            more[current.length] = listener;
            this.listeners = more;
        }
        finally {
            this.adding.unlock();
        }
    }

    /** @return whether there is no listener, so callers can skip building event arguments */
    public boolean isEmpty() {
        return this.listeners.length == 0;
    }

    private void each(Consumer<TransportListener> event) {
        for (TransportListener listener : this.listeners) {
            try {
                event.accept(listener);
            }
            catch (Throwable ex) {
                if (this.reported.add(listener.getClass())) {
                    logger.warn("TransportListener {} threw; its exceptions are ignored (logged once)",
                            listener.getClass().getName(), ex);
                }
            }
        }
    }

    @Override
    public void getConn(HostKey key) {
        each(l -> l.getConn(key));
    }

    @Override
    public void gotConn(HostKey key, ConnectionInfo info) {
        each(l -> l.gotConn(key, info));
    }

    @Override
    public void dnsStart(String host) {
        each(l -> l.dnsStart(host));
    }

    @Override
    public void dnsDone(String host, List<InetAddress> addresses, IOException error) {
        each(l -> l.dnsDone(host, addresses, error));
    }

    @Override
    public void connectStart(InetSocketAddress address) {
        each(l -> l.connectStart(address));
    }

    @Override
    public void connectDone(InetSocketAddress address, IOException error) {
        each(l -> l.connectDone(address, error));
    }

    @Override
    public void connectDone(HostKey key, InetSocketAddress address, IOException error, java.time.Duration elapsed) {
        each(l -> l.connectDone(key, address, error, elapsed));
    }

    @Override
    public void dnsDone(HostKey key, String host, List<InetAddress> addresses, IOException error,
            java.time.Duration elapsed) {
        each(l -> l.dnsDone(key, host, addresses, error, elapsed));
    }

    @Override
    public void tlsHandshakeDone(HostKey key, String protocol, String cipherSuite, IOException error,
            java.time.Duration elapsed) {
        each(l -> l.tlsHandshakeDone(key, protocol, cipherSuite, error, elapsed));
    }

    @Override
    public void tlsHandshakeStart(HostKey key) {
        each(l -> l.tlsHandshakeStart(key));
    }

    @Override
    public void tlsHandshakeDone(HostKey key, String protocol, String cipherSuite, IOException error) {
        each(l -> l.tlsHandshakeDone(key, protocol, cipherSuite, error));
    }

    @Override
    public void wroteHeaders(HostKey key) {
        each(l -> l.wroteHeaders(key));
    }

    @Override
    public void wroteRequest(HostKey key, IOException error) {
        each(l -> l.wroteRequest(key, error));
    }

    @Override
    public void gotFirstResponseByte(HostKey key) {
        each(l -> l.gotFirstResponseByte(key));
    }

    @Override
    public void putIdleConn(HostKey key, long connectionId) {
        each(l -> l.putIdleConn(key, connectionId));
    }

    @Override
    public void connectionClosed(HostKey key, long connectionId, CloseReason reason) {
        each(l -> l.connectionClosed(key, connectionId, reason));
    }

    @Override
    public void hostRemoved(io.github.pooledtransport.core.HostStats last) {
        each(l -> l.hostRemoved(last));
    }
}
