package io.github.pooledtransport.core;

import java.net.URI;
import java.util.Objects;
import java.util.Set;

import io.github.pooledtransport.core.internal.RequestUris;
import io.github.pooledtransport.core.internal.Uris;

/**
 * An immutable HTTP request: method, absolute {@code http} or {@code https} URI, headers and an optional
 * streaming body.
 *
 * <p>Framing headers ({@code Content-Length}, {@code Transfer-Encoding}) and {@code Host} are written by
 * the transport from the URI and the body; a {@code Host} header set here overrides the URI's authority.
 *
 * <p>What is sent is exactly what the request holds, or the request is refused when it is built. The URI is
 * kept in the form it goes on the wire: a non-ASCII host name becomes its IDNA punycode
 * ({@link java.net.IDN#toASCII(String)}), which is also the name resolved, sent as SNI and keyed in the pool,
 * and non-ASCII characters in path, query and fragment are percent-encoded as UTF-8 (escapes already present
 * stay as they are, and nothing is Unicode-normalized). A URI with user-info is refused: like Go's
 * {@code Transport}, the transport never sends it (RFC 9110 4.2.4); credentials go in an
 * {@code Authorization} header. Header values are sent as ISO-8859-1 and may hold no control character
 * but HTAB, see {@link Headers}.
 */
public final class Request {

    private static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final String method;

    private final URI uri;

    private final Headers headers;

    private final RequestBody body;

    private final RequestOptions options;

    private Request(Builder builder) {
        this.method = builder.method;
        this.uri = builder.uri;
        this.headers = builder.headers.build();
        this.body = builder.body;
        this.options = builder.options;
    }

    /**
     * @param uri an absolute {@code http} or {@code https} URI
     * @return a GET request without headers
     */
    public static Request get(URI uri) {
        return newBuilder(uri).build();
    }

    /**
     * @param uri an absolute {@code http} or {@code https} URI
     * @return a GET request without headers
     */
    public static Request get(String uri) {
        return get(URI.create(uri));
    }

    /**
     * @param uri an absolute {@code http} or {@code https} URI
     * @return a builder for a GET request to it
     */
    public static Builder newBuilder(URI uri) {
        return new Builder(uri);
    }

    /** @return the method, upper-case as given, for example {@code GET} */
    public String method() {
        return this.method;
    }

    /** @return the target URI, in the ASCII form that goes on the wire */
    public URI uri() {
        return this.uri;
    }

    /** @return the caller's headers */
    public Headers headers() {
        return this.headers;
    }

    /** @return the body, or {@code null} when there is none */
    public RequestBody body() {
        return this.body;
    }

    /** @return settings that replace the transport's for this request */
    public RequestOptions options() {
        return this.options;
    }

    /**
     * Whether sending this request twice is harmless, so it may be replayed on a fresh connection when a
     * reused one fails before any response byte arrived: {@code GET}, {@code HEAD}, {@code OPTIONS} or
     * {@code TRACE}, or any method with an {@code Idempotency-Key} or {@code X-Idempotency-Key} header; and no
     * body or a repeatable one. This is Go's {@code Request.isReplayable}: {@code PUT} and {@code DELETE} are
     * idempotent by RFC 9110 but are not replayed without a key, because a server may not implement them so.
     *
     * <p>Whatever this returns, a request is also sent again when not one byte of it reached a reused connection
     * that failed, and its body, if any, is repeatable: the server cannot have seen it. A failure of the
     * caller's own {@link RequestBody} is never a reason to replay.
     *
     * @return whether the request may be replayed
     */
    public boolean isReplayable() {
        boolean idempotent = IDEMPOTENT_METHODS.contains(this.method) || this.headers.contains("Idempotency-Key")
                || this.headers.contains("X-Idempotency-Key");
        return idempotent && (this.body == null || this.body.isRepeatable());
    }

    /** @return a builder that starts from this request */
    public Builder toBuilder() {
        Builder builder = new Builder(this.uri);
        builder.method = this.method;
        builder.headers = this.headers.toBuilder();
        builder.body = this.body;
        builder.options = this.options;
        return builder;
    }

