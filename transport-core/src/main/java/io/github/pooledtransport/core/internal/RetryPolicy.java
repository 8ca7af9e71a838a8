package io.github.pooledtransport.core.internal;

import io.github.pooledtransport.core.Request;

/**
 * The one place that decides whether a failed request is sent again: Go's {@code shouldRetryRequest}. A request
 * is replayed at most once, on a freshly dialed connection, and only after a failure on a reused connection
 * (a kept-alive connection the server may have closed as we wrote to it; a fresh connection that fails is
 * the server's answer).
 */
final class RetryPolicy {

    private RetryPolicy() {
    }

    /**
     * @param failure how the exchange failed
     * @param request the request
     * @param connectionReused whether the failed connection had served a request before
     * @param alreadyReplayed whether this attempt was itself a replay
     * @return whether to send the request again on a fresh connection
     */
    static boolean shouldReplay(ExchangeFailure failure, Request request, boolean connectionReused,
            boolean alreadyReplayed) {
        if (alreadyReplayed || !connectionReused) {
            return false;
        }
        return switch (failure.kind) {
            // The server cannot have seen any of it: any method may go again if its body can be written again.
            case NOTHING_WRITTEN -> request.body() == null || request.body().isRepeatable();
            // The server may have acted on it: only what is safe to send twice.
            case NO_RESPONSE -> request.isReplayable();
            // The server is there and stopped reading: sending it again would stall again.
            case WRITE_TIMED_OUT -> false;
        };
    }
}
