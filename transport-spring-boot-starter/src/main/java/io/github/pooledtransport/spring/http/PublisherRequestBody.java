package io.github.pooledtransport.spring.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.ReentrantLock;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

import io.github.pooledtransport.core.RequestBody;

/**
 * A reactive request body written by the transport's blocking writer: it asks the publisher for one buffer at a
 * time and asks for the next only once the previous one is written to the connection, so a slow connection slows
 * the publisher down and at most one buffer is held. A publisher can be subscribed once, so the body is not
 * repeatable (the transport never replays it). Cancelling the call cancels the subscription and wakes the writer.
 */
final class PublisherRequestBody extends RequestBody {

    private final Publisher<? extends DataBuffer> publisher;

    private final long contentLength;

    private final CallHandle handle;

    private final AtomicBoolean written = new AtomicBoolean();

    /**
     * @param publisher the body
     * @param contentLength its length from {@code Content-Length}, or -1 to send it chunked
     * @param handle the call, whose cancel stops the subscription
     */
    PublisherRequestBody(Publisher<? extends DataBuffer> publisher, long contentLength, CallHandle handle) {
        this.publisher = publisher;
        this.contentLength = contentLength;
        this.handle = handle;
    }

    @Override
    public long contentLength() {
        return this.contentLength;
    }

    @Override
    public boolean isRepeatable() {
        return false;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        if (!this.written.compareAndSet(false, true)) {
            throw new IllegalStateException("A reactive request body can be written only once");
        }
        Pump pump = new Pump(this.handle::isStopped);
        this.handle.onCancel(pump::abort);
        this.publisher.subscribe(pump);
        try {
            for (DataBuffer buffer = pump.take(); buffer != null; buffer = pump.take()) {
                try {
                    write(buffer, out);
                }
                finally {
                    DataBufferUtils.release(buffer);
                }
                pump.requestNext();
            }
        }
        catch (IOException | RuntimeException | Error ex) {
            pump.abort();
            throw ex;
        }
    }

    private static void write(DataBuffer buffer, OutputStream out) throws IOException {
        try (DataBuffer.ByteBufferIterator buffers = buffer.readableByteBuffers()) {
            while (buffers.hasNext()) {
                ByteBuffer bytes = buffers.next();
                if (bytes.hasArray()) {
                    out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                }
                else {
                    byte[] copy = new byte[bytes.remaining()];
                    bytes.get(copy);
                    out.write(copy);
                }
            }
        }
    }

    /**
     * Hands the publisher's buffers to the writing thread one at a time. The writer parks in {@link #take()} until
     * a buffer, the end or an error comes, or the call is cancelled.
     */
    private static final class Pump implements Subscriber<DataBuffer> {

        /**
         * How often a writer waiting for the publisher looks whether its call was stopped by a timeout or an
         * interrupt, which close the connection but cannot signal this wait (a cancel wakes it at once).
         */
        private static final long STOP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

        private final BooleanSupplier callStopped;

        private final ReentrantLock lock = new ReentrantLock();

        private final Condition changed = this.lock.newCondition();

        private Subscription subscription;

        private DataBuffer next;

        private Throwable error;

        private boolean complete;

        private boolean aborted;

        /** The publisher sent more than was asked for. */
        private boolean overflowed;

        Pump(BooleanSupplier callStopped) {
            this.callStopped = callStopped;
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            this.lock.lock();
            try {
                if (this.subscription != null || this.aborted) {
                    subscription.cancel();
                    return;
                }
                this.subscription = subscription;
            }
            finally {
                this.lock.unlock();
            }
            subscription.request(1);
        }

        @Override
        public void onNext(DataBuffer buffer) {
            Subscription overflowed = null;
            this.lock.lock();
            try {
                if (!this.aborted && this.next == null) {
                    this.next = buffer;
                    this.changed.signalAll();
                    return;
                }
                if (!this.aborted && this.error == null) {
                    // More than was asked for: dropping it would send a truncated body as if it were whole.
                    this.error = new IllegalStateException("The request body publisher sent more buffers than were "
                            + "requested (Reactive Streams rule 1.1); the request is abandoned");
                    this.overflowed = true;
                    overflowed = this.subscription;
                    this.changed.signalAll();
                }
            }
            finally {
                this.lock.unlock();
            }
            DataBufferUtils.release(buffer);
            if (overflowed != null) {
                overflowed.cancel();
            }
        }

        @Override
        public void onError(Throwable error) {
            this.lock.lock();
            try {
                this.error = error;
                this.changed.signalAll();
            }
            finally {
                this.lock.unlock();
            }
        }

        @Override
        public void onComplete() {
            this.lock.lock();
            try {
                this.complete = true;
                this.changed.signalAll();
            }
            finally {
                this.lock.unlock();
            }
        }

        /** @return the next buffer, or {@code null} at the end */
        DataBuffer take() throws IOException {
            this.lock.lock();
            try {
                while (this.next == null && this.error == null && !this.complete && !this.aborted) {
                    if (this.callStopped.getAsBoolean()) {
                        throw new IOException("The call was stopped while it waited for the request body's next "
                                + "buffer");
                    }
                    try {
                        this.changed.awaitNanos(STOP_CHECK_NANOS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("Interrupted while waiting for the request body");
                    }
                }
                if (this.aborted) {
                    throw new IOException("The request body was abandoned: the call was cancelled");
                }
                if (this.overflowed && this.next != null) {
                    DataBufferUtils.release(this.next); // nothing more is written of a body that broke the rules
                    this.next = null;
                }
                if (this.next != null) {
                    DataBuffer buffer = this.next;
                    this.next = null;
                    return buffer;
                }
                if (this.error != null) {
                    throw rethrow(this.error);
                }
                return null;
            }
            finally {
                this.lock.unlock();
            }
        }

        void requestNext() {
            this.lock.lock();
            Subscription s;
            try {
                s = this.aborted ? null : this.subscription;
            }
            finally {
                this.lock.unlock();
            }
            if (s != null) {
                s.request(1);
            }
        }

        /** Cancels the subscription, drops a buffer not yet written and wakes the writer; idempotent. */
        void abort() {
            Subscription s;
            DataBuffer dropped;
            this.lock.lock();
            try {
                if (this.aborted) {
                    return;
                }
                this.aborted = true;
                s = (this.complete || this.error != null) ? null : this.subscription;
                dropped = this.next;
                this.next = null;
                this.changed.signalAll();
            }
            finally {
                this.lock.unlock();
            }
            if (dropped != null) {
                DataBufferUtils.release(dropped);
            }
            if (s != null) {
                s.cancel();
            }
        }

        /** The publisher's own failure, carried out unchanged as the transport does with a body's exception. */
        private static IOException rethrow(Throwable error) {
            if (error instanceof IOException io) {
                return io;
            }
            if (error instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (error instanceof Error fatal) {
                throw fatal;
            }
            return new IOException("The request body publisher failed", error);
        }
    }
}
