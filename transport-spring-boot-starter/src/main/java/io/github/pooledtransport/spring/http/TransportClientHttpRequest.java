package io.github.pooledtransport.spring.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.StreamUtils;

import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.TransportException;

/**
 * One request through the transport. The body is streamed to the connection as Spring writes it (no full
 * buffering); redirects and cookies are handled here, as the other Spring request factories do.
 */
final class TransportClientHttpRequest extends AbstractStreamingClientHttpRequest {

    /** Framing and hop-by-hop headers are the transport's to write. */
    private static final String[] TRANSPORT_HEADERS = { "content-length", "transfer-encoding", "connection",
        "keep-alive", "upgrade", "te", "trailer" };

    private final TransportClientHttpRequestFactory factory;

    private final URI uri;

    private final HttpMethod method;

    TransportClientHttpRequest(TransportClientHttpRequestFactory factory, URI uri, HttpMethod method) {
        this.factory = factory;
        this.uri = uri;
        this.method = method;
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
    protected ClientHttpResponse executeInternal(HttpHeaders headers, Body body) throws IOException {
        Request request = toRequest(headers, body);
        Response response;
        try {
            response = this.factory.redirects().execute(this.factory, request);
        }
        catch (TransportException ex) {
            throw this.factory.explain(ex);
        }
        return new TransportClientHttpResponse(response);
    }

    private Request toRequest(HttpHeaders headers, Body body) {
        Headers.Builder transportHeaders = new Headers.Builder();
        headers.forEach((name, values) -> {
            if (!isTransportHeader(name)) {
                for (String value : values) {
                    transportHeaders.add(name, value);
                }
            }
        });
        long contentLength = headers.getContentLength();
        RequestBody requestBody = null;
        if (body != null) {
            requestBody = new SpringBody(body, contentLength);
        }
        else if (contentLength > 0) {
            transportHeaders.set("Content-Length", Long.toString(contentLength));
        }
        return Request.newBuilder(this.uri)
                .method(this.method.name(), requestBody)
                .headers(transportHeaders.build())
                .options(this.factory.options())
                .build();
    }

    /** Framing and hop-by-hop fields are the transport's to write; compared without lower-casing a copy. */
    private static boolean isTransportHeader(String name) {
        for (String transportHeader : TRANSPORT_HEADERS) {
            if (transportHeader.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Spring's streaming body; repeatable when Spring says so (byte arrays, resources). */
    private static final class SpringBody extends RequestBody {

        private final Body body;

        private final long contentLength;

        SpringBody(Body body, long contentLength) {
            this.body = body;
            this.contentLength = contentLength;
        }

        @Override
        public long contentLength() {
            return this.contentLength;
        }

        @Override
        public boolean isRepeatable() {
            return this.body.repeatable();
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            this.body.writeTo(StreamUtils.nonClosing(out));
        }
    }
}
