package io.github.pooledtransport.sample;

import org.springframework.web.service.annotation.GetExchange;

/**
 * An HTTP service interface for the downstream service; Spring Boot backs it with a RestClient on the pooled
 * transport (group {@code downstream}, base URL from {@code spring.http.serviceclient.downstream.base-url}).
 */
public interface DownstreamClient {

    /** @return the downstream greeting */
    @GetExchange("/hello")
    String hello();
}
