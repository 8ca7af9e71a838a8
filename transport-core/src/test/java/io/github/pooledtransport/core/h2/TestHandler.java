package io.github.pooledtransport.core.h2;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * What the h2 tests ask of a real server, by path:
 * <ul>
 * <li>{@code /bytes?n=N&seed=S}: N deterministic bytes ({@link #bytes}) with a Content-Length;
 * {@code &length=none} leaves it out.</li>
 * <li>{@code /echo}: the SHA-256 and length of the request body.</li>
 * <li>{@code /headers}: the request's header fields as the server saw them, one {@code name: value} per line.</li>
 * <li>{@code /gzip}: a gzip-encoded text.</li>
 * <li>{@code /no-content}: 204.</li>
 * <li>{@code /trailers}: a body followed by trailers.</li>
 * <li>{@code /stall}: the head and 5 bytes, then nothing until {@link #release} is counted down.</li>
 * </ul>
 */
final class TestHandler extends Handler.Abstract {

    final CountDownLatch release = new CountDownLatch(1);

    /** @return N bytes from a seeded generator: what {@code /bytes} sends */
    static byte[] bytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        Fields query = Request.extractQueryParameters(request);
        switch (path) {
            case "/bytes" -> {
                byte[] body = bytes(Integer.parseInt(query.getValue("n")), Long.parseLong(query.getValue("seed")));
                if (!"none".equals(query.getValue("length"))) {
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                }
                try (OutputStream out = Content.Sink.asOutputStream(response)) {
                    for (int at = 0; at < body.length; at += 10_000) {
                        out.write(body, at, Math.min(10_000, body.length - at));
                    }
                }
            }
            case "/echo" -> {
                byte[] body;
                try (InputStream in = Content.Source.asInputStream(request)) {
                    body = in.readAllBytes();
                }
                text(response, sha256(body) + " " + body.length);
            }
            case "/headers" -> {
                StringBuilder lines = new StringBuilder();
                for (HttpField field : request.getHeaders()) {
                    lines.append(field.getName()).append(": ").append(field.getValue()).append('\n');
                }
                lines.append(":authority: ").append(request.getHttpURI().getAuthority()).append('\n');
                lines.append(":path: ").append(request.getHttpURI().getPathQuery()).append('\n');
                text(response, lines.toString());
            }
            case "/gzip" -> {
                response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
                try (OutputStream out = new GZIPOutputStream(Content.Sink.asOutputStream(response))) {
                    out.write("decoded on the client".getBytes(StandardCharsets.UTF_8));
                }
            }
            case "/no-content" -> response.setStatus(204);
            case "/trailers" -> {
                response.setTrailersSupplier(() -> HttpFields.build().add("x-checksum", "abc"));
                try (OutputStream out = Content.Sink.asOutputStream(response)) {
                    out.write("body before trailers".getBytes(StandardCharsets.UTF_8));
                }
            }
            case "/stall" -> {
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 10);
                try (OutputStream out = Content.Sink.asOutputStream(response)) {
                    out.write("12345".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    this.release.await(30, TimeUnit.SECONDS);
                    out.write("67890".getBytes(StandardCharsets.UTF_8));
                }
                catch (Exception ex) {
                    // the client reset the stream
                }
            }
            default -> {
                response.setStatus(404);
                text(response, "no " + path);
            }
        }
        callback.succeeded();
        return true;
    }

    private static void text(Response response, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            out.write(bytes);
        }
    }
}
