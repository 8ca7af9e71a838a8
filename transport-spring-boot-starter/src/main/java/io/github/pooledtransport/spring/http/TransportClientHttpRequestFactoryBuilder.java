package io.github.pooledtransport.spring.http;

import java.net.CookieManager;
import java.net.CookiePolicy;

import javax.net.ssl.SSLContext;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpCookieHandling;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.http.client.InetAddressFilter;
import org.springframework.boot.ssl.SslBundle;

import io.github.pooledtransport.core.RequestOptions;
import io.github.pooledtransport.core.Transport;

/**
 * Builds {@link TransportClientHttpRequestFactory} instances for Spring Boot's {@code RestClient.Builder},
 * {@code RestTemplateBuilder} and HTTP service client groups. Boot calls {@link #build(HttpClientSettings)} for
 * every builder it configures; each call returns a light factory over the same shared transport.
 *
 * <p>{@link HttpClientSettings} map as follows: {@code connectTimeout} and {@code readTimeout} replace the
 * transport's dial and read timeouts for that factory's requests; {@code sslBundle} gives its https requests
 * their own TLS material, pooled apart under the bundle's identity; {@code redirects} follow (default) or not;
 * {@code cookieHandling} {@code ENABLE} keeps a cookie store per factory; {@code inetAddressFilter} must be the
 * one the transport was created with, since pooled connections are shared.
 *
 * <p>Given an {@link HttpClientSettingsOrigin}, a request that reaches a timeout or connection cap fails with a
 * {@link TransportSettingException} naming the property that set it.
 */
public final class TransportClientHttpRequestFactoryBuilder
        implements ClientHttpRequestFactoryBuilder<TransportClientHttpRequestFactory> {

    private final Transport transport;

    private final InetAddressFilter transportAddressFilter;

    private final HttpClientSettingsOrigin origin;

    /**
     * A builder whose factories leave the transport's errors as they are (naming the core's settings).
     *
     * @param transport the shared transport
     * @param transportAddressFilter the address filter the transport was created with, or {@code null}
     */
    public TransportClientHttpRequestFactoryBuilder(Transport transport, InetAddressFilter transportAddressFilter) {
        this(transport, transportAddressFilter, null);
    }

    /**
     * A builder whose factories name, in errors, the property that set each limit: {@code transport.*} for the
     * transport's own settings (the transport was created from them), {@code origin} for Spring's client settings.
     *
     * @param transport the shared transport, created from {@code transport.*}
     * @param transportAddressFilter the address filter the transport was created with, or {@code null}
     * @param origin where the client settings come from, or {@code null} to leave errors as they are
     */
    public TransportClientHttpRequestFactoryBuilder(Transport transport, InetAddressFilter transportAddressFilter,
            HttpClientSettingsOrigin origin) {
        this.transport = transport;
        this.transportAddressFilter = transportAddressFilter;
        this.origin = origin;
    }

    @Override
    public TransportClientHttpRequestFactory build(HttpClientSettings settings) {
        HttpClientSettings s = (settings != null) ? settings : HttpClientSettings.defaults();
        if (s.inetAddressFilter() != null && s.inetAddressFilter() != this.transportAddressFilter) {
            throw new IllegalStateException("The pooled transport applies the application's InetAddressFilter bean to "
                    + "every connection it opens; a different filter per client is not supported because clients "
                    + "share pooled connections. Define the filter as a bean instead.");
        }
        RequestOptions options = RequestOptions.timeouts(s.connectTimeout(), s.readTimeout());
        SslBundle bundle = s.sslBundle();
        if (bundle != null) {
            SSLContext context = bundle.createSslContext();
            options = options.withTls(context, SslBundleIdentity.of(bundle));
        }
        RedirectPolicy redirects = (s.redirects() == HttpRedirects.DONT_FOLLOW) ? RedirectPolicy.DONT_FOLLOW
                : RedirectPolicy.FOLLOW;
        CookieManager cookies = null;
        if (s.cookieHandling() == HttpCookieHandling.ENABLE || s.cookieHandling() == HttpCookieHandling.ENABLE_WHEN_POSSIBLE) {
            cookies = new CookieManager(null, CookiePolicy.ACCEPT_ORIGINAL_SERVER);
        }
        return new TransportClientHttpRequestFactory(this.transport, options, redirects, cookies, settingNames(s));
    }

    private SettingNames settingNames(HttpClientSettings settings) {
        if (this.origin == null) {
            return null;
        }
        String connectTimeout = (settings.connectTimeout() != null)
                ? this.origin.propertyFor("connect-timeout", settings) : null;
        String readTimeout = (settings.readTimeout() != null) ? this.origin.propertyFor("read-timeout", settings)
                : null;
        return new SettingNames(this.transport.config(), connectTimeout, settings.readTimeout() != null, readTimeout);
    }

    /** @return the shared transport */
    public Transport getTransport() {
        return this.transport;
    }
}
