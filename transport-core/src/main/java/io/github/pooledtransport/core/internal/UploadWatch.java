package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hc.core5.http.ClassicHttpResponse;

/**
 * Watches one request's writes to its connection, from the shared timer: a write that makes no progress for
 * {@code writeTimeout} closes the socket under the blocked writer (Java socket timeouts cover reads only); and a
 * write stuck for {@link #HEAR_AFTER_NANOS} starts a reader on {@link BlockingTasks} that reads the response head
 * while the caller is still writing, as Go's {@code persistConn} always does. When that head is a final response,
 * the upload is over: the reader shuts the connection's output down, so the writer returns, and the caller
 * gets that response (a {@code 413} or {@code 401} from a server that neither reads the rest nor closes).
 *
 * <p>A watch is armed only once the request written exceeds what socket buffers absorb: smaller requests cost it
 * nothing. Armed, each write costs two volatile writes, and the timer checks every {@link #HEAR_AFTER_NANOS}
 * until the upload ends.
 *
 * <p>One state decides who acts: the timer (reader started, write timed out), the reader (early response) and
 * the caller ({@link #disarm()}) each move it with a compare-and-set, so nothing acts on the connection after
 * the caller took it back, and the caller learns from {@code disarm()} exactly what happened.
 */
final class UploadWatch implements Runnable {

    /** How long a write must be stuck before the response is listened for alongside it. */
    static final long HEAR_AFTER_NANOS = 20_000_000L;

    /** The caller writes; nothing else happened. */
    static final int WATCHING = 0;

    /** A reader reads the response head alongside the writer; {@link #head()} gives its outcome. */
    static final int READER = 1;

    /** The reader got a final response while the caller was writing, and shut the output down. */
    static final int EARLY = 2;

    /** A write made no progress for the write timeout; the socket was closed. */
    static final int TIMED_OUT = 3;

    /** The caller stopped writing and took the connection back. */
    static final int DONE = 4;

    /** Reads the response heads up to the final one; runs on the reader thread. */
    @FunctionalInterface
    interface HeadReader {

        ClassicHttpResponse readFinalHead() throws IOException;
    }

    private final Http1Connection connection;

    private final long writeTimeoutNanos;

    private final HeadReader headReader;

    private final AtomicInteger state = new AtomicInteger(WATCHING);

    /** When the socket write under way began, or 0 when none is. */
    private volatile long writeStarted;

    /** Whether {@link #arm()} was called; only the writing thread reads and writes it. */
    private boolean started;

    /** The reader's outcome; set before the state moves to {@link #READER}. */
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

    /** Starts watching; called by the writing thread, at most once. */
    void arm() {
        this.started = true;
        schedule(System.nanoTime());
    }

    /** @return whether {@link #arm()} was called */
    boolean isArmed() {
        return this.started;
    }

    /**
     * The caller stopped writing (done, or failed) and takes the connection back: the timer does nothing more.
     * A reader already started goes on reading the response head; {@link #head()} gives its outcome.
     *
     * @return what happened while it wrote: {@link #WATCHING}, {@link #READER}, {@link #EARLY} or
     *     {@link #TIMED_OUT}
     */
    int disarm() {
        int happened = this.state.getAndSet(DONE);
        ScheduledFuture<?> pending = this.next;
        if (pending != null) {
            pending.cancel(false);
        }
        return happened;
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

    /**
     * @return the reader's outcome: the final head, or {@code null} when the reader could not start and read
     *     nothing; {@code null} itself when no reader was started
     */
    CompletableFuture<ClassicHttpResponse> head() {
        return this.head;
    }

    @Override
    public void run() {
        int current = this.state.get();
        if (current != WATCHING && current != READER) {
            return;
        }
        long now = System.nanoTime();
        long started = this.writeStarted;
        if (started != 0) {
            long stuck = now - started;
            if (this.writeTimeoutNanos > 0 && stuck >= this.writeTimeoutNanos) {
                if (this.state.compareAndSet(current, TIMED_OUT)) {
                    this.connection.abortTransport();
                }
                return;
            }
            if (current == WATCHING && this.headReader != null && stuck >= HEAR_AFTER_NANOS) {
                startReader();
            }
        }
        schedule(now);
    }

    /** The next check: when the write under way (or one starting now) could first need action. */
    private void schedule(long now) {
        int current = this.state.get();
        if (current != WATCHING && current != READER) {
            return;
        }
        long started = (this.writeStarted != 0) ? this.writeStarted : now;
        long at = Long.MAX_VALUE;
        if (this.writeTimeoutNanos > 0) {
            at = started + this.writeTimeoutNanos;
        }
        if (current == WATCHING && this.headReader != null) {
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
        if (!this.state.compareAndSet(WATCHING, READER)) {
            return; // the caller took the connection back meanwhile
        }
        try {
            BlockingTasks.READERS.execute(() -> read(outcome));
        }
        catch (RejectedExecutionException | Error ex) {
            // No reader thread (every one busy, or none could be made): not listened to for now, and the timer
            // tries again. Should the caller have taken the connection back meanwhile, believing a reader runs,
            // the outcome tells it that none read anything: it reads the head itself.
            this.state.compareAndSet(READER, WATCHING);
            outcome.complete(null);
        }
    }

    private void read(CompletableFuture<ClassicHttpResponse> outcome) {
        try {
            ClassicHttpResponse response = this.headReader.readFinalHead();
            if (this.state.compareAndSet(READER, EARLY)) {
                // The server answered before taking the whole body: stop the writer, keep the input open for the
                // response's body.
                this.connection.shutdownOutput();
            }
            outcome.complete(response);
        }
        catch (Throwable ex) {
            outcome.completeExceptionally(ex);
        }
    }
}
