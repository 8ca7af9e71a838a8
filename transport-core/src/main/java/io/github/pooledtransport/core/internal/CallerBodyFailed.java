package io.github.pooledtransport.core.internal;

import java.io.IOException;

/**
 * The caller's {@code RequestBody} threw while a codec wrote it: carried out to the caller unchanged, and never a
 * reason to send the request again. Both codecs tell it apart from a failure of the connection underneath.
 */
final class CallerBodyFailed extends IOException {

    private static final long serialVersionUID = 1L;

    final Exception original;

    CallerBodyFailed(Exception original) {
        super(original);
        this.original = original;
    }

    /** @return the caller's own exception to throw; a runtime exception is thrown from here as it was */
    IOException rethrowOriginal() {
        if (this.original instanceof RuntimeException runtime) {
            throw runtime;
        }
        return (IOException) this.original;
    }
}
