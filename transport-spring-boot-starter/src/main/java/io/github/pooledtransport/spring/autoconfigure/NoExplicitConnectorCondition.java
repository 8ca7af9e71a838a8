package io.github.pooledtransport.spring.autoconfigure;

/**
 * Matches unless the application chose a reactive connector explicitly with
 * {@code spring.http.clients.reactive.connector}: that choice wins over the starter.
 */
class NoExplicitConnectorCondition extends NoExplicitClientCondition {

    static final String PROPERTY = "spring.http.clients.reactive.connector";

    NoExplicitConnectorCondition() {
        super(PROPERTY);
    }
}
