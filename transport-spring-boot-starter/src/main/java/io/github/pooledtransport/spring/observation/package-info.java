/**
 * Micrometer {@code Observation}s of the pool's work for a call, waiting for a connection and dialing one, so a
 * trace shows them under the call's {@code http.client.requests} observation.
 */
package io.github.pooledtransport.spring.observation;
