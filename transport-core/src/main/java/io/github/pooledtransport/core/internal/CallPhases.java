package io.github.pooledtransport.core.internal;

/** What a call is doing, as its cancellation messages say it ("... was cancelled while writing the request"). */
final class CallPhases {

    static final String WRITING = "writing the request";

    static final String AWAITING_HEAD = "waiting for the response head";

    static final String READING_BODY = "reading the response body";

    private CallPhases() {
    }
}
