package io.github.pooledtransport.spring.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpCookie;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import io.github.pooledtransport.core.Response;

/**
 * A transport {@link Response} seen as a reactive {@link ClientHttpResponse}. The body is read as the subscriber
 * asks for it, a chunk per requested buffer, on the connector's body threads, so a slow subscriber holds no more
 * than it asked for and no thread waits while it asks for nothing. Read to its end, the response is closed and its
 * connection goes back to the pool before the subscriber hears the end; a cancelled subscription cancels the call,
 * which closes the connection (a body left unread is never handed to another request). The body can be
 * subscribed once.
 */
final class TransportReactiveResponse implements ClientHttpResponse {

    private static final java.util.regex.Pattern SAME_SITE = java.util.regex.Pattern
            .compile("(?i)(?:^|;)\\s*SameSite\\s*=\\s*([^;]*)");

    private static final java.util.regex.Pattern PARTITIONED = java.util.regex.Pattern
            .compile("(?i)(?:^|;)\\s*Partitioned\\s*(?:;|$)");

    /** Bytes asked of the connection per buffer handed on. */
    static final int CHUNK_SIZE = 8192;

    private final Response response;

    private final HttpHeaders headers;

    private final Flux<DataBuffer> body;

    private final CallHandle handle;

    /** Set once the body is subscribed, or abandoned unread: it can be read once. */
    private final AtomicBoolean subscribed = new AtomicBoolean();

    private MultiValueMap<String, ResponseCookie> cookies;

    TransportReactiveResponse(Response response, CallHandle handle, Executor bodyThreads,
            DataBufferFactory bufferFactory, TransportClientHttpRequestFactory explainer) {
        this.response = response;
        this.headers = HttpHeaders.readOnlyHttpHeaders(new TransportHeadersAdapter(response.headers()));
        this.handle = handle;
        InputStream in = response.body();
        Flux<DataBuffer> reads = Flux.<DataBuffer>generate((sink) -> {
            byte[] chunk = new byte[CHUNK_SIZE];
            int n;
            try {
                n = in.read(chunk);
            }
            catch (IOException ex) {
                closeQuietly();
                if (!handle.isCancelled()) {
                    sink.error(explainer.explain(ex));
                }
                else {
                    sink.complete(); // the subscriber cancelled: nobody listens, and Reactor would log a dropped error
                }
                return;
            }
            if (n < 0) {
                closeQuietly(); // the connection goes back to the pool before the subscriber hears the end
                sink.complete();
            }
            else {
                sink.next(bufferFactory.wrap(ByteBuffer.wrap(chunk, 0, n)));
            }
        });
        // The cancel hook sits after subscribeOn: a cancel that comes while the subscription still waits for a body
        // thread never reaches the reads, and must free the connection all the same.
        this.body = reads.subscribeOn(Schedulers.fromExecutor(bodyThreads), true).doOnSubscribe((s) -> {
            if (!this.subscribed.compareAndSet(false, true)) {
                throw new IllegalStateException("The client response body can only be consumed once");
            }
        }).doOnCancel(this::abandon);
    }

    /**
     * Frees the connection of a response whose body nobody will read: cancelled while the body was read, or before
     * it was subscribed (WebClient cancelled once the response had come). The call is cancelled, so a body left
     * unread is never handed to another request; does nothing for a body read to its end.
     */
    void abandon() {
        this.handle.cancel();
        closeQuietly();
    }

    /** Frees the connection unless the body was subscribed, whose own cancel or end then does it. */
    void abandonIfUnsubscribed() {
        if (this.subscribed.compareAndSet(false, true)) {
            abandon();
        }
    }

    private void closeQuietly() {
        try {
            this.response.close();
        }
        catch (IOException | RuntimeException ex) {
            // The connection was closed instead of reused; the subscriber has nothing left to do about it.
        }
    }

    @Override
    public HttpStatusCode getStatusCode() {
        return HttpStatusCode.valueOf(this.response.status());
    }

    @Override
    public HttpHeaders getHeaders() {
        return this.headers;
    }

    @Override
    public MultiValueMap<String, ResponseCookie> getCookies() {
        if (this.cookies == null) {
            MultiValueMap<String, ResponseCookie> parsed = new LinkedMultiValueMap<>();
            for (String header : this.response.headers().values("Set-Cookie")) {
                List<HttpCookie> cookies;
                try {
                    cookies = HttpCookie.parse(header);
                }
                catch (IllegalArgumentException ex) {
                    continue; // not a cookie the JDK can read: left out, as Spring's JDK connector does
                }
                // The JDK's parser knows neither SameSite nor Partitioned: read from the header itself.
                java.util.regex.Matcher sameSite = SAME_SITE.matcher(header);
                String sameSiteValue = sameSite.find() ? sameSite.group(1).trim() : null;
                boolean partitioned = PARTITIONED.matcher(header).find();
                for (HttpCookie cookie : cookies) {
                    parsed.add(cookie.getName(), ResponseCookie.fromClientResponse(cookie.getName(), cookie.getValue())
                            .domain(cookie.getDomain()).path(cookie.getPath()).maxAge(cookie.getMaxAge())
                            .secure(cookie.getSecure()).httpOnly(cookie.isHttpOnly()).sameSite(sameSiteValue)
                            .partitioned(partitioned).build());
                }
            }
            this.cookies = parsed;
        }
        return this.cookies;
    }

    @Override
    public Flux<DataBuffer> getBody() {
        return this.body;
    }

    /** @return the transport's response */
    Response response() {
        return this.response;
    }
}
