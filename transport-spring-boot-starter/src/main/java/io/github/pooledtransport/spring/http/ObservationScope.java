package io.github.pooledtransport.spring.http;

import io.micrometer.observation.Observation;

/**
 * Runs work with an observation in scope on the current thread, as if it had been started there: the reactive
 * connector's call threads take WebClient's observation this way, so the transport's observations find it as
 * their parent. Micrometer Observation is a dependency of spring-web, so it is always present.
 */
final class ObservationScope {

    private ObservationScope() {
    }

    /**
     * @param observation an {@link Observation}, or anything else (or {@code null}) to run without one
     * @param work what to run
     */
    static void run(Object observation, Runnable work) {
        if (!(observation instanceof Observation parent) || parent.isNoop()) {
            work.run();
            return;
        }
        try (Observation.Scope scope = parent.openScope()) {
            work.run();
        }
    }
}