    /** The request line only: headers may hold credentials. */
    @Override
    public String toString() {
        return this.method + " " + Uris.withoutUserInfo(this.uri); // masks user-info, should a URI ever hold it
    }

    /** Builds a {@link Request}. */
    public static final class Builder {

        private String method = "GET";

        private URI uri;

        private Headers.Builder headers = new Headers.Builder();

        private RequestBody body;

        private RequestOptions options = RequestOptions.NONE;

        private Builder(URI uri) {
            uri(uri);
        }

        /**
         * Sets the URI, converted to the ASCII form that goes on the wire (see {@link Request}).
         *
         * @param uri an absolute {@code http} or {@code https} URI with a host and without user-info
         * @return this builder
         * @throws IllegalArgumentException for another scheme, no valid host, user-info (the message masks
         * it), or a component that is not valid UTF-16
         */
        public Builder uri(URI uri) {
            Objects.requireNonNull(uri, "uri");
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                throw new IllegalArgumentException(
                        "Request URI must be absolute with scheme http or https: " + Uris.withoutUserInfo(uri));
            }
            if (Uris.hasUserInfo(uri)) {
                throw new IllegalArgumentException("Request URI must not carry user-info, the transport never "
                        + "sends it (RFC 9110 4.2.4); put credentials in an Authorization header instead: "
                        + Uris.withoutUserInfo(uri));
            }
            this.uri = RequestUris.toAscii(uri);
            return this;
        }

        /**
         * @param method an RFC 9110 token such as {@code POST}
         * @param body the body, or {@code null} for none
         * @return this builder
         */
        public Builder method(String method, RequestBody body) {
            Objects.requireNonNull(method, "method");
            if (!isToken(method)) {
                throw new IllegalArgumentException("Invalid HTTP method '" + Headers.printable(method)
                        + "': a method is an RFC 9110 token");
            }
            if (body != null && (method.equals("GET") || method.equals("HEAD"))) {
                throw new IllegalArgumentException(method + " request must not have a body");
            }
            this.method = method;
            this.body = body;
            return this;
        }

        private static boolean isToken(String s) {
            if (s.isEmpty()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if (!Headers.isTokenChar(s.charAt(i))) {
                    return false;
                }
            }
            return true;
        }

        /** @return this builder, set to GET without body */
        public Builder get() {
            return method("GET", null);
        }

        /**
         * @param body the body
         * @return this builder, set to POST
         */
        public Builder post(RequestBody body) {
            return method("POST", Objects.requireNonNull(body, "body"));
        }

        /**
         * @param name the header name, an RFC 9110 token
         * @param value its value: ISO-8859-1, no control character but HTAB; a non-ASCII {@code Host} is
         * converted to punycode
         * @return this builder, with the field appended
         * @throws IllegalArgumentException naming the header, never repeating the value
         */
        public Builder header(String name, String value) {
            this.headers.addSendable(name, isHost(name) ? RequestUris.asciiHostHeader(value) : value);
            return this;
        }

        /**
         * @param name the header name, an RFC 9110 token
         * @param value its value, as for {@link #header(String, String)}
         * @return this builder, with every field of that name replaced
         * @throws IllegalArgumentException naming the header, never repeating the value
         */
        public Builder setHeader(String name, String value) {
            this.headers.setSendable(name, isHost(name) ? RequestUris.asciiHostHeader(value) : value);
            return this;
        }

        /**
         * @param headers replaces every header
         * @return this builder
         * @throws IllegalArgumentException when a value holds a control character other than HTAB, naming the
         * header, never repeating the value
         */
        public Builder headers(Headers headers) {
            headers.requireSendable();
            Headers.Builder builder = headers.toBuilder();
            String host = headers.get("Host");
            if (host != null) {
                String ascii = RequestUris.asciiHostHeader(host);
                if (!ascii.equals(host)) {
                    builder.set("Host", ascii);
                }
            }
            this.headers = builder;
            return this;
        }

        private static boolean isHost(String name) {
            return name != null && name.length() == 4 && name.equalsIgnoreCase("Host");
        }

        /**
         * @param options settings that replace the transport's for this request
         * @return this builder
         */
        public Builder options(RequestOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** @return the request */
        public Request build() {
            return new Request(this);
        }
    }
}
