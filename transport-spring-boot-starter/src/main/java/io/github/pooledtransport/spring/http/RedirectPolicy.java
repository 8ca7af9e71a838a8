package io.github.pooledtransport.spring.http;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;

import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;

/**
 * Follows redirects the way the JDK's {@code HttpClient.Redirect.NORMAL} does, with the rules browsers and
 * curl apply: 303 (and 301/302 after a POST) becomes a GET without body; 307/308 repeat the method and body
 * when the body can be sent again; https never goes to http; {@code Authorization}, {@code Cookie} and
 * {@code Proxy-Authorization} are dropped when the redirect leaves the origin. The response of each hop is
 * closed (so its connection is reused) before the next request.
 */
final class RedirectPolicy {

    /** Same limit as the JDK's default ({@code jdk.httpclient.redirects.retrylimit} is 5); curl uses 50. */
    static final int MAX_REDIRECTS = 10;

    static final RedirectPolicy FOLLOW = new RedirectPolicy(true);

    static final RedirectPolicy DONT_FOLLOW = new RedirectPolicy(false);

    private final boolean follow;

    private RedirectPolicy(boolean follow) {
        this.follow = follow;
    }

    Response execute(TransportClientHttpRequestFactory factory, Request first) throws IOException {
        Request request = first;
        for (int hop = 0;; hop++) {
            Response response = factory.send(request);
            if (!this.follow || !isRedirect(response.status())) {
                return response;
            }
            Request next = next(request, response);
            if (next == null) {
                return response;
            }
            if (hop == MAX_REDIRECTS) {
                response.close();
                throw new IOException("Too many redirects (more than " + MAX_REDIRECTS + ") starting at " + first);
            }
            response.close();
            request = next;
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static Request next(Request request, Response response) {
        String location = response.headers().get("Location");
        if (location == null) {
            return null;
        }
        URI target;
        try {
            target = request.uri().resolve(location.trim());
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
        String scheme = (target.getScheme() != null) ? target.getScheme().toLowerCase(Locale.ROOT) : "";
        if (!(scheme.equals("http") || scheme.equals("https")) || target.getHost() == null) {
            return null;
        }
        if (request.uri().getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
            return null; // never downgrade, as the JDK's NORMAL policy
        }
        int status = response.status();
        String method = request.method();
        boolean toGet = status == 303 && !method.equals("HEAD") || (status == 301 || status == 302) && method.equals("POST");
        Request.Builder builder = request.toBuilder().uri(target);
        Headers.Builder headers = request.headers().toBuilder();
        if (toGet) {
            builder.method("GET", null);
            headers.remove("Content-Type").remove("Content-Length").remove("Content-Encoding");
        }
        else if (request.body() != null && !request.body().isRepeatable()) {
            return null; // the body cannot be sent again: hand the redirect to the caller
        }
        if (!HostKey.of(target).equals(HostKey.of(request.uri()))) {
            headers.remove("Authorization").remove("Cookie").remove("Proxy-Authorization");
        }
        headers.remove("Host");
        return builder.headers(headers.build()).build();
    }
}
