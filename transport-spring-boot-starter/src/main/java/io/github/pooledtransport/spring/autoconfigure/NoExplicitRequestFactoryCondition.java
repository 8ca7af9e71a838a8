package io.github.pooledtransport.spring.autoconfigure;

/**
 * Matches unless the application chose a request factory explicitly with
 * {@code spring.http.clients.imperative.factory}: that choice wins over the starter.
 */
class NoExplicitRequestFactoryCondition extends NoExplicitClientCondition {

    static final String PROPERTY = "spring.http.clients.imperative.factory";

    NoExplicitRequestFactoryCondition() {
        super(PROPERTY);
    }
}
