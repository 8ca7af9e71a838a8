package io.github.pooledtransport.spring.http;

import java.io.IOException;
import java.net.CookieHandler;
import java.net.URI;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;

import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestOptions;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.core.TransportException;

/**
 * Spring's {@link ClientHttpRequestFactory} on the shared pooled {@link Transport}. Each factory carries the
 * settings of the clients it was built for (timeouts, TLS bundle, redirects, cookies); every factory shares the
 * transport's one pool.
 */
public final class TransportClientHttpRequestFactory implements ClientHttpRequestFactory {

    private final Transport transport;

    private final RequestOptions options;

    private final RedirectPolicy redirects;

    private final CookieHandler cookies;

    /** Names the properties behind the limits its requests can hit, or {@code null} to leave errors as they are. */
    private final SettingNames settingNames;

    TransportClientHttpRequestFactory(Transport transport, RequestOptions options, RedirectPolicy redirects,
            CookieHandler cookies, SettingNames settingNames) {
        this.transport = transport;
        this.options = options;
        this.redirects = redirects;
        this.cookies = cookies;
        this.settingNames = settingNames;
    }

    /**
     * A factory with the transport's own settings, following redirects and without cookies.
     *
     * @param transport the shared transport
     */
    public TransportClientHttpRequestFactory(Transport transport) {
        this(transport, RequestOptions.NONE, RedirectPolicy.FOLLOW, null, null);
    }

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) {
        return new TransportClientHttpRequest(this, uri, httpMethod);
    }

    /** @return the shared transport */
    public Transport getTransport() {
        return this.transport;
    }

    RequestOptions options() {
        return this.options;
    }

    /** @return the failure, rewritten to name the property that set the limit it reached when that is known */
    TransportException explain(TransportException ex) {
        return (this.settingNames != null) ? this.settingNames.explain(ex) : ex;
    }

    /**
     * @param ex a call stopped by its call timeout, a cancellation or an interrupt
     * @return the same, its message naming the property of a call timeout
     */
    TransportCancelledException explain(TransportCancelledException ex) {
        return (this.settingNames != null) ? this.settingNames.explain(ex) : ex;
    }

    /**
     * @param failure any failure of a call, as the reactive connector passes them on
     * @return a transport failure or a stopped call explained as above, anything else as it is
     */
    Throwable explain(Throwable failure) {
        if (failure instanceof TransportException transport) {
            return explain(transport);
        }
        if (failure instanceof TransportCancelledException cancelled) {
            return explain(cancelled);
        }
        return failure;
    }

    /**
     * Sends a request, following redirects as this factory's settings say.
     *
     * @param request the first request, its URI without user-info
     * @param credentials the credentials of the URI's user-info, or {@code null}
     * @param handle makes every hop a call it can cancel, or {@code null} to stop calls by interrupting the thread
     * @return the last response
     */
    Response execute(Request request, UserInfoCredentials credentials, CallHandle handle) throws IOException {
        return this.redirects.execute(this, request, credentials, handle);
    }

    /** Sends one hop, applying the cookie store around it. */
    Response send(Request request, CallHandle handle) throws IOException {
        Request outgoing = request;
        if (this.cookies != null) {
            Map<String, List<String>> stored = this.cookies.get(request.uri(), Map.of());
            List<String> cookieHeader = stored.getOrDefault("Cookie", List.of());
            if (!cookieHeader.isEmpty() && !request.headers().contains("Cookie")) {
                Headers.Builder headers = request.headers().toBuilder();
                headers.add("Cookie", String.join("; ", cookieHeader));
                outgoing = request.toBuilder().headers(headers.build()).build();
            }
        }
        Response response = (handle != null) ? handle.execute(this.transport, outgoing)
                : this.transport.roundTrip(outgoing);
        if (this.cookies != null) {
            List<String> setCookies = response.headers().values("Set-Cookie");
            if (!setCookies.isEmpty()) {
                this.cookies.put(request.uri(), Map.of("Set-Cookie", setCookies));
            }
        }
        return response;
    }
}
