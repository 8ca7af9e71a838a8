package io.github.pooledtransport.core.internal;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    /*
     * Not a java.lang.ref.Cleaner: its registrations share one monitor, and with hundreds of threads each
     * registering and cleaning a response per request, that monitor became the most contended one in the burst
     * benchmark. A concurrent set keeps the references reachable instead; one daemon thread reports leaks.
     */
    private static final ReferenceQueue<TransportResponseBody> QUEUE = new ReferenceQueue<>();

    private static final Set<Watch> WATCHED = ConcurrentHashMap.newKeySet();

    static {
        Thread reaper = new Thread(LeakTracker::reapForever, "pooled-transport-leak-detector");
        reaper.setDaemon(true);
        reaper.start();
    }

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
    void watch(TransportResponseBody body, LeasedBody raw, String method, URI uri, Throwable site) {
        Watch watch = new Watch(body, new Leak(raw, method, uri, site));
        WATCHED.add(watch);
        body.watch(watch);
    }

    private static void reapForever() {
        while (true) {
            try {
                Watch watch = (Watch) QUEUE.remove();
                if (WATCHED.remove(watch)) {
                    watch.leak.run();
                }
            }
            catch (InterruptedException ex) {
                // A daemon thread for the life of the JVM: nothing asks it to stop.
            }
            catch (RuntimeException | Error ex) {
                logger.warn("Reporting a leaked response failed", ex);
            }
        }
    }

    /**
     * Watches one caller's body. It refers to the exchange body through its leak action, never to the caller's
     * body, so it cannot keep a leaked response alive.
     */
    static final class Watch extends PhantomReference<TransportResponseBody> {

        private final Leak leak;

        private Watch(TransportResponseBody body, Leak leak) {
            super(body, QUEUE);
            this.leak = leak;
        }

        /** The body was closed: no leak to report. */
        void stop() {
            if (WATCHED.remove(this)) {
                clear();
            }
        }
    }

    /** The request line is formatted only when a leak is reported, not for every response watched. */
    private record Leak(LeasedBody raw, String method, URI uri, Throwable site) {

        /** @return the request line, user info masked */
        @Override
        public String toString() {
            return this.method + " " + Uris.withoutUserInfo(this.uri);
        }

        void run() {
            if (this.raw.isReleased() || !this.raw.release(CloseReason.LEAKED)) {
                return;
            }
            String requestLine = toString();
            String cost = this.raw.multiplexed() ? "Its HTTP/2 stream was reset (the connection goes on serving "
                    + "others)." : "Its connection was closed (reason leaked).";
            if (this.site != null) {
                logger.warn("A response was never closed and has been garbage collected: {}. {} Close every "
                        + "response, or read its body to the end; it was obtained here:", requestLine, cost, this.site);
            }
            else {
                logger.warn("A response was never closed and has been garbage collected: {}. {} Close every "
                        + "response, or read its body to the end. Set leak detection to WITH_STACK_TRACES to log "
                        + "where it was obtained.", requestLine, cost);
            }
        }
    }
}
