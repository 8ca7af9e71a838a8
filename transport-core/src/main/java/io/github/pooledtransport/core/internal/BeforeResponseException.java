package io.github.pooledtransport.core.internal;

import java.io.IOException;

/**
 * An exchange failed before any byte of the response arrived: the server may never have seen the request.
 * Only such a failure, on a reused connection and for a replayable request, allows a replay.
 */
final class BeforeResponseException extends IOException {

    private static final long serialVersionUID = 1L;

    final boolean serverClosed;

    BeforeResponseException(String message, IOException cause, boolean serverClosed) {
        super(message, cause);
        this.serverClosed = serverClosed;
    }
}
