package io.github.pooledtransport.spring.actuate;

/**
 * One known cause of pool failure that the transport's numbers show, with what to do about it.
 *
 * @param code a stable identifier, for example {@code idle-cap-too-small}
 * @param host the host key it concerns, or {@code null} when it concerns the whole transport
 * @param message what the numbers show
 * @param recommendation what to change, naming the property and the value where one can be derived
 */
public record Finding(String code, String host, String message, String recommendation) {
}
