package io.github.pooledtransport.core.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.pooledtransport.core.Headers;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.NoProxy;
import io.github.pooledtransport.core.Proxy;
import io.github.pooledtransport.core.ProxyResolver;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * The bytes sent are the bytes asked for, or nothing is sent: non-ASCII in the URI goes out as UTF-8
 * percent-escapes and punycode, and a header value or URI that cannot be sent exactly is refused before any
 * connection is made. A loopback socket records the exact request bytes.
 */
@Timeout(20)
class RequestBytesTest {

    private static final String SECRET = "s3cr3t-token";

    private static final String PUNYCODE_HOST = "xn--caf-dma.test";

    private final List<String> resolved = new CopyOnWriteArrayList<>();

    private RecordingServer server;

    private Transport transport;

    @BeforeEach
    void start() throws IOException {
        this.server = new RecordingServer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        // Every name resolves to loopback, so that a request to an internationalized name reaches the server.
        this.transport = new Transport(TransportConfig.builder().dnsResolver(host -> {
            this.resolved.add(host);
            return List.of(InetAddress.getByName("127.0.0.1"));
        }).build());
    }

    @AfterEach
    void stop() throws IOException {
        this.transport.close();
        this.server.close();
    }

    @Test
    void nonAsciiPathAndQueryGoOutPercentEncodedAsUtf8() throws Exception {
        send(Request.get(URI.create(this.server.url("/caf\u00e9?q=\u00fc"))));

        assertThat(this.server.requestLine()).isEqualTo("GET /caf%C3%A9?q=%C3%BC HTTP/1.1");
    }

    @Test
    void nonAsciiFromTheMultiArgumentConstructorGoesOutPercentEncodedAsUtf8() throws Exception {
        URI uri = new URI("http", null, "127.0.0.1", this.server.port(), "/caf\u00e9 cr\u00e8me", "q=\u00fc", null);

        send(Request.get(uri));

        assertThat(this.server.requestLine()).isEqualTo("GET /caf%C3%A9%20cr%C3%A8me?q=%C3%BC HTTP/1.1");
    }

