package io.github.pooledtransport.core.internal;

/**
 * The read timeout that applies to one exchange, and where it came from, so that a timeout names the setting
 * a user would change.
 *
 * @param millis the per-read timeout, 0 for none
 * @param perRequest whether it came from the request's options rather than the transport's configuration
 */
record ReadTimeout(int millis, boolean perRequest) {

    /**
     * @param configured the transport's {@code readTimeout}
     * @return the timeout every request without its own has
     */
    static ReadTimeout configured(java.time.Duration configured) {
        return new ReadTimeout((int) Math.min(Integer.MAX_VALUE, configured.toMillis()), false);
    }

    /**
     * @param request a request
     * @return the request's own read timeout when its options set one, else this (the transport's)
     */
    ReadTimeout forRequest(io.github.pooledtransport.core.Request request) {
        java.time.Duration own = request.options().readTimeout();
        return (own == null) ? this : new ReadTimeout((int) Math.min(Integer.MAX_VALUE, own.toMillis()), true);
    }

    /** @return for example {@code readTimeout=30000 ms}, or {@code readTimeout=500 ms (this request's option)} */
    String describe() {
        return "readTimeout=" + this.millis + " ms" + (this.perRequest ? " (this request's option)" : "");
    }
}
