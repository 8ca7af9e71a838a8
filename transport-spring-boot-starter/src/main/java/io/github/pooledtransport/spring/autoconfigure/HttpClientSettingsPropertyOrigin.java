package io.github.pooledtransport.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.autoconfigure.HttpClientProperties;
import org.springframework.core.env.Environment;

import io.github.pooledtransport.spring.http.HttpClientSettingsOrigin;

/**
 * Finds the property behind a connect or read timeout of the settings Boot builds a request factory with. Boot
 * does not say which client a build is for, so the value is matched against the properties: the application's
 * {@code HttpClientSettings} bean itself (RestClient.Builder, RestTemplateBuilder) comes from
 * {@code spring.http.clients.*}; other settings are a service group's when a group set that value explicitly, and
 * otherwise inherited from {@code spring.http.clients.*}. A value no property holds was set in code.
 */
final class HttpClientSettingsPropertyOrigin implements HttpClientSettingsOrigin {

    private static final String GLOBAL = "spring.http.clients.";

    private static final String GROUPS = "spring.http.serviceclient";

    private final HttpClientSettings globalSettings;

    private final Duration globalConnectTimeout;

    private final Duration globalReadTimeout;

    private final Map<String, HttpClientProperties> groups;

    private HttpClientSettingsPropertyOrigin(HttpClientSettings globalSettings, Duration globalConnectTimeout,
            Duration globalReadTimeout, Map<String, HttpClientProperties> groups) {
        this.globalSettings = globalSettings;
        this.globalConnectTimeout = globalConnectTimeout;
        this.globalReadTimeout = globalReadTimeout;
        this.groups = groups;
    }

    /**
     * @param environment where {@code spring.http.clients.*} and {@code spring.http.serviceclient.*} are read
     * @param globalSettings the application's {@code HttpClientSettings} bean, or {@code null}
     */
    static HttpClientSettingsPropertyOrigin of(Environment environment, HttpClientSettings globalSettings) {
        Binder binder = Binder.get(environment);
        return new HttpClientSettingsPropertyOrigin(globalSettings,
                binder.bind(GLOBAL + "connect-timeout", Duration.class).orElse(null),
                binder.bind(GLOBAL + "read-timeout", Duration.class).orElse(null),
                binder.bind(GROUPS, Bindable.mapOf(String.class, HttpClientProperties.class))
                        .orElse(Collections.emptyMap()));
    }

    @Override
    public String propertyFor(String setting, HttpClientSettings settings) {
        boolean connect = setting.equals("connect-timeout");
        Duration value = connect ? settings.connectTimeout() : settings.readTimeout();
        Duration global = connect ? this.globalConnectTimeout : this.globalReadTimeout;
        Function<HttpClientProperties, Duration> group = connect ? HttpClientProperties::getConnectTimeout
                : HttpClientProperties::getReadTimeout;
        List<String> properties = new ArrayList<>();
        if (settings != this.globalSettings) {
            this.groups.forEach((name, properties0) -> {
                if (value.equals(group.apply(properties0))) {
                    properties.add(GROUPS + "." + name + "." + setting);
                }
            });
        }
        if (properties.isEmpty() && value.equals(global)) {
            properties.add(GLOBAL + setting);
        }
        return properties.isEmpty() ? null : String.join(" or ", properties);
    }
}
