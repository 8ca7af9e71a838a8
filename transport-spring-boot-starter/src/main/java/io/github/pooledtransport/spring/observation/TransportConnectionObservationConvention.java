package io.github.pooledtransport.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.GlobalObservationConvention;

/**
 * Names and keys the observations of the pool's work for a call. A bean of this type (a global convention, which
 * Spring Boot registers on its {@code ObservationRegistry}) replaces {@link DefaultTransportConnectionObservationConvention}
 * for the contexts its {@link #supportsContext} accepts: check {@code getStep()} to replace only one of the two.
 */
public interface TransportConnectionObservationConvention
        extends GlobalObservationConvention<TransportConnectionObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof TransportConnectionObservationContext;
    }
}
