package io.github.pooledtransport.spring.http;

import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;

/**
 * Builds {@link TransportClientHttpConnector}s for Spring Boot's {@code WebClient.Builder} and reactive HTTP
 * service clients. Client settings map as in {@link TransportClientHttpRequestFactoryBuilder} (connect and read
 * timeouts, SSL bundle, redirects, cookies); every connector shares the transport's one pool and the same
 * {@link ConnectorThreads}.
 */
public final class TransportClientHttpConnectorBuilder implements ClientHttpConnectorBuilder<TransportClientHttpConnector> {

    private final TransportClientHttpRequestFactoryBuilder settings;

    private final ConnectorThreads threads;

    private final String maxThreadsSetting;

    /**
     * @param settings maps client settings for the shared transport, as for {@code RestClient}
     * @param threads where calls block
     * @param maxThreadsSetting the property that bounds {@code threads}, named when they are saturated, or
     *     {@code null}
     */
    public TransportClientHttpConnectorBuilder(TransportClientHttpRequestFactoryBuilder settings,
            ConnectorThreads threads, String maxThreadsSetting) {
        this.settings = settings;
        this.threads = threads;
        this.maxThreadsSetting = maxThreadsSetting;
    }

    @Override
    public TransportClientHttpConnector build(HttpClientSettings settings) {
        return new TransportClientHttpConnector(this.settings.build(settings), this.threads, this.maxThreadsSetting);
    }

    /** @return where calls block */
    public ConnectorThreads getThreads() {
        return this.threads;
    }
}
