package io.github.pooledtransport.spring.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless the application chose a request factory explicitly with
 * {@code spring.http.clients.imperative.factory}: that choice wins over the starter.
 */
class NoExplicitRequestFactoryCondition extends SpringBootCondition {

    static final String PROPERTY = "spring.http.clients.imperative.factory";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String factory = context.getEnvironment().getProperty(PROPERTY);
        if (factory != null && !factory.isBlank()) {
            return ConditionOutcome.noMatch(PROPERTY + " is set to '" + factory + "'");
        }
        return ConditionOutcome.match(PROPERTY + " is not set");
    }
}
