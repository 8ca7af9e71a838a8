package io.github.pooledtransport.spring.http;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
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
 * <p>
 * Credentials from a URL's user-info belong to that URL, as in Go's {@code Client}: each hop sends them as
 * {@code Authorization: Basic} unless it already has an {@code Authorization}. A {@code Location} without scheme
 * and authority ({@code /next}) resolves against the URL with its user-info, so it keeps them, and it cannot leave
 * the origin; an absolute {@code Location} brings its own user-info or none, so they never reach another origin
 * (nor come back with a later redirect to the first).
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

    /**
     * @param factory sends each hop
     * @param first the first request, its URI without user-info
     * @param credentials the credentials of the first URI's user-info, or {@code null}
     * @param handle makes every hop a call that it can cancel, or {@code null} for calls stopped by interrupting
     *     the calling thread
     * @return the last response
     */
    Response execute(TransportClientHttpRequestFactory factory, Request first, UserInfoCredentials credentials,
            CallHandle handle) throws IOException {
        Hop hop = new Hop(first, credentials);
        for (int count = 0;; count++) {
            Response response = factory.send(hop.outgoing(), handle);
            if (!this.follow || !isRedirect(response.status())) {
                return response;
            }
            Hop next = next(hop, response);
            if (next == null) {
                return response;
            }
            if (count == MAX_REDIRECTS) {
                response.close();
                throw new IOException("Too many redirects (more than " + MAX_REDIRECTS + ") starting at " + first);
            }
            response.close();
            hop = next;
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static Hop next(Hop hop, Response response) {
        String location = response.headers().get("Location");
        if (location == null) {
            return null;
        }
        Request request = hop.request();
        URI reference;
        URI target;
        try {
            reference = new URI(location.trim());
            target = request.uri().resolve(reference);
        }
        catch (URISyntaxException | IllegalArgumentException ex) {
            return null;
        }
        // RFC 3986 5.2.2: only a reference without scheme and authority takes the base's user-info.
        boolean sameAuthority = reference.getScheme() == null && reference.getRawAuthority() == null;
        UserInfoCredentials credentials = sameAuthority ? hop.credentials() : UserInfoCredentials.of(target);
        target = UserInfoCredentials.strip(target);
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
        return new Hop(builder.headers(headers.build()).build(), credentials);
    }

    /**
     * A request of the chain and the credentials of its URL's user-info. The {@code Authorization} made of them is
     * added to what is sent, never to the request the next hop is derived from.
     */
    private record Hop(Request request, UserInfoCredentials credentials) {

        Request outgoing() {
            if (this.credentials == null || this.request.headers().contains("Authorization")) {
                return this.request;
            }
            return this.request.toBuilder().setHeader("Authorization", this.credentials.authorization()).build();
        }
    }
}
