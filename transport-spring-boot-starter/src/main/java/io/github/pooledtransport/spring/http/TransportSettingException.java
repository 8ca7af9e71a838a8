package io.github.pooledtransport.spring.http;

import io.github.pooledtransport.core.TransportException;

/**
 * A request through Spring's client reached a timeout or connection cap; the message names the property that set
 * it ({@code spring.http.clients.*}, {@code spring.http.serviceclient.<group>.*} or {@code transport.*}). The
 * transport's own exception, which names the core setting, is the cause. Still a {@link TransportException}, so
 * an {@link java.io.IOException}: Spring's clients turn it into a {@code ResourceAccessException} as before.
 */
public class TransportSettingException extends TransportException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the transport's message in property terms
     * @param property the property whose limit was reached, as {@link #setting()}
     * @param cause the transport's exception
     */
    public TransportSettingException(String message, String property, TransportException cause) {
        super(cause.hostKey(), message, cause, property);
    }
}
