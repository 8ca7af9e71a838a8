package io.github.pooledtransport.spring.autoconfigure;

import java.util.Locale;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks the proxy password, the password in a proxy URL and the CONNECT header values in Actuator's
 * {@code configprops} and {@code env} endpoints, even with {@code show-values=always}: Spring Boot 4 no longer
 * masks values by key name.
 */
class TransportCredentialsSanitizingFunction implements SanitizingFunction {

    @Override
    public SanitizableData apply(SanitizableData data) {
        String key = data.getLowerCaseKey().replace('_', '.').replace("-", "").toLowerCase(Locale.ROOT);
        if (!key.startsWith("transport.proxy.")) {
            return data;
        }
        if (key.contains("password") || key.contains("connectheaders")) {
            return data.withSanitizedValue();
        }
        if (key.equals("transport.proxy.url") && data.getValue() instanceof String url) {
            return data.withValue(url.replaceFirst("^([^:/]+://[^:/@]*:)[^@]*@", "$1******@"));
        }
        return data;
    }
}
