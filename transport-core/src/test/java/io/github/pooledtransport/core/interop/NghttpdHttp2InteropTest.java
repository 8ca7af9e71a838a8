package io.github.pooledtransport.core.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.pooledtransport.core.ConnectionInfo;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportListener;

/**
 * HTTP/2 against a real nghttpd (Debian 12's nghttp2 1.52), whose HTTP/2 is libnghttp2's rather than nginx's own:
 * files of known content, from 1 byte to just over 3 MiB, fetched by concurrent callers over TLS (ALPN h2) and over
 * cleartext with prior knowledge; a server that allows three streams per connection, met by more callers than that
 * with and without {@code strictMaxConcurrentStreams}; and a 404. Every body is checked byte for byte (by SHA-256,
 * with the first differing offset when it differs), so a DATA frame lost, repeated or given to the wrong stream
 * fails a test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NghttpdHttp2InteropTest extends RealServerTest {

    /** Files in the document root: {@code /doc-0.bin} to {@code /doc-63.bin}. */
    private static final int DOCUMENTS = 64;

    /** The {@code --max-concurrent-streams} of the limited listener. */
    private static final int LIMITED_STREAMS = 3;

    /** Callers sent at the limited listener at once, each for a file of its own. */
    private static final int LIMITED_CALLERS = 40;

    /** How long a caller holding its response waits for the other callers' heads. */
    private static final Duration HOLD = Duration.ofSeconds(10);

    /** How long a whole burst of callers may take. */
    private static final Duration BURST = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private static List<Document> documents;

    private static TestCertificates certificates;

    /** TLS, nghttpd's default of 100 streams per connection. */
    private static NghttpdFixture tls;

    /** Cleartext HTTP/2 with prior knowledge ({@code --no-tls}). */
    private static NghttpdFixture cleartext;

    /** TLS, {@value #LIMITED_STREAMS} streams per connection. */
    private static NghttpdFixture limited;

    private static RealServers servers;

    @BeforeAll
    static void startNghttpd() throws Exception {
        servers = RealServers.require(NghttpdHttp2InteropTest.class, NghttpdFixture.REQUIRED);
        if (!servers.installed()) {
            return;
        }
        Path docs = Files.createDirectories(dir.resolve("htdocs"));
        documents = new ArrayList<>();
        for (int i = 0; i < DOCUMENTS; i++) {
            documents.add(Document.write(docs, i));
        }
        certificates = TestCertificates.create(dir);
        tls = servers.start(() -> NghttpdFixture.start(dir, "tls", docs, certificates, NghttpdFixture.DEFAULT_STREAMS));
        cleartext = servers.start(() -> NghttpdFixture.start(dir, "h2c", docs, null, NghttpdFixture.DEFAULT_STREAMS));
        limited = servers.start(() -> NghttpdFixture.start(dir, "limited", docs, certificates, LIMITED_STREAMS));
    }

    @AfterAll
    static void stopNghttpd() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    @Override
    protected RealServers servers() {
        return servers;
    }

    private static TransportConfig.Builder config(Connections connections) {
        return Interop.boundedConfig().sslContext(certificates.clientContext(), "interop-ca").listener(connections);
    }

    @Test
    void sixtyFourConcurrentCallersOverTlsGetTheirExactFilesOnOneHttp2Connection() throws Exception {
        Connections connections = new Connections();
        this.transport = new Transport(config(connections).build());
        assertBurstSharesOneConnection(tls, connections);
    }

    @Test
    void cleartextWithPriorKnowledgeServesExactFilesOnOneHttp2Connection() throws Exception {
        Connections connections = new Connections();
        this.transport = new Transport(config(connections).protocols(EnumSet.of(Protocol.H2C)).build());
        assertBurstSharesOneConnection(cleartext, connections);
    }

    /** Every document, each by a caller of its own, all at once: one HTTP/2 connection carries them all. */
    private void assertBurstSharesOneConnection(NghttpdFixture server, Connections connections) throws Exception {
        List<Fetched> fetched = burst(this.transport, server, DOCUMENTS, false);
        for (int i = 0; i < DOCUMENTS; i++) {
            assertExact(fetched.get(i), documents.get(i), server);
        }
        PoolStats stats = this.transport.stats().totals();
        assertThat(stats.opened()).as("connections opened, %s", stats).isEqualTo(1);
        assertThat(stats.multiplexed()).as("HTTP/2 connections open, %s", stats).isEqualTo(1);
        assertThat(stats.requests()).as("requests asked of the pool, %s", stats).isEqualTo(DOCUMENTS);
        assertThat(stats.replays()).as("requests sent again (a refused stream, a failed connection), %s", stats)
                .isZero();
        assertThat(stats.closedTotal()).as("connections closed, %s", stats).isZero();
        assertThat(connections.requestsPerConnection()).as("requests per connection id").hasSize(1);
    }

    @Test
    void streamLimitOfThreeGivesFortyConcurrentCallersTheirExactFiles() throws Exception {
        Connections connections = new Connections();
        this.transport = new Transport(config(connections).build());
        List<Fetched> fetched = burst(this.transport, limited, LIMITED_CALLERS, false);
        for (int i = 0; i < LIMITED_CALLERS; i++) {
            assertExact(fetched.get(i), documents.get(i), limited);
        }
        // Each caller asked once and nothing was sent again: the transport never opened a fourth stream that
        // nghttpd would have refused (REFUSED_STREAM, which counts as a replay), and no connection failed or was
        // retired. How many connections it opened depends on the threads' timing: see the held-open test.
        PoolStats stats = this.transport.stats().totals();
        assertThat(stats.requests()).as("requests asked of the pool, %s", stats).isEqualTo(LIMITED_CALLERS);
        assertThat(stats.replays()).as("requests sent again (a refused stream, a failed connection), %s", stats)
                .isZero();
        assertThat(stats.acquireTimeouts()).as("acquire timeouts, %s", stats).isZero();
        assertThat(stats.closedTotal()).as("connections closed, %s", stats).isZero();
    }

    @Test
    void streamLimitOfThreeOpensAnotherConnectionForEachFourthResponseHeldOpen() throws Exception {
        Connections connections = new Connections();
        this.transport = new Transport(config(connections).build());
        // Every caller keeps its response unread until all forty heads have come: forty streams in flight at once,
        // three per connection, so at least fourteen connections, whatever the threads' timing.
        List<Fetched> fetched = burst(this.transport, limited, LIMITED_CALLERS, true);
        for (int i = 0; i < LIMITED_CALLERS; i++) {
            assertExact(fetched.get(i), documents.get(i), limited);
        }
        int atLeast = (LIMITED_CALLERS + LIMITED_STREAMS - 1) / LIMITED_STREAMS;
        assertThat(connections.requestsPerConnection().values()).as("requests per connection")
                .allSatisfy(requests -> assertThat(requests).isLessThanOrEqualTo(LIMITED_STREAMS));
        PoolStats stats = this.transport.stats().totals();
        assertThat(stats.opened()).as("connections opened, %s", stats).isGreaterThanOrEqualTo(atLeast);
        assertThat(stats.requests()).as("requests asked of the pool, %s", stats).isEqualTo(LIMITED_CALLERS);
        assertThat(stats.replays()).as("requests sent again (a refused stream, a failed connection), %s", stats)
                .isZero();
        assertThat(stats.closedTotal()).as("connections closed, %s", stats).isZero();
    }

    @Test
    void strictStreamLimitOfThreeQueuesFortyConcurrentCallersOnOneConnection() throws Exception {
        Connections connections = new Connections();
        this.transport = new Transport(config(connections).strictMaxConcurrentStreams(true).build());
        List<Fetched> fetched = burst(this.transport, limited, LIMITED_CALLERS, false);
        for (int i = 0; i < LIMITED_CALLERS; i++) {
            assertExact(fetched.get(i), documents.get(i), limited);
        }
        PoolStats stats = this.transport.stats().totals();
        assertThat(stats.opened()).as("connections opened, %s", stats).isEqualTo(1);
        assertThat(stats.requests()).as("requests asked of the pool, %s", stats).isEqualTo(LIMITED_CALLERS);
        assertThat(stats.replays()).as("requests sent again (a refused stream, a failed connection), %s", stats)
                .isZero();
        assertThat(stats.acquireTimeouts()).as("acquire timeouts, %s", stats).isZero();
        assertThat(stats.closedTotal()).as("connections closed, %s", stats).isZero();
    }

    @Test
    void missingFileIs404OverHttp2AndItsConnectionServesTheNextRequest() throws Exception {
        Connections connections = new Connections();
        this.transport = new Transport(config(connections).build());
        Fetched missing = fetch(this.transport, tls, "/no-such-file.bin");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.protocol()).isEqualTo("HTTP/2.0");
        assertThat(new String(missing.body(), StandardCharsets.UTF_8)).contains("404 Not Found");
        Document next = documents.get(52); // 1 MiB + 1: the reused connection's stream window is refilled too
        assertExact(fetch(this.transport, tls, next.path()), next, tls);
        List<ConnectionInfo> got = connections.infos();
        assertThat(got).hasSize(2);
        assertThat(got.get(1).connectionId()).as("the second request's connection")
                .isEqualTo(got.get(0).connectionId());
        assertThat(got.get(1).reused()).as("the second request's connection was reused").isTrue();
        PoolStats stats = this.transport.stats().totals();
        assertThat(stats.opened()).as("connections opened, %s", stats).isEqualTo(1);
        assertThat(stats.closedTotal()).as("connections closed, %s", stats).isZero();
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * Sends {@code count} callers, released together, each for document {@code i}.
     *
     * @param hold whether each caller keeps its response unread until every caller has its response's head
     * @return what each caller got, in document order
     */
    private static List<Fetched> burst(Transport transport, NghttpdFixture server, int count, boolean hold)
            throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch heads = new CountDownLatch(count);
            List<Future<Fetched>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                String url = server.url(documents.get(i).path());
                futures.add(callers.submit(() -> {
                    go.await();
                    try (Response response = transport.roundTrip(Request.get(url))) {
                        heads.countDown();
                        if (hold && !heads.await(HOLD.toMillis(), TimeUnit.MILLISECONDS)) {
                            throw new AssertionError("caller " + index + " held its response for " + HOLD.toSeconds()
                                    + " s, yet only " + (count - heads.getCount()) + " of " + count
                                    + " response heads came: " + transport.stats().totals());
                        }
                        return new Fetched(response.status(), response.protocol(), response.body().readAllBytes());
                    }
                }));
            }
            go.countDown();
            long deadline = System.nanoTime() + BURST.toNanos();
            List<Fetched> fetched = new ArrayList<>();
            for (Future<Fetched> future : futures) {
                try {
                    fetched.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                }
                catch (TimeoutException ex) {
                    throw new AssertionError("caller " + fetched.size() + " of " + count + " had no answer within "
                            + BURST.toSeconds() + " s (" + server.commandLine() + "): " + transport.stats().totals()
                            + server.logTails(), ex);
                }
            }
            return fetched;
        }
        finally {
            callers.shutdownNow();
        }
    }

    private static Fetched fetch(Transport transport, NghttpdFixture server, String path) throws IOException {
        try (Response response = transport.roundTrip(Request.get(server.url(path)))) {
            return new Fetched(response.status(), response.protocol(), response.body().readAllBytes());
        }
    }

    /** Fails, naming the first differing byte and whose body came instead, unless the document came exactly. */
    private static void assertExact(Fetched got, Document expected, NghttpdFixture server) {
        assertThat(got.status()).as("status of GET %s from %s", expected.path(), server.commandLine())
                .isEqualTo(200);
        assertThat(got.protocol()).as("protocol of GET %s", expected.path()).isEqualTo("HTTP/2.0");
        assertThat(sha256(got.body())).as(() -> mismatch(got, expected)).isEqualTo(expected.digest());
    }

    private static String mismatch(Fetched got, Document expected) {
        byte[] want = expected.content();
        int common = Math.min(want.length, got.body().length);
        int at = java.util.Arrays.mismatch(want, 0, common, got.body(), 0, common);
        String digest = sha256(got.body());
        String whose = documents.stream()
                .filter(d -> d.digest().equals(digest))
                .map(d -> "; it is the body of " + d.path())
                .findFirst()
                .orElse("");
        return "body of GET " + expected.path() + ": " + want.length + " bytes expected, " + got.body().length
                + " received, " + ((at >= 0) ? "first difference at offset " + at : "equal up to the shorter") + whose;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** What one caller got: the status, protocol and whole body of its response. */
    record Fetched(int status, String protocol, byte[] body) {
    }

    /**
     * A file in the document root: seeded random bytes (no two files alike, nothing a repeated or shifted frame
     * could pass for), sizes spread evenly on a log scale from 1 byte to just over 3 MiB, with the sizes around one
     * DATA frame (16,384), RFC 9113's initial window (65,535) and the transport's stream window (1 MiB) among them.
     */
    record Document(String path, int index, int size, String digest) {

        private static final int LARGEST = 3 * (1 << 20) + 1;

        static Document write(Path docs, int index) throws IOException {
            int size = sizeOf(index);
            byte[] content = content(index, size);
            String name = "doc-" + index + ".bin";
            Files.write(docs.resolve(name), content);
            return new Document("/" + name, index, size, sha256(content));
        }

        private static int sizeOf(int index) {
            return switch (index) {
                case 16 -> 16_383;
                case 17 -> 16_384;
                case 18 -> 16_385;
                case 24 -> 65_535;
                case 25 -> 65_536;
                case 52 -> (1 << 20) + 1;
                default -> Math.max(index + 1, (int) Math.round(Math.pow(LARGEST, index / (DOCUMENTS - 1.0))));
            };
        }

        private static byte[] content(int index, int size) {
            byte[] content = new byte[size];
            new Random(index).nextBytes(content);
            return content;
        }

        /** @return the file's bytes, made again from its seed (not read back from the file under test) */
        byte[] content() {
            return content(this.index, this.size);
        }
    }

    /** The connection each request was given, as the transport's listener reports it (on the caller's thread). */
    static final class Connections implements TransportListener {

        private final List<ConnectionInfo> infos = new CopyOnWriteArrayList<>();

        @Override
        public void gotConn(HostKey key, ConnectionInfo info) {
            this.infos.add(info);
        }

        List<ConnectionInfo> infos() {
            return List.copyOf(this.infos);
        }

        /** @return how many requests each connection id carried */
        Map<Long, Integer> requestsPerConnection() {
            Map<Long, Integer> counts = new HashMap<>();
            for (ConnectionInfo info : this.infos) {
                counts.merge(info.connectionId(), 1, Integer::sum);
            }
            return counts;
        }
    }
}
