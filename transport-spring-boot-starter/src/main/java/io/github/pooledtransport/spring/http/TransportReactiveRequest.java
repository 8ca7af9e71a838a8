package io.github.pooledtransport.spring.http;

import java.net.URI;
import java.util.List;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.AbstractClientHttpRequest;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;

/**
 * A reactive request as {@link TransportClientHttpConnector} collects it: WebClient writes its headers, cookies
 * and body publisher here, and the connector sends it once committed. Nothing is buffered: the body publisher is
 * subscribed by the transport's writer when the request goes out. Headers and user-info are treated as the
 * blocking {@link TransportClientHttpRequest} treats them.
 */
final class TransportReactiveRequest extends AbstractClientHttpRequest {

    private final HttpMethod method;

    /** Without user-info. */
    private final URI uri;

    /** From the user-info of the URI asked for, or {@code null}. */
    private final UserInfoCredentials credentials;

    private final DataBufferFactory bufferFactory;

    /** The body once written, or {@code null} for none. */
    private volatile Publisher<? extends DataBuffer> body;

    TransportReactiveRequest(HttpMethod method, URI uri, DataBufferFactory bufferFactory) {
        this.method = method;
        this.uri = UserInfoCredentials.strip(uri);
        this.credentials = UserInfoCredentials.of(uri);
        this.bufferFactory = bufferFactory;
    }

    @Override
    public HttpMethod getMethod() {
        return this.method;
    }

    @Override
    public URI getURI() {
        return this.uri;
    }

    @Override
    public DataBufferFactory bufferFactory() {
        return this.bufferFactory;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getNativeRequest() {
        return (T) this;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return doCommit(() -> Mono.fromRunnable(() -> this.body = body));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        // The transport's writer flushes as it goes: the inner publishers are written in order, as one stream.
        return writeWith(Flux.from(body).concatMap(Flux::from));
    }

    @Override
    public Mono<Void> setComplete() {
        return doCommit();
    }

    @Override
    protected void applyHeaders() {
        // Read from getHeaders() when the request is sent.
    }

    @Override
    protected void applyCookies() {
        List<String> pairs = getCookies().values().stream().flatMap(List::stream)
                .map((cookie) -> cookie.getName() + "=" + cookie.getValue()).toList();
        if (!pairs.isEmpty()) {
            getHeaders().add(HttpHeaders.COOKIE, String.join("; ", pairs));
        }
    }

    @Override
    protected void applyAttributes() {
        // The transport has no request attributes.
    }

    /** @return the credentials of the user-info of the URI asked for, or {@code null} */
    UserInfoCredentials credentials() {
        return this.credentials;
    }

    /**
     * @param factory the settings of the connector's clients
     * @param handle the call, whose cancel also stops the body's subscription
     * @return the request to send, once committed
     */
    Request toTransportRequest(TransportClientHttpRequestFactory factory, CallHandle handle) {
        HttpHeaders headers = getHeaders();
        Publisher<? extends DataBuffer> publisher = this.body;
        RequestBody requestBody = (publisher != null)
                ? new PublisherRequestBody(publisher, headers.getContentLength(), handle)
                : TransportClientHttpRequest.withoutBody(this.method);
        return Request.newBuilder(this.uri)
                .method(this.method.name(), requestBody)
                .headers(TransportClientHttpRequest.transportHeaders(headers))
                .options(factory.options())
                .build();
    }
}
