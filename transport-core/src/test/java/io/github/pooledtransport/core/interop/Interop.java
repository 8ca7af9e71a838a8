package io.github.pooledtransport.core.interop;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/** What the interop tests share: bounded transport settings and a request that reads its whole answer. */
final class Interop {

    private Interop() {
    }

    /** @return a builder whose every wait is bounded, so a misbehaving server fails a test instead of hanging it */
    static TransportConfig.Builder boundedConfig() {
        return TransportConfig.builder()
                .dialTimeout(Duration.ofSeconds(5))
                .tlsHandshakeTimeout(Duration.ofSeconds(5))
                .responseHeaderTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(10))
                .acquireTimeout(Duration.ofSeconds(10));
    }

    /** A status and the body, read in full; the response is closed so its connection goes back to the pool. */
    record Answer(int status, String body, io.github.pooledtransport.core.Headers headers) {
    }

    static Answer get(Transport transport, String url, String marker) throws IOException {
        Request request = Request.newBuilder(java.net.URI.create(url))
                .get()
                .header(SquidFixture.MARKER_HEADER, marker)
                .build();
        try (Response response = transport.roundTrip(request)) {
            return new Answer(response.status(), new String(response.body().readAllBytes(), StandardCharsets.UTF_8),
                    response.headers());
        }
    }

    /** @return the throwable's messages, {@code toString()}s and stack trace, causes and suppressed included */
    static String everythingPrinted(Throwable error) {
        StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        for (Throwable t = error; t != null; t = t.getCause()) {
            text.append('\n').append(String.valueOf(t.getMessage())).append('\n').append(t.toString());
        }
        return text.toString();
    }

    /** @return the Base64 form the password would take in a {@code Proxy-Authorization} header */
    static String basicCredentials(String user, String password) {
        return java.util.Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
