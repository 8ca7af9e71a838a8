package io.github.pooledtransport.core.internal;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.pooledtransport.core.CallListener;
import io.github.pooledtransport.core.ConnectionInfo;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Request;

/**
 * Makes each call's listener from the configured factories, and contains the failures of factories and listeners:
 * one that throws is logged once per class and never breaks a call. With no factory, or when every factory passes
 * a call over, the call gets {@link CallListener#NONE} and its events cost nothing.
 */
final class CallListeners {

    private static final Logger logger = LoggerFactory.getLogger(CallListeners.class);

    private final CallListener.Factory[] factories;

    private final Set<Class<?>> reported = ConcurrentHashMap.newKeySet();

    CallListeners(List<CallListener.Factory> factories) {
        this.factories = factories.toArray(new CallListener.Factory[0]);
    }

    /** @return the listener of a new call, on the thread that creates it */
    CallListener forCall(Request request) {
        if (this.factories.length == 0) {
            return CallListener.NONE;
        }
        List<CallListener> made = new ArrayList<>(this.factories.length);
        for (CallListener.Factory factory : this.factories) {
            try {
                CallListener listener = factory.create(request);
                if (listener != null && listener != CallListener.NONE) {
                    made.add(listener);
                }
            }
            catch (Throwable ex) {
                report(factory, ex);
            }
        }
        return made.isEmpty() ? CallListener.NONE : new Contained(made.toArray(new CallListener[0]));
    }

    private void report(Object culprit, Throwable ex) {
        if (this.reported.add(culprit.getClass())) {
            logger.warn("CallListener {} threw; its exceptions are ignored (logged once)", culprit.getClass().getName(),
                    ex);
        }
    }

    /** Calls a call's listeners in order; a listener that throws does not stop the others or the call. */
    private final class Contained implements CallListener {

        private final CallListener[] listeners;

        Contained(CallListener[] listeners) {
            this.listeners = listeners;
        }

        private void each(Consumer<CallListener> event) {
            for (CallListener listener : this.listeners) {
                try {
                    event.accept(listener);
                }
                catch (Throwable ex) {
                    report(listener, ex);
                }
            }
        }

        @Override
        public void connectionRequested(HostKey key) {
            each(l -> l.connectionRequested(key));
        }

        @Override
        public void connectionAcquired(HostKey key, ConnectionInfo connection) {
            each(l -> l.connectionAcquired(key, connection));
        }

        @Override
        public void connectionFailed(HostKey key, Throwable error) {
            each(l -> l.connectionFailed(key, error));
        }

        @Override
        public void dialStarted(HostKey key, long dialId) {
            each(l -> l.dialStarted(key, dialId));
        }

        @Override
        public void dialSucceeded(HostKey key, long dialId, long connectionId, InetSocketAddress remote) {
            each(l -> l.dialSucceeded(key, dialId, connectionId, remote));
        }

        @Override
        public void dialFailed(HostKey key, long dialId, Throwable error) {
            each(l -> l.dialFailed(key, dialId, error));
        }
    }
}
