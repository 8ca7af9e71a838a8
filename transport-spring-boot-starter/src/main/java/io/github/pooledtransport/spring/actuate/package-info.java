/**
 * The pool seen from outside: Actuator endpoint, health indicator, metrics and the diagnosis they share.
 */
package io.github.pooledtransport.spring.actuate;
