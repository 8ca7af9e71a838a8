package io.github.pooledtransport.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys the observations of the pool's work for a call; define a bean of this type to replace
 * {@link DefaultTransportConnectionObservationConvention}.
 */
public interface TransportConnectionObservationConvention
        extends ObservationConvention<TransportConnectionObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof TransportConnectionObservationContext;
    }
}
