package io.github.pooledtransport.benchmarks.load;

import java.io.Closeable;
import java.util.List;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactoryBuilder;

/**
 * The JVM clients under test, each built the way a Spring Boot 4.1 application would get it, and all driven
 * through the same {@link RestClient} code.
 */
final class Clients {

    static final List<String> NAMES = List.of("pooled", "pooled-stream", "hc5-boot", "hc5-tuned", "jdk", "jetty",
            "reactor", "simple", "jetty-h2", "reactor-h2");

    private Clients() {
    }

    /**
     * A RestClient (or, for {@code pooled-stream}, the bare transport) and whatever must be closed after the run.
     */
    record Built(RestClient client, Transport transport, String baseUrl, Closeable resources) {

        /**
         * Every RestClient reads the body as {@code byte[]}; pooled-stream streams it to a sink instead. With a
         * request body the call is a POST of it (RestClient clients only).
         */
        LoadRun.Call call(String path, byte[] post) {
            if (post != null) {
                if (this.client == null) {
                    throw new IllegalArgumentException("post needs a RestClient client, not pooled-stream");
                }
                return () -> {
                    byte[] body = this.client.post().uri(path).contentType(MediaType.APPLICATION_OCTET_STREAM)
                            .body(post).retrieve().body(byte[].class);
                    return (body != null) ? body.length : 0;
                };
            }
            if (this.client == null) {
                io.github.pooledtransport.core.Request request = io.github.pooledtransport.core.Request
                        .get(this.baseUrl + path);
                return () -> {
                    try (io.github.pooledtransport.core.Response response = this.transport.roundTrip(request)) {
                        return response.body().transferTo(java.io.OutputStream.nullOutputStream());
                    }
                };
            }
            return () -> {
                byte[] body = this.client.get().uri(path).retrieve().body(byte[].class);
                return (body != null) ? body.length : 0;
            };
        }
    }

    static Built build(String name, String baseUrl, int concurrency) {
        HttpClientSettings settings = HttpClientSettings.defaults();
        ClientHttpRequestFactory factory;
        Closeable resources = () -> {
        };
        if (name.equals("pooled-stream")) {
            Transport transport = new Transport(TransportConfig.defaults());
            return new Built(null, transport, baseUrl, transport);
        }
        switch (name) {
            case "pooled" -> {
                Transport transport = new Transport(TransportConfig.defaults());
                factory = new TransportClientHttpRequestFactoryBuilder(transport, null).build(settings);
                resources = transport;
            }
            // Spring Boot's default: HttpComponents with its pool defaults (5 per route, 25 in total).
            case "hc5-boot" -> factory = ClientHttpRequestFactoryBuilder.httpComponents().build(settings);
            case "hc5-tuned" -> factory = ClientHttpRequestFactoryBuilder.httpComponents()
                    .withConnectionManagerCustomizer(cm -> cm.setMaxConnPerRoute(Math.max(concurrency, 200))
                            .setMaxConnTotal(Math.max(concurrency, 200) * 2))
                    .build(settings);
            case "jdk" -> factory = ClientHttpRequestFactoryBuilder.jdk().build(settings);
            case "jetty" -> factory = ClientHttpRequestFactoryBuilder.jetty().build(settings);
            case "reactor" -> factory = ClientHttpRequestFactoryBuilder.reactor().build(settings);
            case "simple" -> factory = ClientHttpRequestFactoryBuilder.simple().build(settings);
            // The peers that speak HTTP/2 when asked to (Spring builds both for HTTP/1.1 by default); the JDK client
            // and ours offer h2 by default.
            case "jetty-h2" -> {
                org.eclipse.jetty.client.HttpClient jetty = new org.eclipse.jetty.client.HttpClient(
                        new org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2(
                                new org.eclipse.jetty.http2.client.HTTP2Client()));
                jetty.setSslContextFactory(new org.eclipse.jetty.util.ssl.SslContextFactory.Client());
                factory = new org.springframework.http.client.JettyClientHttpRequestFactory(jetty);
            }
            case "reactor-h2" -> factory = new org.springframework.http.client.ReactorClientHttpRequestFactory(
                    // H2 alone: with HTTP11 beside it Reactor Netty looks for its HTTP/3 (QUIC) classes, which the
                    // benchmarks leave out.
                    reactor.netty.http.client.HttpClient.create().protocol(reactor.netty.http.HttpProtocol.H2)
                            .secure());
            default -> throw new IllegalArgumentException("Unknown client '" + name + "'; known: " + NAMES);
        }
        ClientHttpRequestFactory f = factory;
        Closeable r = resources;
        Closeable close = () -> {
            r.close();
            if (f instanceof AutoCloseable c) {
                try {
                    c.close();
                }
                catch (Exception ex) {
                    // best effort
                }
            }
        };
        return new Built(RestClient.builder().requestFactory(factory).baseUrl(baseUrl).build(), null, baseUrl, close);
    }
}