    @Test
    void percentEscapesAlreadyPresentStayAsTheyAreNextToEncodedCharacters() throws Exception {
        send(Request.get(URI.create(this.server.url("/caf%C3%A9/%2F\u00e9?q=%26%C3%BC&r=\u00fc"))));

        assertThat(this.server.requestLine()).isEqualTo("GET /caf%C3%A9/%2F%C3%A9?q=%26%C3%BC&r=%C3%BC HTTP/1.1");
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource({ "'/cafe\u0301', '/cafe%CC%81', decomposed e + U+0301 is not NFC-normalized",
            "'/\uD83D\uDE00', '/%F0%9F%98%80', a supplementary character is one four-byte code point",
            "'/\u4E2D?\u6587', '/%E4%B8%AD?%E6%96%87', three-byte characters in path and query" })
    void everyCodePointIsEncodedAsItIsWithoutNormalization(String target, String expected, String description)
            throws Exception {
        send(Request.get(URI.create(this.server.url(target))));

        assertThat(this.server.requestLine()).isEqualTo("GET " + expected + " HTTP/1.1");
    }

    @Test
    void aPathWithAnUnpairedSurrogateIsRejectedBeforeAnythingIsSent() {
        URI uri = URI.create(this.server.url("/a\uD800b"));

        IllegalArgumentException error = catchThrowableOfType(() -> Request.get(uri), IllegalArgumentException.class);

        assertThat(error).hasMessageContaining("surrogate");
        assertThat(this.server.connections()).isZero();
    }

    @Test
    void lineBreaksInAPathFromTheMultiArgumentConstructorGoOutPercentEncoded() throws Exception {
        URI uri = new URI("http", null, "127.0.0.1", this.server.port(), "/a\r\nX-Injected: 1", "q=\r\n", null);

        send(Request.get(uri));

        assertThat(this.server.requestLine()).isEqualTo("GET /a%0D%0AX-Injected:%201?q=%0D%0A HTTP/1.1");
        assertThat(this.server.head()).doesNotContain("\r\nX-Injected");
    }

    @Test
    void aNonAsciiHostNameGoesOutAsPunycodeInTheHostHeaderAndToDns() throws Exception {
        send(Request.get(URI.create("http://caf\u00e9.test:" + this.server.port() + "/")));

        assertThat(this.server.headerLines()).contains("Host: " + PUNYCODE_HOST + ":" + this.server.port());
        assertThat(this.resolved).containsExactly(PUNYCODE_HOST);
    }

    @Test
    void aNonAsciiHostNameIsKeptAsPunycodeSoThatItIsPooledWithItsAsciiSpelling() throws Exception {
        Request unicode = Request.get(URI.create("http://CAF\u00c9.test:" + this.server.port() + "/a"));

        send(unicode);
        send(Request.get(URI.create("http://" + PUNYCODE_HOST + ":" + this.server.port() + "/b")));

        assertThat(unicode.uri().getHost()).isEqualTo(PUNYCODE_HOST);
        assertThat(HostKey.of(unicode.uri()).host()).isEqualTo(PUNYCODE_HOST);
        assertThat(this.server.connections()).isOne();
        assertThat(this.server.heads()).hasSize(2);
    }

    @Test
    void aForwardProxyGetsTheAbsoluteFormInAscii() throws Exception {
        try (Transport viaProxy = new Transport(TransportConfig.builder()
                .proxyResolver(ProxyResolver.of(Proxy.parse(this.server.url("")), NoProxy.NONE)).build())) {
            try (Response response = viaProxy.roundTrip(Request.get(URI.create("http://caf\u00e9.test/\u00fc?q=\u00e9")))) {
                response.body().readAllBytes();
            }
        }

        assertThat(this.server.requestLine()).isEqualTo("GET http://" + PUNYCODE_HOST + "/%C3%BC?q=%C3%A9 HTTP/1.1");
        assertThat(this.server.headerLines()).contains("Host: " + PUNYCODE_HOST);
    }

    @Test
    void noProxyMatchesANonAsciiHostByItsPunycode() throws Exception {
        // Any proxy: the request must go direct, so a proxy that does not exist is never dialed.
        try (Transport direct = new Transport(TransportConfig.builder()
                .dnsResolver(host -> List.of(InetAddress.getByName("127.0.0.1")))
                .proxyResolver(ProxyResolver.of(Proxy.parse("http://127.0.0.1:1"), NoProxy.parse(PUNYCODE_HOST)))
                .build())) {
            try (Response response = direct.roundTrip(
                    Request.get(URI.create("http://caf\u00e9.test:" + this.server.port() + "/")))) {
                response.body().readAllBytes();
            }
        }

        assertThat(this.server.requestLine()).isEqualTo("GET / HTTP/1.1");
    }

    @Test
    void aNonAsciiHostHeaderSetByTheCallerGoesOutAsPunycode() throws Exception {
        send(Request.newBuilder(URI.create(this.server.url("/"))).header("Host", "caf\u00e9.test:8080").build());

        assertThat(this.server.headerLines()).contains("Host: " + PUNYCODE_HOST + ":8080");
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(strings = { "0001", "0008", "000B", "000C", "001B", "001F", "007F", "0080", "0085", "009F" })
    void aHeaderValueWithAControlCharacterIsRejectedNamingTheHeaderButNotTheValue(String codePoint) {
        String value = SECRET + (char) Integer.parseInt(codePoint, 16) + "tail";
        Request.Builder builder = Request.newBuilder(URI.create(this.server.url("/")));

        IllegalArgumentException error = catchThrowableOfType(() -> builder.header("X-Api-Key", value),
                IllegalArgumentException.class);

        assertThat(error).hasMessageContaining("X-Api-Key");
        assertThat(error.getMessage()).doesNotContain(SECRET).doesNotContain("tail");
        assertThat(this.server.connections()).isZero();
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(strings = { "0100", "010D", "20AC", "4E2D", "FFFD" })
    void aHeaderValueWithACharacterAboveLatin1IsRejectedNotSentAsAQuestionMark(String codePoint) {
        String value = SECRET + (char) Integer.parseInt(codePoint, 16);

        IllegalArgumentException error = catchThrowableOfType(
                () -> send(Request.newBuilder(URI.create(this.server.url("/"))).header("X-Name", value).build()),
                IllegalArgumentException.class);

        assertThat(error).hasMessageContaining("X-Name").hasMessageContaining("ISO-8859-1");
        assertThat(error.getMessage()).doesNotContain(SECRET).doesNotContain(value.substring(SECRET.length()));
        assertThat(this.server.connections()).isZero();
    }

    @Test
    void setHeaderRejectsAControlCharacterAndKeepsTheFieldItWouldHaveReplaced() throws Exception {
        Request.Builder builder = Request.newBuilder(URI.create(this.server.url("/"))).header("X-Mode", "kept");

        IllegalArgumentException error = catchThrowableOfType(() -> builder.setHeader("X-Mode", "a\u0085b"),
                IllegalArgumentException.class);
        send(builder.build());

        assertThat(error).hasMessageContaining("X-Mode").hasMessageContaining("U+0085");
        assertThat(this.server.headerLines()).contains("X-Mode: kept");
    }

    @Test
    void headersBuiltElsewhereWithAControlCharacterAreRejectedByTheRequest() {
        Headers headers = Headers.of("Accept", "*/*", "X-Api-Key", SECRET + "\u0007");
        Request.Builder builder = Request.newBuilder(URI.create(this.server.url("/")));

        IllegalArgumentException error = catchThrowableOfType(() -> builder.headers(headers),
                IllegalArgumentException.class);

        assertThat(error).hasMessageContaining("X-Api-Key").hasMessageContaining("U+0007");
        assertThat(error.getMessage()).doesNotContain(SECRET);
        assertThat(this.server.connections()).isZero();
    }

    @Test
    void htabAndLatin1LettersInAHeaderValueGoOutAsTheirIso88591Bytes() throws Exception {
        send(Request.newBuilder(URI.create(this.server.url("/"))).header("X-Name", "a\tb caf\u00e9 \u00ff").build());

        assertThat(this.server.headerLines()).contains("X-Name: a\tb caf\u00e9 \u00ff");
    }

    @Test
    void responseHeaderBytesInTheC1RangeAreStillRead() throws Exception {
        // UTF-8 of an em dash, E2 80 94, read as ISO-8859-1: what a server sent is not checked as if sent.
        this.server.respondWith("HTTP/1.1 200 OK\r\nX-Title: a\u00e2\u0080\u0094b\r\nContent-Length: 0\r\n\r\n");

        try (Response response = this.transport.roundTrip(Request.get(URI.create(this.server.url("/"))))) {
            assertThat(response.headers().get("X-Title")).isEqualTo("a\u00e2\u0080\u0094b");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "alice:" + SECRET + "@127.0.0.1", "alice@127.0.0.1", "alice:" + SECRET + "@caf\u00e9.test" })
    void userInfoInTheUrlIsRejectedWithoutRepeatingIt(String authority) {
        URI uri = URI.create("http://" + authority + ":" + this.server.port() + "/path");

        IllegalArgumentException error = catchThrowableOfType(() -> Request.get(uri), IllegalArgumentException.class);

        assertThat(error).hasMessageContaining("user-info").hasMessageContaining("Authorization");
        assertThat(error.getMessage()).doesNotContain(SECRET).doesNotContain("alice");
        assertThat(this.server.connections()).isZero();
    }

    @Test
    void userInfoIsRejectedWhenTheUriOfABuilderIsReplaced() {
        Request.Builder builder = Request.newBuilder(URI.create(this.server.url("/")));
        URI withUserInfo = URI.create("http://alice:" + SECRET + "@127.0.0.1:" + this.server.port() + "/");

        IllegalArgumentException error = catchThrowableOfType(() -> builder.uri(withUserInfo),
                IllegalArgumentException.class);

        assertThat(error.getMessage()).contains("user-info").doesNotContain(SECRET).doesNotContain("alice");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = { "GET\u0085", "G\u007FT", "GE\tT", "G\u00c9T", "GET /x HTTP/1.1\r\nX: y" })
    void aMethodThatIsNotATokenIsRejectedWithItsControlCharactersEscaped(String method) {
        Request.Builder builder = Request.newBuilder(URI.create(this.server.url("/")));

        IllegalArgumentException error = catchThrowableOfType(() -> builder.method(method, null),
                IllegalArgumentException.class);

        assertThat(error.getMessage()).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0085")
                .doesNotContain("\u007F");
        assertThat(this.server.connections()).isZero();
    }

    private void send(Request request) throws IOException {
        try (Response response = this.transport.roundTrip(request)) {
            response.body().readAllBytes();
        }
    }

    /**
     * Accepts loopback connections, records every request head as its exact bytes and answers each with the
     * same response, until the client closes.
     */
    private static final class RecordingServer implements AutoCloseable {

        private final ServerSocket serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));

        private final List<byte[]> heads = new CopyOnWriteArrayList<>();

        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        private final AtomicInteger connections = new AtomicInteger();

        private volatile String response;

        RecordingServer(String response) throws IOException {
            this.response = response;
            Thread acceptor = new Thread(this::acceptLoop, "request-bytes-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        void respondWith(String response) {
            this.response = response;
        }

        int port() {
            return this.serverSocket.getLocalPort();
        }

        String url(String target) {
            return "http://127.0.0.1:" + port() + target;
        }

        int connections() {
            return this.connections.get();
        }

        List<byte[]> heads() {
            return this.heads;
        }

        /** The only request head, decoded byte for char (ISO-8859-1), so that no byte is hidden or merged. */
        String head() {
            assertThat(this.heads).hasSize(1);
            return new String(this.heads.get(0), StandardCharsets.ISO_8859_1);
        }

        String requestLine() {
            return head().substring(0, head().indexOf("\r\n"));
        }

        List<String> headerLines() {
            String head = head();
            return List.of(head.substring(head.indexOf("\r\n") + 2, head.length() - 4).split("\r\n"));
        }

        private void acceptLoop() {
            while (!this.serverSocket.isClosed()) {
                Socket socket;
                try {
                    socket = this.serverSocket.accept();
                }
                catch (IOException ex) {
                    return;
                }
                this.connections.incrementAndGet();
                this.sockets.add(socket);
                Thread handler = new Thread(() -> serve(socket), "request-bytes-connection");
                handler.setDaemon(true);
                handler.start();
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                byte[] head;
                while ((head = readHead(in)) != null) {
                    this.heads.add(head);
                    out.write(this.response.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            }
            catch (IOException ex) {
                // the client or close() ended the connection
            }
        }

        private static byte[] readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b == -1) {
                    return null;
                }
                head.write(b);
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : ((b == '\r') ? 1 : 0);
            }
            return head.toByteArray();
        }

        @Override
        public void close() throws IOException {
            this.serverSocket.close();
            for (Socket socket : this.sockets) {
                socket.close();
            }
        }
    }
}
