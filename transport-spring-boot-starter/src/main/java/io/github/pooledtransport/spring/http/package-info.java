/**
 * Spring's {@code ClientHttpRequestFactory} on top of the pooled transport.
 */
package io.github.pooledtransport.spring.http;
