package io.github.pooledtransport.core.internal;

import io.github.pooledtransport.core.Request;

/**
 * The one place that decides whether a failed request is sent again: Go's {@code shouldRetryRequest}. A request
 * is replayed at most once, on a freshly dialed connection, and only after a failure on a reused connection
 * (a kept-alive connection the server may have closed as we wrote to it; a fresh connection that fails is
 * the server's answer). A request an HTTP/2 server refused follows Go's HTTP/2 rule instead
 * ({@link #refusedRetryDelayNanos}).
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
            case REFUSED -> false; // see refusedRetryDelayNanos
        };
    }

    /** Go's bound: the first attempt and up to six more. */
    static final int MAX_REFUSED_RETRIES = 6;

    /**
     * Go's rule for a request an HTTP/2 server did not process ({@code roundTripViaPool}): sent again on any usable
     * connection, whatever the method, when its body is absent, can be written again, or was never touched (the
     * connection could take no stream: Go's {@code errClientConnUnusable}); the first retry at once,
     * then after 1, 2, 4, 8 and 16 seconds, each with up to 10% more, at most six times.
     *
     * @param failure how the exchange failed
     * @param request the request
     * @param retriesSoFar how many times it was already sent again
     * @return how long to wait before sending it again, or -1 when it must not be
     */
    static long refusedRetryDelayNanos(ExchangeFailure failure, Request request, int retriesSoFar) {
        if (failure.kind != ExchangeFailure.Kind.REFUSED || retriesSoFar >= MAX_REFUSED_RETRIES
                || (request.body() != null && !request.body().isRepeatable() && !failure.bodyUntouched)) {
            return -1;
        }
        if (retriesSoFar == 0) {
            return 0;
        }
        long base = (1L << (retriesSoFar - 1)) * 1_000_000_000L;
        return base + (long) (base * 0.1 * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    }
}
