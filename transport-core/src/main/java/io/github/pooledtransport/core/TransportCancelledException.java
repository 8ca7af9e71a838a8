package io.github.pooledtransport.core;

import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * A call was stopped before it completed: by {@link Call#cancel()}, because its {@code callTimeout} elapsed, or
 * because its thread was interrupted. The message names the host, what the call was doing and, for a timeout,
 * the limit that applied. A cancelled request is never replayed, and its connection is closed without being
 * counted as a server's close.
 *
 * <p>After an interrupt the thread's interrupt status stays set, as with any {@link InterruptedIOException}. A
 * cancel or a timeout does not interrupt the thread: code that re-interrupts its thread on every
 * {@code InterruptedIOException} should look at {@link #why()} first.
 */
public class TransportCancelledException extends InterruptedIOException {

    private static final long serialVersionUID = 1L;

    /** What stopped the call. */
    public enum Cause {

        /** {@link Call#cancel()}. */
        CANCELLED,

        /** The call ran longer than its {@code callTimeout}. */
        CALL_TIMEOUT,

        /** The calling thread was interrupted. */
        INTERRUPTED
    }

    private final transient HostKey hostKey;

    private final Cause why;

    private final Duration limit;

    private final String setting;

    /**
     * @param hostKey the host the call was for
     * @param message what was stopped, where, and why
     * @param why what stopped it
     * @param limit the call timeout that elapsed, or {@code null}
     * @param setting the setting that held the limit ({@code callTimeout}), or {@code null}
     * @param cause the failure the cancellation caused underneath (a closed socket), or {@code null}
     */
    public TransportCancelledException(HostKey hostKey, String message, Cause why, Duration limit, String setting,
            Throwable cause) {
        super(message);
        this.hostKey = hostKey;
        this.why = why;
        this.limit = limit;
        this.setting = setting;
        if (cause != null) {
            initCause(cause);
        }
    }

    /** @return the host the call was for, or {@code null} when it was stopped before a host was known */
    public HostKey hostKey() {
        return this.hostKey;
    }

    /** @return what stopped the call */
    public Cause why() {
        return this.why;
    }

    /** @return the call timeout that elapsed, or {@code null} when the call was cancelled or interrupted */
    public Duration limit() {
        return this.limit;
    }

    /**
     * @return {@code callTimeout} for a timeout (the transport's, the host's override or the request's option;
     *     the message says which), else {@code null}
     */
    public String setting() {
        return this.setting;
    }
}
