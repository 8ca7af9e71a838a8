package io.github.pooledtransport.core.internal;

/**
 * The read timeout that applies to one exchange, and where it came from, so that a timeout names the setting
 * a user would change.
 *
 * @param millis the per-read timeout, 0 for none
 * @param perRequest whether it came from the request's options rather than the transport's configuration
 */
record ReadTimeout(int millis, boolean perRequest) {

    /** @return for example {@code readTimeout=30000 ms}, or {@code readTimeout=500 ms (this request's option)} */
    String describe() {
        return "readTimeout=" + this.millis + " ms" + (this.perRequest ? " (this request's option)" : "");
    }
}
