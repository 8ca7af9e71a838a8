package io.github.pooledtransport.spring.http;

import org.springframework.boot.http.client.HttpClientSettings;

/**
 * Says which property set a value of the {@link HttpClientSettings} a request factory is built with, so that a
 * request that hits that limit fails with a message naming it ({@code spring.http.clients.connect-timeout} or a
 * service group's {@code spring.http.serviceclient.<group>.connect-timeout}).
 */
@FunctionalInterface
public interface HttpClientSettingsOrigin {

    /** Knows no property: messages then name the {@code HttpClientSettings} component. */
    HttpClientSettingsOrigin UNKNOWN = (setting, settings) -> null;

    /**
     * @param setting {@code connect-timeout} or {@code read-timeout}
     * @param settings the settings the factory is built with; the value in question is not {@code null}
     * @return the property (or properties, joined with " or ") that set the value, or {@code null} when it was set
     *     in code
     */
    String propertyFor(String setting, HttpClientSettings settings);
}
