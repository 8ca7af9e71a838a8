/**
 * Auto-configuration of the pooled transport for Spring Boot.
 */
package io.github.pooledtransport.spring.autoconfigure;
