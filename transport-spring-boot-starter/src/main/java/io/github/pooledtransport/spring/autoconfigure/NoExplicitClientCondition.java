package io.github.pooledtransport.spring.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches unless a Boot property names the HTTP client library to use: that choice wins over the starter. */
abstract class NoExplicitClientCondition extends SpringBootCondition {

    private final String property;

    NoExplicitClientCondition(String property) {
        this.property = property;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String choice = context.getEnvironment().getProperty(this.property);
        if (choice != null && !choice.isBlank()) {
            return ConditionOutcome.noMatch(this.property + " is set to '" + choice + "'");
        }
        return ConditionOutcome.match(this.property + " is not set");
    }
}
