package io.github.pooledtransport.core.internal;

import java.io.IOException;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.TransportException;

/**
 * An exchange that failed before any byte of the response arrived, classified once, where it failed, by what
 * had reached the wire. {@link RetryPolicy} reads only this classification; callers only ever see
 * {@link #toCaller()}.
 */
final class ExchangeFailure extends IOException {

    private static final long serialVersionUID = 1L;

    /** What had happened on the wire when the exchange failed. */
    enum Kind {

        /** Not one byte of the request reached the connection (Go's {@code nothingWrittenError}). */
        NOTHING_WRITTEN,

        /**
         * Some or all of the request was written, then the connection failed or was closed before a byte of
         * the response arrived (Go's {@code transportReadFromServerError} and {@code errServerClosedIdle}).
         */
        NO_RESPONSE,

        /** A write made no progress for {@code writeTimeout}: the server stopped reading; never replayed. */
        WRITE_TIMED_OUT,

        /**
         * An HTTP/2 server said it did not process the request (RST_STREAM with REFUSED_STREAM, a stream above
         * GOAWAY's last stream id, a connection that could take no stream before its HEADERS went out): safe to
         * send again whatever the method (RFC 9113 8.7), as Go's {@code canRetryError}.
         */
        REFUSED
    }

    final Kind kind;

    /** Why the connection is closed. */
    final CloseReason closeReason;

    private final transient TransportException forCaller;

    /** Whether not one byte of the request's body was taken from it: even a one-shot body can go again. */
    final boolean bodyUntouched;

    ExchangeFailure(Kind kind, CloseReason closeReason, TransportException forCaller) {
        this(kind, closeReason, forCaller, false);
    }

    ExchangeFailure(Kind kind, CloseReason closeReason, TransportException forCaller, boolean bodyUntouched) {
        super(forCaller.getMessage(), forCaller);
        this.kind = kind;
        this.closeReason = closeReason;
        this.forCaller = forCaller;
        this.bodyUntouched = bodyUntouched;
    }

    /** @return the public exception that describes the failure to the caller */
    TransportException toCaller() {
        return this.forCaller;
    }
}
