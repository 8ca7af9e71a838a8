package io.github.pooledtransport.spring.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Set;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.StreamUtils;

import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.core.TransportException;

/**
 * One request through the transport. The body is streamed to the connection as Spring writes it (no full
 * buffering); redirects and cookies are handled here, as the other Spring request factories do.
 * <p>
 * Where Spring's other factories differ from the core, this follows them: a {@code null} header value is sent as
 * an empty one, and every method but GET, HEAD, OPTIONS and TRACE sends {@code Content-Length: 0} when it has no
 * body (the core, like Go, does so for POST, PUT and PATCH only; RFC 9110 8.6 advises against it for DELETE, but
 * Spring's JDK and HttpComponents factories send it, and switching factories must not change what servers see). User-info in the URI, which the core
 * refuses, becomes {@code Authorization: Basic} as in Go's {@code Client} (see {@link UserInfoCredentials} and
 * {@link RedirectPolicy}); {@link #getURI()} is the URI without it, so that observations and logs built from the
 * request never show the password.
 */
final class TransportClientHttpRequest extends AbstractStreamingClientHttpRequest {

    /** Framing and hop-by-hop headers are the transport's to write. */
    private static final String[] TRANSPORT_HEADERS = { "content-length", "transfer-encoding", "connection",
        "keep-alive", "upgrade", "te", "trailer" };

    private static final byte[] EMPTY = new byte[0];

    /** Methods that send no {@code Content-Length: 0} without a body (RFC 9110 9.2.1's safe methods). */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final TransportClientHttpRequestFactory factory;

    /** Without user-info. */
    private final URI uri;

    private final HttpMethod method;

    /** From the user-info of the URI asked for, or {@code null}. */
    private final UserInfoCredentials credentials;

    TransportClientHttpRequest(TransportClientHttpRequestFactory factory, URI uri, HttpMethod method) {
        this.factory = factory;
        this.uri = UserInfoCredentials.strip(uri);
        this.method = method;
        this.credentials = UserInfoCredentials.of(uri);
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
            response = this.factory.execute(request, this.credentials, null);
        }
        catch (TransportException ex) {
            throw this.factory.explain(ex);
        }
        catch (TransportCancelledException ex) {
            throw this.factory.explain(ex);
        }
        return new TransportClientHttpResponse(response);
    }

    private Request toRequest(HttpHeaders headers, Body body) {
        RequestBody requestBody = (body != null) ? new SpringBody(body, headers.getContentLength())
                : withoutBody(this.method);
        return Request.newBuilder(this.uri)
                .method(this.method.name(), requestBody)
                .headers(transportHeaders(headers))
                .options(this.factory.options())
                .build();
    }

    /**
     * @param headers the headers Spring was given
     * @return the same, without the framing and hop-by-hop fields that are the transport's to write
     */
    static Headers transportHeaders(HttpHeaders headers) {
        Headers.Builder transportHeaders = new Headers.Builder();
        headers.forEach((name, values) -> {
            if (!isTransportHeader(name)) {
                for (String value : values) {
                    // Spring's HttpHeaders take null values; its JDK-connection factory sends them empty.
                    transportHeaders.add(name, (value != null) ? value : "");
                }
            }
        });
        return transportHeaders.build();
    }

    /**
     * @param method the request's method
     * @return the body of a request without one: none for the safe methods, else an empty body of known length,
     *     which the core sends as {@code Content-Length: 0} (a caller's header is not sent)
     */
    static RequestBody withoutBody(HttpMethod method) {
        return SAFE_METHODS.contains(method.name()) ? null : RequestBody.of(EMPTY);
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
