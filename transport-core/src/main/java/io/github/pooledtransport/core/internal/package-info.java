/**
 * The transport's machinery: pool, dialing, HTTP/1.1 exchange and body handling. Not a public API; it may
 * change in any release.
 */
package io.github.pooledtransport.core.internal;
