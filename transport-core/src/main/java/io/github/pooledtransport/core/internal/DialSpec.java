package io.github.pooledtransport.core.internal;

import java.time.Duration;

import io.github.pooledtransport.core.CallListener;

/**
 * How to dial for a request: what of the request a dial made on its behalf needs, apart from the request.
 *
 * @param connectTimeout the request's connect timeout, or {@code null} for the transport's dial timeout
 * @param events the requesting call's listener, which hears the dial's events
 */
record DialSpec(Duration connectTimeout, CallListener events) {

    /** For the pool's own tests: the transport's dial timeout, nobody listening. */
    static final DialSpec DEFAULT = new DialSpec(null, CallListener.NONE);
}
