package io.github.pooledtransport.core.internal;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http2.H2ConnectionException;
import org.apache.hc.core5.http2.H2Error;
import org.apache.hc.core5.http2.config.H2Param;
import org.apache.hc.core5.http2.config.H2Setting;
import org.apache.hc.core5.http2.frame.FrameFlag;
import org.apache.hc.core5.http2.frame.FrameType;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.ResponseHeadersTooLargeException;
import io.github.pooledtransport.core.TooManyInterimResponsesException;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.internal.h2.H2Frame;
import io.github.pooledtransport.core.internal.h2.H2FrameReader;
import io.github.pooledtransport.core.internal.h2.H2FrameWriter;
import io.github.pooledtransport.core.internal.h2.H2HeaderBlocks;

/**
 * An HTTP/2 connection (Go's {@code http2.ClientConn}): its socket, the frame reader that runs on a thread of its
 * own for the connection's life, and the state its streams share: stream ids, flow-control windows, the peer's
 * settings, GOAWAY.
 *
 * <p>Threads and locks. Two threads of its own: the reader, and the writer, which alone writes to the socket.
 * Requests and the reader only queue frames for the writer, so nobody but the writer ever waits on the socket: a
 * stopped call, an interrupted thread or a stuck write of one request never touches the others (an interrupted
 * thread writing to a socket channel would close it for every stream). {@link #lock} guards the streams, windows,
 * settings and the queue; requests wait on their stream's condition under it. {@code encodeLock} orders stream
 * ids, HPACK encoding and the queueing of HEADERS, so ids go out in increasing order and the encoder's table sees
 * blocks in order; nothing blocks under it. Lock order is {@code encodeLock}, then {@code lock}; the pool's lock is
 * never taken under either.
 *
 * <p>Limits. Each stream may hold {@link #STREAM_WINDOW} unread bytes and the connection {@link #CONNECTION_WINDOW}:
 * window is given back only as the caller reads, so memory per connection is bounded by open streams times the
 * stream window. Header blocks, CONTINUATION frames and queued control frames are bounded too; a peer past a bound
 * ends the connection with the error code RFC 9113 names.
 */
final class H2Connection extends PooledConnection implements Runnable {

    /** Our receive window per stream (SETTINGS_INITIAL_WINDOW_SIZE): unread bytes a stream may hold. */
    static final int STREAM_WINDOW = 1 << 20;

    /** Our receive window for the connection, announced right after the preface. */
    static final int CONNECTION_WINDOW = 1 << 30;

    /** RFC 9113's initial window, which applies until SETTINGS say otherwise. */
    static final int DEFAULT_WINDOW = 65_535;

    static final int MAX_WINDOW = Integer.MAX_VALUE;

    /** Frames larger than this are a FRAME_SIZE_ERROR: we keep the protocol's default. */
    static final int MAX_FRAME_SIZE = 16_384;

    /**
     * The last stream id this connection uses. httpcore5-h2 5.4.x misreads ids of 65536 and above; the frame reader
     * guards against it, and retiring the connection before its ids get there keeps the library's reading of our
     * own streams' frames exact as well.
     */
    static final int LAST_STREAM_ID = 65_535;

    /** The most streams the pool puts on one connection, whatever the server allows. */
    static final int MAX_STREAMS = 32_767;

    /** Frames queued for the writer; more means a flood the connection cannot keep up with. */
    static final int MAX_QUEUED_FRAMES = 10_000;

    /** DATA bytes queued for the writer beyond which requests wait: memory per connection stays bounded. */
    static final int MAX_QUEUED_DATA = 1 << 20;

    /** Empty CONTINUATION frames in one header block; more is a flood (CVE-2024-27316 and its kin). */
    static final int MAX_EMPTY_CONTINUATIONS = 16;

    /**
     * A frame for the writer thread; {@code dataBytes} counts against {@link #MAX_QUEUED_DATA}, and an
     * {@code answer} (a PING or SETTINGS acknowledgement, which the server can ask for at will) against
     * {@link #MAX_QUEUED_FRAMES}. Our own frames are never dropped: a dropped HEADERS block would leave the server's
     * HPACK table out of step with ours.
     */
    private record QueuedFrame(int dataBytes, boolean answer, Write write) {
    }

    /**
     * The socket's stream, stamping {@link #writerProgressAt} after each write that got through: progress for the
     * {@code writeTimeout} watchdog in the socket's own chunks, within a large header block or DATA frame too.
     */
    private final class ProgressStamping extends java.io.FilterOutputStream {

        ProgressStamping(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            this.out.write(b, off, len);
            H2Connection.this.writerProgressAt = System.nanoTime();
        }

        @Override
        public void write(int b) throws IOException {
            this.out.write(b);
            H2Connection.this.writerProgressAt = System.nanoTime();
        }
    }

    /** What the writer thread does with the frame writer. */
    @FunctionalInterface
    private interface Write {

        void to(H2FrameWriter writer) throws IOException;
    }

    /** The request was not started on this connection: nothing of it reached the server. */
    static final class Unusable extends IOException {

        private static final long serialVersionUID = 1L;

        final transient CloseReason reason;

        Unusable(String message, CloseReason reason, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }
    }

    /** The server refused the stream or left it above its GOAWAY's last stream: it did not process the request. */
    static final class Refused extends TransportException {

        private static final long serialVersionUID = 1L;

        Refused(HostKey key, String message) {
            super(key, message, null);
        }
    }

    /** The connection failed under the stream: the server may or may not have seen the request. */
    static final class ConnectionFailed extends TransportException {

        private static final long serialVersionUID = 1L;

        /** Why the connection failed: {@code write-timeout} means the server stopped reading. */
        final transient CloseReason reason;

        /**
         * @param cause the connection's failure: the setting it names, if any, is this failure's too
         * @param reason why the connection failed
         */
        ConnectionFailed(HostKey key, String message, Throwable cause, CloseReason reason) {
            super(key, message, cause, (cause instanceof TransportException t) ? t.setting() : null);
            this.reason = reason;
        }
    }

    final ReentrantLock lock = new ReentrantLock();

    /** Orders stream ids, HPACK encoding and the queueing of HEADERS; no I/O under it. */
    private final ReentrantLock encodeLock = new ReentrantLock();

    private final Socket socket;

    private final SocketChannel channel;

    private final H2FrameReader frames;

    private final H2FrameWriter writer;

    private final H2HeaderBlocks blocks;

    private final HostKey key;

    /** {@code maxResponseHeaderBytes}: a larger head fails its stream. */
    private final int maxHeaderBytes;

    /** A header block larger than this ends the connection (a partly decoded block desynchronizes HPACK). */
    private final int hardHeaderBytes;

    /** Whether the connection carries one stream only ({@code disableKeepAlives}). */
    private final boolean singleUse;

    /** Hears when the connection may carry more or fewer streams, and when it takes no new ones. */
    private final ConnectionPool pool;

    private final java.util.concurrent.locks.Condition settingsArrived = this.lock.newCondition();

    /** Frames for the writer thread, in order; under {@code lock}. */
    private final java.util.ArrayDeque<QueuedFrame> queue = new java.util.ArrayDeque<>();

    /** Signalled when frames are queued (for the writer) and when the writer took some (for requests). */
    private final java.util.concurrent.locks.Condition queueChanged = this.lock.newCondition();

