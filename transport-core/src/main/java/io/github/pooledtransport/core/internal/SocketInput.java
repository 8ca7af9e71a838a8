package io.github.pooledtransport.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * The socket's input stream with two timeout modes: a fixed per-read timeout, or a deadline that bounds
 * the sum of all reads (the socket timeout is set to the time left before each read). A deadline is what
 * {@code responseHeaderTimeout} and the drain allowance need; a per-read timeout is what body reads need.
 * Deadlines use the system clock: the operating system enforces them in real time.
 */
final class SocketInput extends InputStream {

    private final Socket socket;

    private final InputStream in;

    /** 0 when the fixed timeout applies. */
    private long deadline;

    private int appliedTimeoutMillis = -1;

    SocketInput(Socket socket, InputStream in) {
        this.socket = socket;
        this.in = in;
    }

    /**
     * Bounds every following read by the same per-read timeout.
     *
     * @param timeoutMillis the timeout, 0 for none
     */
    void perReadTimeout(int timeoutMillis) throws IOException {
        this.deadline = 0;
        apply(timeoutMillis);
    }

    /**
     * Bounds the following reads together.
     *
     * @param timeoutNanos the time allowed from now, positive
     */
    void deadlineIn(long timeoutNanos) {
        this.deadline = System.nanoTime() + timeoutNanos;
        if (this.deadline == 0) {
            this.deadline = 1;
        }
    }

    /** Someone set the socket's timeout directly: apply ours again before the next read. */
    void forgetAppliedTimeout() {
        this.appliedTimeoutMillis = -1;
    }

    @Override
    public int read() throws IOException {
        beforeRead();
        return this.in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        beforeRead();
        return this.in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
        return this.in.available();
    }

    private void beforeRead() throws IOException {
        if (this.deadline != 0) {
            long left = this.deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("Read deadline passed");
            }
            apply((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
        }
    }

    private void apply(int timeoutMillis) throws IOException {
        if (timeoutMillis != this.appliedTimeoutMillis) {
            this.socket.setSoTimeout(timeoutMillis);
            this.appliedTimeoutMillis = timeoutMillis;
        }
    }
}
