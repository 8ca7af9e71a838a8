package io.github.pooledtransport.sample;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.service.registry.ImportHttpServices;

/** Registers the downstream HTTP service interface in the group {@code downstream}. */
@Configuration(proxyBeanMethods = false)
@ImportHttpServices(group = "downstream", types = DownstreamClient.class)
class HttpServicesConfiguration {
}