    /** DATA bytes queued; under {@code lock}. */
    private int queuedData;

    /** Answers to the server queued; under {@code lock}. */
    private int answersQueued;

    /**
     * When the writer last made progress (began a batch, or a write of it got through to the socket), or 0 while
     * it waits for frames: what the {@code writeTimeout} watchdog reads. Written by the writer only.
     */
    private volatile long writerProgressAt;

    /** Whether the writer closes the socket once the queue is empty (after a GOAWAY of ours); under lock. */
    private boolean closeWhenWritten;

    /** {@code writeTimeout}: how long a request waits for the writer to make progress, 0 for ever. */
    private final long writeTimeoutNanos;

    /** {@code http2ReadIdleTimeout}: silence after which a PING checks the connection, 0 for never. */
    private final long readIdleNanos;

    /** {@code http2PingTimeout}: how long that PING may go unanswered. */
    private final long pingTimeoutNanos;

    /** When the reader last read a frame. */
    private volatile long lastFrameAt = System.nanoTime();

    /**
     * The pending health check (or wait for a PING's answer) and writer check on the shared timer, or {@code null};
     * under {@code lock}. Cancelled when the connection ends, so the timer's queue does not hold a closed connection.
     */
    private java.util.concurrent.ScheduledFuture<?> healthCheck;

    private java.util.concurrent.ScheduledFuture<?> writerCheck;

    /** The payload of the health-check PING awaiting its acknowledgement, or {@code null}; under {@code lock}. */
    private byte[] pingPending;

    /** The next stream id; under {@code encodeLock}. */
    private int nextStreamId = 1;

    // Guarded by lock.

    private final HashMap<Integer, H2Stream> streams = new HashMap<>();

    /** Whether the server sent a final response head on this connection: it served a request on it. */
    private boolean answered;

    /** The highest stream id opened: a frame for a higher odd id is for a stream that does not exist. */
    private int lastOpened;

    private long sendWindow = DEFAULT_WINDOW;

    private int peerInitialWindow = DEFAULT_WINDOW;

    private long peerMaxStreams = 100;

    private long receiveWindow = CONNECTION_WINDOW;

    private int unacknowledged;

    private boolean settingsReceived;

    /** Whether the pool was told the stream limit of the server's first SETTINGS: the dial may complete. */
    private boolean limitAnnounced;

    private int goAwayLastStream = Integer.MAX_VALUE;

    /** Streams the server refused; the second retires the connection (as OkHttp): it is overloaded or draining. */
    private int refusedStreams;

    /** Why the connection takes no new streams, or {@code null}. */
    private CloseReason retired;

    /** Why the connection failed, or {@code null} while it works; every open stream fails with it. */
    private IOException failure;

    H2Connection(HostPool host, long id, long createdAt, long expiresAt, DialedSocket dialed, int maxHeaderBytes,
            boolean singleUse, java.time.Duration writeTimeout, java.time.Duration readIdleTimeout,
            java.time.Duration pingTimeout, ConnectionPool pool) throws IOException {
        super(host, id, createdAt, expiresAt, true);
        this.pool = pool;
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.readIdleNanos = readIdleTimeout.toNanos();
        this.pingTimeoutNanos = pingTimeout.toNanos();
        this.socket = dialed.socket();
        this.channel = dialed.channel();
        this.key = host.key;
        this.maxHeaderBytes = maxHeaderBytes;
        this.hardHeaderBytes = (int) Math.min(Integer.MAX_VALUE, Math.max(2L * maxHeaderBytes, 64 * 1024));
        this.singleUse = singleUse;
        this.socket.setSoTimeout(0); // the reader waits for frames for the connection's life
        this.frames = new H2FrameReader(this.socket.getInputStream(), MAX_FRAME_SIZE);
        OutputStream socketOut = this.socket.getOutputStream();
        if (this.writeTimeoutNanos > 0) {
            socketOut = new ProgressStamping(socketOut);
        }
        OutputStream out = new BufferedOutputStream(socketOut, MAX_FRAME_SIZE + 9);
        this.writer = new H2FrameWriter(out, MAX_FRAME_SIZE);
        this.blocks = new H2HeaderBlocks(this.hardHeaderBytes);
    }

