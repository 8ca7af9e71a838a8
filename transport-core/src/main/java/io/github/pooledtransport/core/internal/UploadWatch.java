package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import org.apache.hc.core5.http.ClassicHttpResponse;

/**
 * Watches one request's writes to its connection, from the shared timer: a write that makes no progress for
 * {@code writeTimeout} closes the socket under the blocked writer (Java socket timeouts cover reads only); and a
 * write stuck for {@link #HEAR_AFTER_NANOS} starts a reader on {@link BlockingTasks} that reads the response head
 * while the caller is still writing, as Go's {@code persistConn} always does. When that head is a final response,
 * the upload is over: the reader shuts the connection's output down, so the writer returns, and the caller
 * gets that response (a {@code 413} or {@code 401} from a server that neither reads the rest nor closes).
 *
 * <p>Writes that never block cost two volatile writes each and one timer task per request; only requests that
 * need it are watched (see {@code Http1ExchangeCodec}).
 */
final class UploadWatch implements Runnable {

    /** How long a write must be stuck before the response is listened for alongside it. */
    static final long HEAR_AFTER_NANOS = 20_000_000L;

    /** Reads the response heads up to the final one; runs on the reader thread. */
    @FunctionalInterface
    interface HeadReader {

        ClassicHttpResponse readFinalHead() throws IOException;
    }

    private final Http1Connection connection;

    private final long writeTimeoutNanos;

    private final HeadReader headReader;

    /** When the socket write under way began, or 0 when none is. */
    private volatile long writeStarted;

    private volatile boolean armed;

    private volatile boolean writeTimedOut;

    /** Whether the reader saw a final response while the request was still being written. */
    private volatile boolean early;

    /** Whether the caller is still writing the request. */
    private volatile boolean writing = true;

    /** The reader's outcome; {@code null} until a reader is started. */
    private volatile CompletableFuture<ClassicHttpResponse> head;

    private volatile ScheduledFuture<?> next;

    /**
     * @param connection the connection written to
     * @param writeTimeoutNanos the write timeout, 0 for none
     * @param headReader reads the response head, or {@code null} when early responses are not listened for
     */
    UploadWatch(Http1Connection connection, long writeTimeoutNanos, HeadReader headReader) {
        this.connection = connection;
        this.writeTimeoutNanos = writeTimeoutNanos;
        this.headReader = headReader;
    }

    /** Starts watching; the caller then writes. */
    void arm() {
        this.armed = true;
        schedule(System.nanoTime());
    }

    /**
     * The caller stopped writing (done, or failed): no more timer checks. A reader already started goes on
     * reading the response head; {@link #head()} gives its outcome.
     */
    void disarm() {
        this.writing = false;
        this.armed = false;
        ScheduledFuture<?> pending = this.next;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    /** A socket write begins. */
    void writing() {
        long now = System.nanoTime();
        this.writeStarted = (now == 0) ? 1 : now;
    }

    /** The socket write returned. */
    void wrote() {
        this.writeStarted = 0;
    }

    /** @return whether a write was stopped by the write timeout */
    boolean writeTimedOut() {
        return this.writeTimedOut;
    }

    /** @return whether a final response arrived while the request was being written */
    boolean early() {
        return this.early;
    }

    /** @return the reader's outcome, or {@code null} when no reader was started */
    CompletableFuture<ClassicHttpResponse> head() {
        return this.head;
    }

    @Override
    public void run() {
        if (!this.armed) {
            return;
        }
        long now = System.nanoTime();
        long started = this.writeStarted;
        if (started != 0) {
            long stuck = now - started;
            if (this.writeTimeoutNanos > 0 && stuck >= this.writeTimeoutNanos) {
                this.writeTimedOut = true;
                this.armed = false;
                this.connection.abortTransport();
                return;
            }
            if (this.headReader != null && this.head == null && stuck >= HEAR_AFTER_NANOS) {
                startReader();
            }
        }
        schedule(now);
    }

    /** The next check: when the write under way (or one starting now) could first need action. */
    private void schedule(long now) {
        if (!this.armed) {
            return;
        }
        long started = (this.writeStarted != 0) ? this.writeStarted : now;
        long at = Long.MAX_VALUE;
        if (this.writeTimeoutNanos > 0) {
            at = started + this.writeTimeoutNanos;
        }
        if (this.headReader != null && this.head == null) {
            at = Math.min(at, started + HEAR_AFTER_NANOS);
        }
        if (at == Long.MAX_VALUE) {
            return; // the reader runs and there is no write timeout: nothing left to check
        }
        this.next = SharedTimer.schedule(this, Math.max(1_000_000L, at - now));
    }

    private void startReader() {
        CompletableFuture<ClassicHttpResponse> outcome = new CompletableFuture<>();
        this.head = outcome;
        BlockingTasks.EXECUTOR.execute(() -> {
            try {
                ClassicHttpResponse response = this.headReader.readFinalHead();
                if (this.writing) {
                    // The server answered before taking the whole body: stop the writer, keep the input open
                    // for the response's body.
                    this.early = true;
                    this.connection.shutdownOutput();
                }
                outcome.complete(response);
            }
            catch (Throwable ex) {
                outcome.completeExceptionally(ex);
            }
        });
    }
}
