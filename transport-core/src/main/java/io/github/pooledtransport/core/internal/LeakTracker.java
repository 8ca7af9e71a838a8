package io.github.pooledtransport.core.internal;

import java.lang.ref.Cleaner;
import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.LeakDetection;

/**
 * Finds response bodies that became unreachable without being closed. The cleaning action refers only to
 * the exchange body (never to the caller's body object), so it cannot keep the leaked response alive.
 */
final class LeakTracker {

    private static final Logger logger = LoggerFactory.getLogger(LeakTracker.class);

    private static final Cleaner CLEANER = Cleaner.create(runnable -> {
        Thread thread = new Thread(runnable, "pooled-transport-leak-detector");
        thread.setDaemon(true);
        return thread;
    });

    private final LeakDetection mode;

    LeakTracker(LeakDetection mode) {
        this.mode = mode;
    }

    boolean isEnabled() {
        return this.mode != LeakDetection.OFF;
    }

    boolean withStackTraces() {
        return this.mode == LeakDetection.WITH_STACK_TRACES;
    }

    /**
     * @param body the caller's body
     * @param raw the exchange body that holds the connection
     * @param method the request method, for the log
     * @param uri the request URI, for the log (its user info is masked there; headers are never logged)
     * @param site where the response was obtained, or {@code null} when stack traces are off
     */
    void watch(TransportResponseBody body, ExchangeBody raw, String method, URI uri, Throwable site) {
        body.watch(CLEANER.register(body, new Leak(raw, method, uri, site)));
    }

    /** The request line is formatted only when a leak is reported, not for every response watched. */
    private record Leak(ExchangeBody raw, String method, URI uri, Throwable site) implements Runnable {

        /** @return the request line, user info masked */
        @Override
        public String toString() {
            return this.method + " " + Uris.withoutUserInfo(this.uri);
        }

        @Override
        public void run() {
            if (this.raw.isReleased() || !this.raw.release(CloseReason.LEAKED)) {
                return;
            }
            String requestLine = toString();
            if (this.site != null) {
                logger.warn("A response was never closed and has been garbage collected: {}. Its connection was "
                        + "closed (reason leaked). Close every response, or read its body to the end; it was "
                        + "obtained here:", requestLine, this.site);
            }
            else {
                logger.warn("A response was never closed and has been garbage collected: {}. Its connection was "
                        + "closed (reason leaked). Close every response, or read its body to the end. Set leak "
                        + "detection to WITH_STACK_TRACES to log where it was obtained.", requestLine);
            }
        }
    }
}
