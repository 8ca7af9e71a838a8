package io.github.pooledtransport.spring.autoconfigure;

/**
 * A {@code transport.*} property has a value the transport cannot use. Start-up fails with a message naming the
 * property, the value (never a password) and the fix.
 */
public class InvalidTransportPropertyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;

    private final String action;

    /**
     * @param property the property, for example {@code transport.max-idle-conns-per-host}
     * @param problem what is wrong with its value
     * @param action what to do about it
     * @param cause the underlying error, or {@code null}
     */
    public InvalidTransportPropertyException(String property, String problem, String action, Throwable cause) {
        super("Invalid value for '" + property + "': " + problem, cause);
        this.property = property;
        this.action = action;
    }

    /** @return the property */
    public String getProperty() {
        return this.property;
    }

    /** @return what to do about it */
    public String getAction() {
        return this.action;
    }
}
