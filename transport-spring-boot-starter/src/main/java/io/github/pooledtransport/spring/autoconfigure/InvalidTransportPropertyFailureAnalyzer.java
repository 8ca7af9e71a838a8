package io.github.pooledtransport.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an {@link InvalidTransportPropertyException} into a start-up report that names the property and the fix,
 * instead of a stack trace through bean creation.
 */
class InvalidTransportPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidTransportPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidTransportPropertyException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
    }
}