    /**
     * Sends the preface, our SETTINGS and the connection window, starts the reader, and waits for the server's
     * SETTINGS: a server that does not speak HTTP/2 fails the dial here, with a message that says so, and the pool
     * learns how many streams the connection may carry before it hands out the first.
     *
     * @param timeout how long to wait for the server's SETTINGS ({@code dialTimeout}), zero for no limit
     */
    void start(java.time.Duration dialTimeout) throws IOException {
        // Without a dial timeout, still bounded: a server that never answers must not hold the dial for ever.
        java.time.Duration timeout = dialTimeout.isZero() ? java.time.Duration.ofSeconds(30) : dialTimeout;
        send(writer -> {
            writer.preface();
            writer.settings(new H2Setting(H2Param.ENABLE_PUSH, 0),
                    new H2Setting(H2Param.INITIAL_WINDOW_SIZE, STREAM_WINDOW),
                    new H2Setting(H2Param.MAX_HEADER_LIST_SIZE, this.maxHeaderBytes));
            writer.windowUpdate(0, CONNECTION_WINDOW - DEFAULT_WINDOW);
        });
        try {
            BlockingTasks.H2_READERS.execute(this::writeLoop);
            BlockingTasks.H2_READERS.execute(this);
            if (this.readIdleNanos > 0) {
                scheduleHealthCheck(this::checkHealth, this.readIdleNanos);
            }
            if (this.writeTimeoutNanos > 0) {
                scheduleWriterCheck(this.writeTimeoutNanos);
            }
        }
        catch (RuntimeException | Error ex) {
            closeTransport(); // no thread for it (rejected, or none could be created): a writer already started ends
            throw new TransportException(this.key, "Could not start the threads of an HTTP/2 connection to "
                    + this.key + ": " + ex, ex);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        this.lock.lock();
        try {
            while (!this.limitAnnounced && this.failure == null) {
                long left = deadline - System.nanoTime();
                if (!timeout.isZero() && left <= 0) {
                    break;
                }
                try {
                    if (timeout.isZero()) {
                        this.settingsArrived.await();
                    }
                    else {
                        this.settingsArrived.awaitNanos(left);
                    }
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (this.failure != null) {
                // Failed: its socket is closed already, or by the writer once a GOAWAY of ours is out.
                throw new TransportException(this.key, this.key + " did not start HTTP/2 (protocols="
                        + io.github.pooledtransport.core.Protocol.format(this.host.protocols) + "): "
                        + this.failure.getMessage(), this.failure);
            }
        }
        finally {
            this.lock.unlock();
        }
        if (!settingsHeard()) {
            closeTransport();
            throw new TransportException(this.key, this.key + " sent no HTTP/2 SETTINGS within dialTimeout="
                    + timeout.toMillis() + " ms: does it speak HTTP/2 with prior knowledge (protocols="
                    + io.github.pooledtransport.core.Protocol.format(this.host.protocols) + ")?", null, "dialTimeout");
        }
    }

    private boolean settingsHeard() {
        this.lock.lock();
        try {
            return this.limitAnnounced;
        }
        finally {
            this.lock.unlock();
        }
    }

    /** @return how many streams the pool may put on this connection now; under {@code lock} */
    private int streamLimitLocked() {
        return this.singleUse ? 1 : (int) Math.min(this.peerMaxStreams, MAX_STREAMS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The request's side

    /**
     * Opens the stream: allocates its id and writes its HEADERS (and CONTINUATION) frames.
     *
     * @param stream the lease's stream
     * @param fields the request's header list, pseudo-header fields first
     * @param endStream whether no body follows
     * @throws Unusable when the connection could take no stream: nothing was written
     * @throws IOException when writing failed: the connection is broken
     */
    void open(H2Stream stream, List<Header> fields, boolean endStream) throws IOException {
        boolean exhausted = false;
        this.encodeLock.lock();
        try {
            int id;
            this.lock.lock();
            try {
                if (stream.cancelled) {
                    throw new Unusable("cancelled before it started", CloseReason.CANCELLED, null);
                }
                if (this.failure != null || this.retired != null) {
                    throw new Unusable(this + " takes no new streams (" + whyRetired() + ")",
                            (this.retired != null) ? this.retired : CloseReason.ERROR, this.failure);
                }
                id = this.nextStreamId;
                this.nextStreamId += 2;
                if (this.nextStreamId > LAST_STREAM_ID) {
                    this.retired = CloseReason.STREAM_IDS_EXHAUSTED;
                    exhausted = true;
                }
                else if (this.singleUse) {
                    this.retired = CloseReason.KEEP_ALIVE_DISABLED;
                }
                stream.id = id;
                stream.afterAnswer = this.answered;
                stream.sendWindow = this.peerInitialWindow;
                stream.receiveWindow = STREAM_WINDOW;
                stream.localEnded = endStream;
                this.streams.put(id, stream);
                this.lastOpened = id;
            }
            finally {
                this.lock.unlock();
            }
            // Encoded and queued under encodeLock: blocks reach the encoder, and HEADERS the wire, in id order.
            byte[] block = this.blocks.encode(fields);
            send(writer -> writer.headers(id, block, endStream));
        }
        finally {
            this.encodeLock.unlock();
            if (exhausted) {
                this.pool.retire(this, CloseReason.STREAM_IDS_EXHAUSTED);
            }
        }
    }

    /**
     * Writes body bytes as the send windows allow, waiting for window as needed.
     *
     * @return {@code false} when the server no longer wants the body (its response is complete, or it reset the
     *     stream with NO_ERROR after it): the caller stops writing
     * @throws IOException when the stream or the connection failed, or the call was stopped
     */
    boolean write(H2Stream stream, byte[] b, int off, int len, boolean endStream) throws IOException {
        int at = off;
        int end = off + len;
        do {
            this.lock.lock();
            try {
                int n;
                while (true) {
                    throwIfDone(stream);
                    if (stream.resetAfterResponse || (stream.head != null && stream.remoteEnded)) {
                        return false; // the response is complete: the rest of the body is not wanted (as Go)
                    }
                    long window = Math.min(stream.sendWindow, this.sendWindow);
                    if (this.queuedData < MAX_QUEUED_DATA && (end == at || window > 0)) {
                        n = (int) Math.min(Math.min(end - at, window), MAX_QUEUED_DATA);
                        break;
                    }
                    if (stream.head != null && window <= 0) {
                        // The server answered and does not take more of the body: its answer is the response, and
                        // waiting for window it may never give would hold both sides (the stream is reset after).
                        return false;
                    }
                    awaitProgress(stream, this.queuedData >= MAX_QUEUED_DATA);
                }
                stream.sendWindow -= n;
                this.sendWindow -= n;
                boolean last = endStream && at + n == end;
                if (last) {
                    stream.localEnded = true;
                }
                byte[] data = java.util.Arrays.copyOfRange(b, at, at + n); // the caller reuses its buffer
                int id = stream.id;
                enqueueLocked(new QueuedFrame(n, false, writer -> writer.data(id, data, 0, data.length, last)));
                at += n;
            }
            finally {
                this.lock.unlock();
            }
        }
        while (at < end);
        return true;
    }

    /**
     * Waits under {@code lock} for a change of the stream, its windows or the writer's queue. A writer stuck for
     * {@code writeTimeout} fails the connection ({@link #checkWriter}), which ends this wait too.
     *
     * @param forQueue whether the wait is for the writer's queue to shrink
     */
    private void awaitProgress(H2Stream stream, boolean forQueue) throws IOException {
        try {
            if (forQueue) {
                this.queueChanged.await();
            }
            else {
                stream.changed.await();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            java.io.InterruptedIOException interrupted = new java.io.InterruptedIOException(
                    "Interrupted while writing the request body to " + this.key);
            interrupted.initCause(ex);
            throw interrupted;
        }
    }

    /**
     * Waits for the response head.
     *
     * @param stream the stream
     * @param interimCounts whether an interim head ends the wait ({@code Expect: 100-continue})
     * @param timeoutNanos how long to wait, 0 for ever
     * @return whether a head arrived: {@code false} when an interim head was waited for and none came in time
     * @throws SocketTimeoutException when no final head came in time
     * @throws IOException when the stream or the connection failed, or the call was stopped
     */
    boolean awaitHead(H2Stream stream, boolean interimCounts, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        int interim = stream.interimHeads;
        this.lock.lock();
        try {
            while (true) {
                if (stream.head != null) {
                    return true;
                }
                throwIfDone(stream);
                if (interimCounts && stream.interimHeads != interim) {
                    return true;
                }
                if (!await(stream, timeoutNanos, deadline)) {
                    if (interimCounts) {
                        return false;
                    }
                    throw new SocketTimeoutException("no response head in time");
                }
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Reads body bytes, giving window back to the server as they are consumed.
     *
     * @return the bytes read, or -1 at the body's end
     * @throws SocketTimeoutException when no byte came within the timeout
     * @throws IOException when the stream or the connection failed, or the read was stopped
     */
    int read(H2Stream stream, byte[] b, int off, int len, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        int n = 0;
        int streamUpdate = 0;
        int connectionUpdate = 0;
        this.lock.lock();
        try {
            while (true) {
                if (stream.cancelled) {
                    throw new IOException("stream cancelled");
                }
                if (stream.hasData()) {
                    while (n < len && stream.hasData()) {
                        byte[] chunk = stream.data.peek();
                        int take = Math.min(len - n, chunk.length - stream.offset);
                        System.arraycopy(chunk, stream.offset, b, off + n, take);
                        n += take;
                        stream.offset += take;
                        if (stream.offset == chunk.length) {
                            stream.data.poll();
                            stream.offset = 0;
                        }
                    }
                    streamUpdate = streamRefund(stream, n);
                    connectionUpdate = connectionRefund(n);
                    break;
                }
                if (stream.remoteEnded) {
                    return -1;
                }
                throwIfDone(stream);
                if (!await(stream, timeoutNanos, deadline)) {
                    throw new SocketTimeoutException("no response body byte in time");
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        sendWindowUpdates(stream.id, streamUpdate, connectionUpdate);
        return n;
    }

    /**
     * Ends the stream for its lease: reset when it did not end on both sides, its unread bytes given back to the
     * connection's window.
     *
     * @return why the connection may not carry another stream, or {@code null} when it may
     */
    CloseReason endStream(H2Stream stream) {
        boolean reset = false;
        int connectionUpdate = 0;
        CloseReason reason;
        this.lock.lock();
        try {
            if (!stream.ended) {
                stream.ended = true;
                if (stream.id != 0) {
                    this.streams.remove(stream.id);
                    reset = this.failure == null && !(stream.remoteEnded && stream.localEnded);
                }
            }
            int unread = 0;
            for (byte[] chunk : stream.data) {
                unread += chunk.length;
            }
            unread -= stream.offset;
            stream.data.clear();
            stream.offset = 0;
            if (unread > 0) {
                connectionUpdate = connectionRefund(unread);
            }
            reason = (this.failure != null) ? ((this.retired != null) ? this.retired : CloseReason.ERROR)
                    : this.retired;
        }
        finally {
            this.lock.unlock();
        }
        if (reset) {
            int id = stream.id;
            send(writer -> writer.resetStream(id, H2Error.CANCEL));
        }
        sendWindowUpdates(0, 0, connectionUpdate);
        return reason;
    }

    /** A stop of the call or an early close: the stream's waits end. From any thread. */
    void cancel(H2Stream stream) {
        this.lock.lock();
        try {
            stream.cancelled = true;
            stream.changed.signalAll();
            this.queueChanged.signalAll(); // a request waiting for the writer's queue wakes too
        }
        finally {
            this.lock.unlock();
        }
    }

    @Override
    protected void closeTransport() {
        this.lock.lock();
        try {
            if (this.failure == null) {
                this.failure = new IOException(this + " was closed");
                failStreams(this.failure, CloseReason.ERROR);
                cancelChecksLocked();
            }
            this.queueChanged.signalAll(); // the writer ends
            if (this.closeWhenWritten) {
                return; // the writer closes the socket once our GOAWAY is out (a timer within a second otherwise)
            }
        }
        finally {
            this.lock.unlock();
        }
        closeSocket();
    }

    /** Fails the wait under {@code lock} when the stream cannot go on. */
    private void throwIfDone(H2Stream stream) throws IOException {
        if (stream.cancelled) {
            throw new IOException("stream cancelled");
        }
        if (stream.failure != null) {
            throw stream.failure;
        }
    }

    /** @return {@code false} when the deadline passed; under {@code lock} */
    private static boolean await(H2Stream stream, long timeoutNanos, long deadline) {
        if (timeoutNanos <= 0) {
            stream.changed.awaitUninterruptibly();
            return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            stream.changed.awaitNanos(left);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            stream.cancelled = true; // the call turns the interrupt into its cancellation
        }
        return true;
    }

    private String whyRetired() {
        if (this.failure != null) {
            return "it failed: " + this.failure.getMessage();
        }
        return switch (this.retired) {
            case GOAWAY -> "the server sent GOAWAY";
            case STREAM_IDS_EXHAUSTED -> "its stream ids are used up";
            case KEEP_ALIVE_DISABLED -> "keep-alives are disabled";
            case REFUSED_STREAMS -> "the server refused two of its streams";
            default -> this.retired.code();
        };
    }

    /** A write failed: the connection is broken, for every stream. */
    private void brokenBy(Exception ex) {
        fail(new TransportException(this.key, "Writing to the HTTP/2 connection to " + this.key + " failed: "
                + ex.getMessage(), ex), CloseReason.ERROR);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Flow control: window given back as the caller reads, in updates of at least a quarter window (Go sends one
    // per 4 KiB; fewer, larger updates cost the server fewer wakeups and keep the same throughput).

    /** @return the stream WINDOW_UPDATE increment to send now, or 0; under {@code lock} */
    private static int streamRefund(H2Stream stream, int n) {
        if (stream.remoteEnded) {
            return 0; // the server sends no more on it
        }
        stream.unacknowledged += n;
        if (stream.unacknowledged < STREAM_WINDOW / 4) {
            return 0;
        }
        int update = stream.unacknowledged;
        stream.unacknowledged = 0;
        stream.receiveWindow += update;
        return update;
    }

    /** @return the connection WINDOW_UPDATE increment to send now, or 0; under {@code lock} */
    private int connectionRefund(int n) {
        this.unacknowledged += n;
        if (this.unacknowledged < CONNECTION_WINDOW / 4) {
            return 0;
        }
        int update = this.unacknowledged;
        this.unacknowledged = 0;
        this.receiveWindow += update;
        return update;
    }

    private void sendWindowUpdates(int streamId, int streamUpdate, int connectionUpdate) {
        if (streamUpdate > 0) {
            send(writer -> writer.windowUpdate(streamId, streamUpdate));
        }
        if (connectionUpdate > 0) {
            send(writer -> writer.windowUpdate(0, connectionUpdate));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The writer thread and its queue

    /** Queues a frame of ours without data for the writer; from any thread, never waiting. */
    private void send(Write write) {
        this.lock.lock();
        try {
            enqueueLocked(new QueuedFrame(0, false, write));
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Queues an acknowledgement the server asked for (PING, SETTINGS); from the reader, never waiting. Answers the
     * writer cannot get out, past {@link #MAX_QUEUED_FRAMES}, mean a flood from a server that does not read: the
     * connection ends (ENHANCE_YOUR_CALM) at once, nothing more is written, and the socket closes.
     */
    private void answer(Write write) {
        boolean flooded = false;
        this.lock.lock();
        try {
            if (this.answersQueued >= MAX_QUEUED_FRAMES && this.failure == null) {
                flooded = failLocked(connectionError(new H2ConnectionException(H2Error.ENHANCE_YOUR_CALM, "more than "
                        + MAX_QUEUED_FRAMES + " answers waiting to be written: the server asks faster than it reads")),
                        CloseReason.PROTOCOL_ERROR);
            }
            else {
                enqueueLocked(new QueuedFrame(0, true, write));
            }
        }
        finally {
            this.lock.unlock();
        }
        if (flooded) {
            if (this.encodeLock.isHeldByCurrentThread()) {
                // The pool's lock is never taken under a connection's: the rest runs on the shared timer.
                SharedTimer.schedule(() -> afterFailure(CloseReason.PROTOCOL_ERROR), 0);
            }
            else {
                afterFailure(CloseReason.PROTOCOL_ERROR);
            }
        }
    }

    /** Under {@code lock}. */
    private void enqueueLocked(QueuedFrame frame) {
        if (this.failure != null) {
            return; // nothing more is written
        }
        this.queue.add(frame);
        this.queuedData += frame.dataBytes();
        this.answersQueued += frame.answer() ? 1 : 0;
        this.queueChanged.signalAll();
    }

    /** The writer: takes what is queued, writes it, flushes when the queue is empty; ends with the connection. */
    private void writeLoop() {
        List<QueuedFrame> batch = new ArrayList<>();
        while (true) {
            this.lock.lock();
            try {
                while (this.queue.isEmpty() && this.failure == null) {
                    this.queueChanged.awaitUninterruptibly();
                }
                if (this.failure != null && (!this.closeWhenWritten || this.queue.isEmpty())) {
                    break; // failed; a GOAWAY of ours, if any, is written
                }
                batch.addAll(this.queue);
                this.queue.clear();
            }
            finally {
                this.lock.unlock();
            }
            int data = 0;
            int answers = 0;
            try {
                this.writerProgressAt = System.nanoTime(); // then each write that reaches the socket is progress
                for (QueuedFrame frame : batch) {
                    frame.write().to(this.writer);
                    data += frame.dataBytes();
                    answers += frame.answer() ? 1 : 0;
                }
                this.writer.flush();
                this.writerProgressAt = 0;
            }
            catch (IOException | RuntimeException ex) {
                brokenBy(ex);
                return;
            }
            finally {
                batch.clear();
            }
            this.lock.lock();
            try {
                this.queuedData -= data;
                this.answersQueued -= answers;
                this.queueChanged.signalAll();
            }
            finally {
                this.lock.unlock();
            }
        }
        closeSocket(); // the connection failed: the socket goes (at once, after a GOAWAY of ours)
    }

    // ---------------------------------------------------------------------------------------------------------
    // The reader

    /** The read loop, on a thread of its own until the connection ends. */
    @Override
    public void run() {
        try {
            H2Frame first = this.frames.read();
            if (first == null) {
                throw new IOException("the server closed the connection before its SETTINGS");
            }
            if (first.type() != FrameType.SETTINGS || first.has(FrameFlag.ACK)) {
                throw new H2ConnectionException(H2Error.PROTOCOL_ERROR, "the server's first frame was "
                        + describe(first) + ", not SETTINGS");
            }
            onSettings(first);
            while (true) {
                H2Frame frame = this.frames.read();
                this.lastFrameAt = System.nanoTime();
                if (frame == null) {
                    fail(new TransportException(this.key, this.key + " closed the HTTP/2 connection", null),
                            CloseReason.SERVER_CLOSED);
                    return;
                }
                dispatch(frame);
            }
        }
        catch (H2ConnectionException ex) {
            goAwayAndFail(ex);
        }
        catch (IOException | RuntimeException ex) {
            fail(new TransportException(this.key, "Reading the HTTP/2 connection to " + this.key + " failed: "
                    + ex.getMessage(), ex), CloseReason.ERROR);
        }
        catch (Error ex) {
            fail(new TransportException(this.key, "HTTP/2 connection to " + this.key + " failed: " + ex, ex),
                    CloseReason.ERROR);
            throw ex;
        }
    }

    private void dispatch(H2Frame frame) throws IOException {
        FrameType type = frame.type();
        if (type == null) {
            return; // an extension frame: ignored (RFC 9113 5.5)
        }
        switch (type) {
            case DATA -> onData(frame);
            case HEADERS -> onHeaders(frame);
            case RST_STREAM -> onReset(frame);
            case SETTINGS -> onSettings(frame);
            case PING -> onPing(frame);
            case GOAWAY -> onGoAway(frame);
            case WINDOW_UPDATE -> onWindowUpdate(frame);
            case PUSH_PROMISE -> throw new H2ConnectionException(H2Error.PROTOCOL_ERROR,
                    "PUSH_PROMISE although push is disabled");
            case CONTINUATION -> throw new H2ConnectionException(H2Error.PROTOCOL_ERROR,
                    "CONTINUATION without a header block");
            default -> requireStream(frame); // PRIORITY, PRIORITY_UPDATE: ignored
        }
    }

    private void onData(H2Frame frame) throws IOException {
        requireStream(frame);
        int length = frame.flowLength();
        int connectionUpdate;
        int streamUpdate = 0;
        H2Error resetWith = null;
        H2Stream stream;
        this.lock.lock();
        try {
            if (length > this.receiveWindow) {
                throw new H2ConnectionException(H2Error.FLOW_CONTROL_ERROR, "DATA of " + length
                        + " bytes beyond the connection's window of " + this.receiveWindow);
            }
            this.receiveWindow -= length;
            stream = this.streams.get(frame.streamId());
            if (stream == null) {
                requireKnown(frame);
                // A stream that ended here: its bytes are dropped and their window given back at once.
                connectionUpdate = connectionRefund(length);
            }
            else if (length > stream.receiveWindow) {
                connectionUpdate = connectionRefund(length);
                resetWith = streamError(stream, H2Error.FLOW_CONTROL_ERROR, "DATA of " + length
                        + " bytes beyond the stream's window of " + stream.receiveWindow);
            }
            else {
                stream.receiveWindow -= length;
                int payload = frame.payload().length;
                // Padding is never read: its window comes back at once.
                connectionUpdate = connectionRefund(length - payload);
                if (stream.head == null || stream.remoteEnded) {
                    connectionUpdate += connectionRefund(payload); // dropped: its window comes back
                    resetWith = streamError(stream, (stream.head == null) ? H2Error.PROTOCOL_ERROR
                            : H2Error.STREAM_CLOSED, (stream.head == null) ? "DATA before the response head"
                                    : "DATA after the stream ended");
                }
                else if (payload > 0 && !stream.bodyExpected) {
                    connectionUpdate += connectionRefund(payload);
                    resetWith = streamError(stream, H2Error.PROTOCOL_ERROR, "DATA in a response without a body");
                }
                else {
                    stream.received += payload;
                    // Checked before the bytes are kept: bytes past the declared length never reach the caller.
                    resetWith = checkLength(stream, frame.has(FrameFlag.END_STREAM));
                    if (resetWith == null) {
                        if (payload > 0) {
                            stream.data.add(frame.payload());
                        }
                        streamUpdate = streamRefund(stream, length - payload);
                        if (frame.has(FrameFlag.END_STREAM)) {
                            stream.remoteEnded = true;
                        }
                    }
                    else {
                        connectionUpdate += connectionRefund(payload); // dropped: its window comes back
                    }
                    stream.changed.signalAll();
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        if (resetWith != null) {
            sendReset(frame.streamId(), resetWith);
        }
        sendWindowUpdates(frame.streamId(), streamUpdate, connectionUpdate);
    }

    /** @return the error to reset with when the body broke its declared length; under {@code lock} */
    private H2Error checkLength(H2Stream stream, boolean ended) {
        long declared = stream.declaredLength;
        if (declared < 0) {
            return null;
        }
        if (stream.received > declared || (ended && stream.received != declared)) {
            String message = (stream.received > declared)
                    ? "Response body from " + this.key + " is longer than its " + declared + " declared bytes"
                    : "Response body from " + this.key + " ended after " + stream.received + " of its " + declared
                            + " declared bytes";
            fail(stream, new TransportException(this.key, message, null));
            return H2Error.PROTOCOL_ERROR;
        }
        return null;
    }

    private void onHeaders(H2Frame frame) throws IOException {
        requireStream(frame);
        int id = frame.streamId();
        byte[] block = frame.has(FrameFlag.END_HEADERS) ? frame.payload() : continued(frame);
        List<Header> fields = this.blocks.decode(block); // always: the decoder's table must see every block
        boolean endStream = frame.has(FrameFlag.END_STREAM);
        H2Error resetWith = null;
        this.lock.lock();
        try {
            H2Stream stream = this.streams.get(id);
            if (stream == null) {
                requireKnown(frame);
                return;
            }
            if (stream.remoteEnded) {
                resetWith = streamError(stream, H2Error.STREAM_CLOSED, "HEADERS after the stream ended");
            }
            else if (stream.head == null) {
                resetWith = onResponseHead(stream, fields, endStream);
            }
            else {
                resetWith = onTrailers(stream, fields, endStream);
            }
            stream.changed.signalAll();
        }
        finally {
            this.lock.unlock();
        }
        if (resetWith != null) {
            sendReset(id, resetWith);
        }
    }

    /** Under {@code lock}. */
    private H2Error onResponseHead(H2Stream stream, List<Header> fields, boolean endStream) {
        H2Stream.Head head;
        try {
            head = H2ResponseHeads.head(fields, this.maxHeaderBytes);
            if (head.status() >= 100 && head.status() < 200) {
                if (head.status() == 101 || endStream) {
                    throw new H2ResponseHeads.Malformed((head.status() == 101) ? "101 on HTTP/2"
                            : "an interim head that ends the stream");
                }
                if (++stream.interimHeads > Http1ExchangeCodec.MAX_INTERIM_RESPONSES) {
                    fail(stream, new TooManyInterimResponsesException(this.key,
                            Http1ExchangeCodec.MAX_INTERIM_RESPONSES));
                    return H2Error.CANCEL;
                }
                return null;
            }
            boolean bodyExpected = stream.bodyExpected && head.status() != 204 && head.status() != 304;
            long declared = bodyExpected ? H2ResponseHeads.contentLength(head.headers()) : -1;
            if (endStream && declared > 0) {
                throw new H2ResponseHeads.Malformed("the stream ended with the head, which declared a body of "
                        + declared + " bytes");
            }
            stream.bodyExpected = bodyExpected;
            stream.declaredLength = declared;
        }
        catch (H2ResponseHeads.Malformed ex) {
            return streamError(stream, H2Error.PROTOCOL_ERROR, "malformed response head: " + ex.getMessage());
        }
        catch (H2ResponseHeads.TooLarge ex) {
            fail(stream, new ResponseHeadersTooLargeException(this.key, this.maxHeaderBytes));
            return H2Error.CANCEL;
        }
        stream.head = head;
        this.answered = true;
        if (endStream) {
            stream.remoteEnded = true;
        }
        return null;
    }

    /** Trailers are checked, then discarded; under {@code lock}. */
    private H2Error onTrailers(H2Stream stream, List<Header> fields, boolean endStream) {
        try {
            if (!endStream) {
                throw new H2ResponseHeads.Malformed("a second header block that does not end the stream");
            }
            H2ResponseHeads.trailers(fields, this.maxHeaderBytes);
        }
        catch (H2ResponseHeads.Malformed ex) {
            return streamError(stream, H2Error.PROTOCOL_ERROR, "malformed trailers: " + ex.getMessage());
        }
        catch (H2ResponseHeads.TooLarge ex) {
            fail(stream, new ResponseHeadersTooLargeException(this.key, this.maxHeaderBytes));
            return H2Error.CANCEL;
        }
        H2Error resetWith = checkLength(stream, true);
        if (resetWith == null) {
            stream.remoteEnded = true;
        }
        return resetWith;
    }

    /** Joins a header block's CONTINUATION frames, bounded in bytes and in empty frames. */
    private byte[] continued(H2Frame first) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream(first.payload().length * 2);
        block.write(first.payload());
        int empty = 0;
        while (true) {
            H2Frame next = this.frames.read();
            if (next == null) {
                throw new IOException("the server closed the connection inside a header block");
            }
            if (next.type() != FrameType.CONTINUATION || next.streamId() != first.streamId()) {
                throw new H2ConnectionException(H2Error.PROTOCOL_ERROR, describe(next)
                        + " inside the header block of stream " + first.streamId());
            }
            if (next.payload().length == 0 && ++empty > MAX_EMPTY_CONTINUATIONS) {
                throw new H2ConnectionException(H2Error.ENHANCE_YOUR_CALM, "more than " + MAX_EMPTY_CONTINUATIONS
                        + " empty CONTINUATION frames in one header block");
            }
            if ((long) block.size() + next.payload().length > this.hardHeaderBytes) {
                throw new H2ConnectionException(H2Error.ENHANCE_YOUR_CALM, "a header block of more than "
                        + this.hardHeaderBytes + " bytes");
            }
            block.write(next.payload());
            if (next.has(FrameFlag.END_HEADERS)) {
                return block.toByteArray();
            }
        }
    }

    private void onReset(H2Frame frame) throws IOException {
        requireStream(frame);
        int code = frame.errorCode();
        CloseReason retire = null;
        this.lock.lock();
        try {
            H2Stream stream = this.streams.get(frame.streamId());
            if (stream == null) {
                requireKnown(frame);
                return;
            }
            this.streams.remove(stream.id);
            stream.ended = true;
            if (code == H2Error.NO_ERROR.getCode() && stream.head != null && stream.remoteEnded) {
                stream.resetAfterResponse = true; // RFC 9113 8.1: the response is complete, stop sending
            }
            else if (code == H2Error.REFUSED_STREAM.getCode()) {
                fail(stream, new Refused(this.key, this.key + " refused HTTP/2 stream " + stream.id
                        + " (REFUSED_STREAM): the request was not processed"));
                if (++this.refusedStreams == 2 && this.retired == null) {
                    this.retired = CloseReason.REFUSED_STREAMS;
                    retire = this.retired;
                }
            }
            else {
                fail(stream, new TransportException(this.key, this.key + " reset HTTP/2 stream " + stream.id + " with "
                        + errorName(code) + ((stream.head == null) ? " before the response head"
                                : " after " + stream.received + " body bytes"), null));
                if (code == H2Error.PROTOCOL_ERROR.getCode() && this.retired == null) {
                    // The server thinks we broke the protocol (as Go): the connection takes no new streams.
                    this.retired = CloseReason.PROTOCOL_ERROR;
                    retire = this.retired;
                }
            }
            stream.changed.signalAll();
        }
        finally {
            this.lock.unlock();
        }
        if (retire != null) {
            this.pool.retire(this, retire);
        }
    }

    private void onSettings(H2Frame frame) throws IOException {
        if (frame.streamId() != 0) {
            throw new H2ConnectionException(H2Error.PROTOCOL_ERROR, "SETTINGS on stream " + frame.streamId());
        }
        List<H2Frame.Setting> settings = frame.settings();
        if (frame.has(FrameFlag.ACK)) {
            return;
        }
        int tableSize = -1;
        int frameSize = -1;
        int limitBefore;
        int limitAfter;
        boolean first;
        this.lock.lock();
        try {
            first = !this.settingsReceived;
            limitBefore = streamLimitLocked();
            boolean maxStreamsSet = false;
            for (H2Frame.Setting setting : settings) {
                long value = setting.value();
                switch (setting.param()) {
                    case HEADER_TABLE_SIZE -> tableSize = (int) Math.min(value, Integer.MAX_VALUE);
                    case ENABLE_PUSH -> {
                        if (value != 0) {
                            throw new H2ConnectionException(H2Error.PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH=" + value
                                    + " from a server");
                        }
                    }
                    case MAX_CONCURRENT_STREAMS -> {
                        this.peerMaxStreams = value;
                        maxStreamsSet = true;
                    }
                    case INITIAL_WINDOW_SIZE -> initialWindow(value);
                    case MAX_FRAME_SIZE -> {
                        if (value < MAX_FRAME_SIZE || value > 16_777_215) {
                            throw new H2ConnectionException(H2Error.PROTOCOL_ERROR, "SETTINGS_MAX_FRAME_SIZE="
                                    + value);
                        }
                        frameSize = (int) value;
                    }
                    default -> {
                        // MAX_HEADER_LIST_SIZE is advisory; the rest are unknown here
                    }
                }
            }
            if (!this.settingsReceived && !maxStreamsSet) {
                this.peerMaxStreams = 1000; // Go's default when the server sets no limit
            }
            this.settingsReceived = true;
            limitAfter = streamLimitLocked();
        }
        finally {
            this.lock.unlock();
        }
        if (first || limitAfter != limitBefore) {
            this.pool.streamLimitChanged(this, limitAfter);
        }
        if (first) {
            // Only now may the dial complete: the pool knows how many streams to hand out.
            this.lock.lock();
            try {
                this.limitAnnounced = true;
                this.settingsArrived.signalAll();
            }
            finally {
                this.lock.unlock();
            }
        }
        int size = frameSize;
        // The encoder's table shrinks and the acknowledgement is queued in one hold of encodeLock: every block
        // encoded after it follows the new size, and reaches the server after the acknowledgement.
        this.encodeLock.lock();
        try {
            if (tableSize >= 0) {
                this.blocks.peerHeaderTableSize(tableSize);
            }
            answer(writer -> {
                if (size > 0) {
                    writer.maxFrameSize(size);
                }
                writer.settingsAck();
            });
        }
        finally {
            this.encodeLock.unlock();
        }
    }

    /** The peer's new SETTINGS_INITIAL_WINDOW_SIZE applies to open streams too (RFC 9113 6.9.2); under lock. */
    private void initialWindow(long value) throws H2ConnectionException {
        if (value > MAX_WINDOW) {
            throw new H2ConnectionException(H2Error.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE=" + value);
        }
        long delta = value - this.peerInitialWindow;
        for (H2Stream stream : this.streams.values()) {
            stream.sendWindow += delta;
            if (stream.sendWindow > MAX_WINDOW) {
                throw new H2ConnectionException(H2Error.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE="
                        + value + " overflows the window of stream " + stream.id);
            }
            stream.changed.signalAll();
        }
        this.peerInitialWindow = (int) value;
    }

    private void onPing(H2Frame frame) throws IOException {
        if (frame.streamId() != 0) {
            throw new H2ConnectionException(H2Error.PROTOCOL_ERROR, "PING on stream " + frame.streamId());
        }
        byte[] data = frame.pingData();
        if (!frame.has(FrameFlag.ACK)) {
            answer(writer -> writer.ping(data, true));
            return;
        }
        boolean answered = false;
        this.lock.lock();
        try {
            if (this.pingPending != null && java.util.Arrays.equals(this.pingPending, data)) {
                this.pingPending = null;
                answered = true;
            }
        }
        finally {
            this.lock.unlock();
        }
        if (answered) {
            scheduleHealthCheck(this::checkHealth, this.readIdleNanos); // alive: next check a read-idle timeout on
        }
    }

    /**
     * Go's health check ({@code ReadIdleTimeout}): after that long without a frame, a PING; its answer must come
     * within {@code PingTimeout}, else the connection is dead (a middlebox dropped it without a word) and closes as
     * {@code ping-timeout}, failing its streams so that their requests do not wait for ever. On the shared timer.
     */
    private void checkHealth() {
        long silent = System.nanoTime() - this.lastFrameAt;
        if (silent < this.readIdleNanos) {
            scheduleHealthCheck(this::checkHealth, this.readIdleNanos - silent);
            return;
        }
        byte[] data = new byte[8];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(data);
        this.lock.lock();
        try {
            if (this.failure != null) {
                return; // ended: no more checks
            }
            this.pingPending = data;
            enqueueLocked(new QueuedFrame(0, false, writer -> writer.ping(data, false)));
            // Under the lock that sets pingPending: an answer racing in cannot schedule the next check first.
            replaceHealthCheckLocked(() -> pingAnsweredOrDead(data), this.pingTimeoutNanos);
        }
        finally {
            this.lock.unlock();
        }
    }

    private void pingAnsweredOrDead(byte[] data) {
        boolean dead;
        this.lock.lock();
        try {
            dead = this.pingPending == data && this.failure == null;
        }
        finally {
            this.lock.unlock();
        }
        if (dead) {
            fail(new TransportException(this.key, "The HTTP/2 connection to " + this.key + " did not answer a PING "
                    + "within http2PingTimeout=" + this.pingTimeoutNanos / 1_000_000 + " ms, sent after "
                    + "http2ReadIdleTimeout=" + this.readIdleNanos / 1_000_000 + " ms without a frame", null,
                    "http2PingTimeout"), CloseReason.PING_TIMEOUT);
        }
        // Answered: its acknowledgement scheduled the next check.
    }

    /**
     * The {@code writeTimeout} watchdog, on the shared timer while the connection lives: a writer that made no
     * progress for that long (a server that stopped reading, its window of TCP full) fails the connection, whatever
     * it was writing (DATA, HEADERS, or only our own control frames), so the streams on it fail instead of waiting
     * and no new stream is queued behind it.
     */
    private void checkWriter() {
        long since = this.writerProgressAt;
        long stuck = (since == 0) ? 0 : System.nanoTime() - since;
        if (since != 0 && stuck >= this.writeTimeoutNanos) {
            fail(new TransportException(this.key, "Writing to the HTTP/2 connection to " + this.key + " made no "
                    + "progress for writeTimeout=" + this.writeTimeoutNanos / 1_000_000 + " ms: the server stopped "
                    + "reading", null, "writeTimeout"), CloseReason.WRITE_TIMEOUT);
            return;
        }
        scheduleWriterCheck(this.writeTimeoutNanos - stuck);
    }

    /** Schedules the next health check (or the wait for a PING's answer), unless the connection ended. */
    private void scheduleHealthCheck(Runnable check, long delayNanos) {
        this.lock.lock();
        try {
            replaceHealthCheckLocked(check, delayNanos);
        }
        finally {
            this.lock.unlock();
        }
    }

    /** The one pending health check: an answered PING's wait is cancelled, not left queued until it runs. */
    private void replaceHealthCheckLocked(Runnable check, long delayNanos) {
        if (this.failure != null) {
            return;
        }
        if (this.healthCheck != null) {
            this.healthCheck.cancel(false); // a no-op for the check that is running and schedules the next
        }
        this.healthCheck = SharedTimer.schedule(check, delayNanos);
    }

    private void cancelChecksLocked() {
        if (this.healthCheck != null) {
            this.healthCheck.cancel(false);
        }
        if (this.writerCheck != null) {
            this.writerCheck.cancel(false);
        }
    }

    /** Schedules the next writer check, unless the connection ended. */
    private void scheduleWriterCheck(long delayNanos) {
        this.lock.lock();
        try {
            if (this.failure == null) {
                this.writerCheck = SharedTimer.schedule(this::checkWriter, delayNanos);
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    private void onGoAway(H2Frame frame) throws IOException {
        if (frame.streamId() != 0) {
            throw new H2ConnectionException(H2Error.PROTOCOL_ERROR, "GOAWAY on stream " + frame.streamId());
        }
        int last = frame.lastStreamId();
        int code = frame.errorCode();
        this.lock.lock();
        try {
            this.goAwayLastStream = Math.min(this.goAwayLastStream, last);
            if (this.retired == null) {
                this.retired = CloseReason.GOAWAY;
            }
            List<H2Stream> unprocessed = new ArrayList<>();
            for (H2Stream stream : this.streams.values()) {
                if (stream.id > this.goAwayLastStream) {
                    unprocessed.add(stream);
                }
            }
            for (H2Stream stream : unprocessed) {
                this.streams.remove(stream.id);
                stream.ended = true;
                fail(stream, new Refused(this.key, this.key + " sent GOAWAY (" + errorName(code)
                        + ", last stream " + last + "): HTTP/2 stream " + stream.id + " was not processed"));
            }
        }
        finally {
            this.lock.unlock();
        }
        this.pool.retire(this, CloseReason.GOAWAY);
    }

    private void onWindowUpdate(H2Frame frame) throws IOException {
        int increment = frame.windowIncrement();
        H2Error resetWith = null;
        this.lock.lock();
        try {
            if (frame.streamId() == 0) {
                if (increment == 0 || this.sendWindow + increment > MAX_WINDOW) {
                    throw new H2ConnectionException((increment == 0) ? H2Error.PROTOCOL_ERROR
                            : H2Error.FLOW_CONTROL_ERROR, "connection WINDOW_UPDATE of " + increment);
                }
                this.sendWindow += increment;
                for (H2Stream stream : this.streams.values()) {
                    stream.changed.signalAll();
                }
                return;
            }
            H2Stream stream = this.streams.get(frame.streamId());
            if (stream == null) {
                requireKnown(frame);
                return;
            }
            if (increment == 0 || stream.sendWindow + increment > MAX_WINDOW) {
                resetWith = streamError(stream, (increment == 0) ? H2Error.PROTOCOL_ERROR : H2Error.FLOW_CONTROL_ERROR,
                        "stream WINDOW_UPDATE of " + increment);
            }
            else {
                stream.sendWindow += increment;
                stream.changed.signalAll();
            }
        }
        finally {
            this.lock.unlock();
        }
        if (resetWith != null) {
            sendReset(frame.streamId(), resetWith);
        }
    }

    private static void requireStream(H2Frame frame) throws H2ConnectionException {
        if (frame.streamId() == 0) {
            throw new H2ConnectionException(H2Error.PROTOCOL_ERROR, frame.type() + " on stream 0");
        }
    }

    /** A frame for a stream that is not open must be for one that ended, never one not yet opened; under lock. */
    private void requireKnown(H2Frame frame) throws H2ConnectionException {
        int id = frame.streamId();
        if ((id & 1) == 0 || id > this.lastOpened) {
            throw new H2ConnectionException(H2Error.PROTOCOL_ERROR, describe(frame) + " for stream " + id
                    + ", which was never opened");
        }
    }

    /** Fails one stream for what the server sent on it; under {@code lock}. @return the reset's error code */
    private H2Error streamError(H2Stream stream, H2Error error, String message) {
        fail(stream, new TransportException(this.key, "HTTP/2 stream " + stream.id + " from " + this.key + " failed ("
                + error.name() + "): " + message, null));
        return error;
    }

    /** Under {@code lock}: the stream takes no more frames, and its request sees the failure. */
    private void fail(H2Stream stream, IOException failure) {
        if (stream.failure == null) {
            stream.failure = failure;
        }
        if (!stream.ended) {
            stream.ended = true;
            this.streams.remove(stream.id);
        }
        stream.changed.signalAll();
    }

    private void sendReset(int id, H2Error error) {
        send(writer -> writer.resetStream(id, error));
    }

    // ---------------------------------------------------------------------------------------------------------
    // The connection's end

    private IOException connectionError(H2ConnectionException ex) {
        return new TransportException(this.key, "HTTP/2 connection to " + this.key + " failed ("
                + errorName(ex.getCode()) + "): " + ex.getMessage(), ex);
    }

    /**
     * A connection error: the connection ends, and the writer sends GOAWAY with its code after what it has queued,
     * then closes the socket (within a second even when the server does not read).
     */
    private void goAwayAndFail(H2ConnectionException ex) {
        H2Error error = H2Error.getByCode(ex.getCode());
        H2Error code = (error != null) ? error : H2Error.PROTOCOL_ERROR;
        this.lock.lock();
        try {
            // The server may start no streams (push is disabled): the last stream of its we processed is 0.
            enqueueLocked(new QueuedFrame(0, false, writer -> writer.goAway(0, code, null)));
            this.closeWhenWritten = true;
        }
        finally {
            this.lock.unlock();
        }
        fail(connectionError(ex), CloseReason.PROTOCOL_ERROR);
        SharedTimer.schedule(this::closeSocket, 1_000_000_000L);
    }

    /**
     * Ends the connection: no new streams, every open one fails with {@code failure}, and the socket closes (after
     * a queued GOAWAY, when there is one).
     */
    private void fail(IOException failure, CloseReason reason) {
        boolean failed;
        this.lock.lock();
        try {
            failed = failLocked(failure, reason);
        }
        finally {
            this.lock.unlock();
        }
        if (failed) {
            afterFailure(reason);
        }
    }

    /**
     * The part of {@link #fail} under {@code lock}: from here nothing more is queued or written (but a GOAWAY of
     * ours already queued), and every open stream has failed.
     *
     * @return whether this call failed the connection: the caller then calls {@link #afterFailure} outside the locks
     */
    private boolean failLocked(IOException failure, CloseReason reason) {
        if (this.failure != null) {
            return false;
        }
        this.queueChanged.signalAll(); // the writer ends, or writes the GOAWAY first
        this.failure = failure;
        cancelChecksLocked();
        if (this.retired == null || reason == CloseReason.PROTOCOL_ERROR) {
            this.retired = reason;
        }
        failStreams(failure, reason);
        this.settingsArrived.signalAll();
        return true;
    }

    /** The part of {@link #fail} outside the locks: the socket closes (unless the writer closes it after our
     * GOAWAY), and the pool takes the connection out of service. */
    private void afterFailure(CloseReason reason) {
        boolean close;
        this.lock.lock();
        try {
            close = !this.closeWhenWritten;
        }
        finally {
            this.lock.unlock();
        }
        if (close) {
            closeSocket();
        }
        this.pool.retire(this, reason);
    }

    /** Under {@code lock}. */
    private void failStreams(IOException failure, CloseReason reason) {
        for (H2Stream stream : new ArrayList<>(this.streams.values())) {
            fail(stream, new ConnectionFailed(this.key, failure.getMessage() + " (HTTP/2 stream " + stream.id
                    + ((stream.head == null) ? ", before its response head)" : ", after " + stream.received
                            + " body bytes)"), failure, reason));
        }
    }

    private void closeSocket() {
        DialedSocket.close(this.channel, this.socket); // the TCP channel first (never blocks), then TLS on it
    }

    private static String describe(H2Frame frame) {
        return (frame.type() != null) ? frame.type().name() : "a frame of type " + frame.rawType();
    }

    private static String errorName(int code) {
        H2Error error = H2Error.getByCode(code);
        return (error != null) ? error.name() : "error 0x" + Integer.toHexString(code);
    }

    /** @return the peer's SETTINGS_MAX_CONCURRENT_STREAMS as last heard (100 until SETTINGS arrive) */
    long peerMaxStreams() {
        this.lock.lock();
        try {
            return this.peerMaxStreams;
        }
        finally {
            this.lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "HTTP/2 connection#" + this.id + " to " + this.key;
    }
}
