package io.github.pooledtransport.spring.autoconfigure;

import java.util.Arrays;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

import io.github.pooledtransport.core.Transport;

/**
 * Warns once the context is up when there are several {@link Transport} beans and none is {@code @Primary}: the
 * {@code RestClient}, {@code RestTemplate} and {@code WebClient} builders then do not use the pooled transport,
 * which should never happen silently.
 */
final class TransportCandidatesReport implements SmartInitializingSingleton {

    private static final Logger logger = LoggerFactory.getLogger(TransportCandidatesReport.class);

    private final ObjectProvider<Transport> transports;

    private final ListableBeanFactory beans;

    TransportCandidatesReport(ObjectProvider<Transport> transports, ListableBeanFactory beans) {
        this.transports = transports;
        this.beans = beans;
    }

    @Override
    public void afterSingletonsInstantiated() {
        String message = message();
        if (message != null) {
            logger.warn(message);
        }
    }

    /** @return the warning, or {@code null} when one transport is the clients' */
    String message() {
        String[] names = this.beans.getBeanNamesForType(Transport.class);
        if (names.length < 2 || this.transports.getIfUnique() != null) {
            return null;
        }
        return "Found " + names.length + " Transport beans " + Arrays.toString(names) + " and none is @Primary: "
                + "RestClient, RestTemplate and WebClient builders do not use the pooled transport and Spring Boot "
                + "picks another HTTP client for them. Mark the one they should use @Primary, or give a client its "
                + "own transport with new TransportClientHttpRequestFactory(transport). The endpoint, health and "
                + "meters show all " + names.length + ".";
    }
}
