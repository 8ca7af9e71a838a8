package io.github.pooledtransport.spring.http;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

import io.github.pooledtransport.core.Response;

/**
 * A transport {@link Response} seen as Spring's {@link ClientHttpResponse}. Closing it closes the body, which
 * gives the connection back to the pool (after draining a small remainder).
 */
final class TransportClientHttpResponse implements ClientHttpResponse {

    private final Response response;

    private HttpHeaders headers;

    TransportClientHttpResponse(Response response) {
        this.response = response;
    }

    @Override
    public HttpStatusCode getStatusCode() {
        return HttpStatusCode.valueOf(this.response.status());
    }

    @Override
    public String getStatusText() {
        return this.response.reasonPhrase();
    }

    @Override
    public HttpHeaders getHeaders() {
        if (this.headers == null) {
            this.headers = HttpHeaders.readOnlyHttpHeaders(new TransportHeadersAdapter(this.response.headers()));
        }
        return this.headers;
    }

    @Override
    public InputStream getBody() {
        return this.response.body();
    }

    @Override
    public void close() {
        try {
            this.response.close();
        }
        catch (IOException ex) {
            // The connection was closed instead of reused; nothing is left for the caller to do.
        }
    }

    Response response() {
        return this.response;
    }
}
