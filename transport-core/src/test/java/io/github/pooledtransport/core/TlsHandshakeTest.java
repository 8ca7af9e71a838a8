package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * TLS to https targets: verified against the configured trust material and the target's name, reported to
 * listeners with protocol and cipher suite, bounded by {@code tlsHandshakeTimeout}, and switched off only
 * by {@code insecureSkipTlsVerify}, which warns.
 */
@Timeout(20)
class TlsHandshakeTest {

    private static final String DIALER_LOGGER = "io.github.pooledtransport.core.internal.Dialer";

    private static final String ENGINE_LOGGER = "io.github.pooledtransport.core.internal.TransportEngine";

    record HandshakeDone(HostKey key, String protocol, String cipherSuite, IOException error) {
    }

    private final List<String> tlsEvents = new CopyOnWriteArrayList<>();

    private final List<HandshakeDone> handshakes = new CopyOnWriteArrayList<>();

    private final TransportListener listener = new TransportListener() {
        @Override
        public void tlsHandshakeStart(HostKey key) {
            TlsHandshakeTest.this.tlsEvents.add("start");
        }

        @Override
        public void tlsHandshakeDone(HostKey key, String protocol, String cipherSuite, IOException error) {
            TlsHandshakeTest.this.tlsEvents.add("done");
            TlsHandshakeTest.this.handshakes.add(new HandshakeDone(key, protocol, cipherSuite, error));
        }
    };

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private MockWebServer server;

    private Transport transport;

    @BeforeEach
    void captureLogs() {
        this.logs.start();
        logger(DIALER_LOGGER).addAppender(this.logs);
        logger(ENGINE_LOGGER).addAppender(this.logs);
    }

    @AfterEach
    void stop() {
        PoolTestSupport.closeQuietly(this.transport);
        if (this.server != null) {
            this.server.close();
        }
        logger(DIALER_LOGGER).detachAppender(this.logs);
        logger(ENGINE_LOGGER).detachAppender(this.logs);
    }

    @Test
    void httpsRequestSucceedsWithTheConfiguredTestCa() throws Exception {
        startServer(TestCertificates.SERVER);
        this.transport = verifyingTransport();

        assertThat(fetch("https://localhost:" + this.server.getPort() + "/a")).isEqualTo("ok");

        RecordedRequest recorded = this.server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(recorded.getHandshake()).isNotNull();
    }

    @Test
    void hostNameIsSentAsServerNameIndication() throws Exception {
        startServer(TestCertificates.SERVER);
        this.transport = verifyingTransport();

        fetch("https://localhost:" + this.server.getPort() + "/a");

        assertThat(this.server.takeRequest(5, TimeUnit.SECONDS).getHandshakeServerNames()).containsExactly("localhost");
    }

    @Test
    void ipLiteralTargetIsVerifiedAgainstTheCertificateIpAddress() throws Exception {
        startServer(TestCertificates.SERVER);
        this.transport = verifyingTransport();

        assertThat(fetch("https://127.0.0.1:" + this.server.getPort() + "/a")).isEqualTo("ok");
        assertThat(this.server.takeRequest(5, TimeUnit.SECONDS).getHandshakeServerNames()).isEmpty();
    }

    @Test
    void listenerGetsTheNegotiatedProtocolAndCipherSuite() throws Exception {
        startServer(TestCertificates.SERVER);
        this.transport = verifyingTransport();

        fetch("https://localhost:" + this.server.getPort() + "/a");

        assertThat(this.tlsEvents).containsExactly("start", "done");
        assertThat(this.handshakes).singleElement().satisfies(done -> {
            assertThat(done.protocol()).isEqualTo("TLSv1.3");
            assertThat(done.cipherSuite()).startsWith("TLS_").isNotEqualTo("SSL_NULL_WITH_NULL_NULL");
            assertThat(done.error()).isNull();
            assertThat(done.key().tlsIdentity()).isEqualTo(TestCertificates.IDENTITY);
        });
    }

    @Test
    void certificateForAnotherHostNameFailsTheHandshake() throws Exception {
        startServer(TestCertificates.SERVER);
        this.transport = verifyingTransport();

        assertThatExceptionOfType(TransportException.class)
                .isThrownBy(() -> fetch("https://wrong-name.test:" + this.server.getPort() + "/a"))
                .withMessageContaining("TLS handshake")
                .withMessageContaining("wrong-name.test")
                .withCauseInstanceOf(SSLHandshakeException.class);
        assertThat(this.handshakes).singleElement().satisfies(done -> {
            assertThat(done.error()).isNotNull();
            assertThat(done.protocol()).isNull();
        });
        assertThat(this.server.getRequestCount()).isZero();
    }

    @Test
    void certificateFromAnUntrustedRootFailsTheHandshake() throws Exception {
        startServer(TestCertificates.ROGUE_SERVER);
        this.transport = verifyingTransport();

        assertThatExceptionOfType(TransportException.class)
                .isThrownBy(() -> fetch("https://localhost:" + this.server.getPort() + "/a"))
                .withMessageContaining("TLS handshake")
                .withCauseInstanceOf(SSLHandshakeException.class);
        assertThat(this.server.getRequestCount()).isZero();
    }

    @Test
    void jvmDefaultTrustDoesNotTrustTheTestCa() throws Exception {
        startServer(TestCertificates.SERVER);
        this.transport = new Transport(TransportConfig.builder().dnsResolver(TlsHandshakeTest::loopback).build());

        assertThatExceptionOfType(TransportException.class)
                .isThrownBy(() -> fetch("https://localhost:" + this.server.getPort() + "/a"))
                .withMessageContaining("TLS handshake");
    }

    @Test
    void serverThatNeverAnswersTheHandshakeFailsAfterTlsHandshakeTimeout() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accept, then never read or write
                    }
                }
                catch (IOException ex) {
                    // closed at the end of the test
                }
            }, "silent-tls-server");
            acceptor.setDaemon(true);
            acceptor.start();
            this.transport = new Transport(TransportConfig.builder()
                    .sslContext(TestCertificates.CLIENT.sslContext(), TestCertificates.IDENTITY)
                    .dnsResolver(TlsHandshakeTest::loopback)
                    .tlsHandshakeTimeout(Duration.ofMillis(200))
                    .listener(this.listener)
                    .build());

            assertThatExceptionOfType(TransportException.class)
                    .isThrownBy(() -> fetch("https://localhost:" + silent.getLocalPort() + "/a"))
                    .withMessageContaining("TLS handshake")
                    .withMessageContaining("timed out after tlsHandshakeTimeout=200 ms")
                    .withCauseInstanceOf(SocketTimeoutException.class);
            assertThat(this.handshakes).singleElement()
                    .satisfies(done -> assertThat(done.error()).isInstanceOf(SocketTimeoutException.class));
        }
        finally {
            accepted.forEach(PoolTestSupport::closeQuietly);
        }
    }

    @Test
    void insecureSkipTlsVerifyConnectsToAServerWithAnUntrustedCertificate() throws Exception {
        startServer(TestCertificates.ROGUE_SERVER);
        this.transport = insecureTransport();

        assertThat(fetch("https://localhost:" + this.server.getPort() + "/a")).isEqualTo("ok");
    }

    @Test
    void insecureSkipTlsVerifyConnectsToAServerWithACertificateForAnotherName() throws Exception {
        startServer(TestCertificates.SERVER);
        this.transport = insecureTransport();

        assertThat(fetch("https://wrong-name.test:" + this.server.getPort() + "/a")).isEqualTo("ok");
    }

    @Test
    void creatingAnInsecureTransportLogsAWarning() {
        this.transport = insecureTransport();

        assertThat(warnings(ENGINE_LOGGER)).singleElement()
                .satisfies(message -> assertThat(message).contains("insecureSkipTlsVerify"));
    }

    @Test
    void firstUnverifiedHandshakeLogsAWarningNamingTheHostOnce() throws Exception {
        startServer(TestCertificates.ROGUE_SERVER);
        this.transport = insecureTransport();

        fetch("https://localhost:" + this.server.getPort() + "/a");
        this.transport.closeIdleConnections();
        fetch("https://localhost:" + this.server.getPort() + "/b");

        assertThat(this.transport.stats().totals().opened()).isEqualTo(2);
        assertThat(warnings(DIALER_LOGGER)).singleElement().satisfies(message -> assertThat(message)
                .contains("insecureSkipTlsVerify").contains("https://localhost:" + this.server.getPort()));
    }

    @Test
    void verifyingTransportLogsNoTlsWarning() throws Exception {
        startServer(TestCertificates.SERVER);
        this.transport = verifyingTransport();

        fetch("https://localhost:" + this.server.getPort() + "/a");

        assertThat(warnings(DIALER_LOGGER)).isEmpty();
        assertThat(warnings(ENGINE_LOGGER)).isEmpty();
    }

    @Test
    void tlsIdentityIsPartOfTheHttpsHostKeySoDifferentTrustMaterialNeverSharesAKey() throws Exception {
        startServer(TestCertificates.SERVER);
        String target = "https://localhost:" + this.server.getPort() + "/a";
        this.transport = verifyingTransport();
        fetch(target);
        HostKey verified = this.transport.stats().hosts().get(0).key();
        this.transport.close();
        this.transport = insecureTransport();
        fetch(target);
        HostKey insecure = this.transport.stats().hosts().get(0).key();

        assertThat(verified.tlsIdentity()).isEqualTo(TestCertificates.IDENTITY);
        assertThat(insecure.tlsIdentity()).isEqualTo("insecure");
        assertThat(verified).isNotEqualTo(insecure);
        assertThat(verified.toString()).endsWith(" tls=" + TestCertificates.IDENTITY);
    }

    @Test
    void plainHttpHostKeyCarriesNoTlsIdentity() throws Exception {
        try (MockWebServer plain = PoolTestSupport.okServer()) {
            this.transport = verifyingTransport();

            fetch(PoolTestSupport.url(plain, "/a"));

            assertThat(this.transport.stats().hosts()).singleElement()
                    .satisfies(h -> assertThat(h.key().tlsIdentity()).isNull());
        }
    }

    private void startServer(HandshakeCertificates certificates) throws IOException {
        this.server = new MockWebServer();
        this.server.useHttps(certificates.sslSocketFactory());
        this.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("ok").build();
            }
        });
        this.server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    private Transport verifyingTransport() {
        return new Transport(TransportConfig.builder()
                .sslContext(TestCertificates.CLIENT.sslContext(), TestCertificates.IDENTITY)
                .dnsResolver(TlsHandshakeTest::loopback)
                .listener(this.listener)
                .build());
    }

    private Transport insecureTransport() {
        return new Transport(TransportConfig.builder()
                .insecureSkipTlsVerify(true)
                .dnsResolver(TlsHandshakeTest::loopback)
                .listener(this.listener)
                .build());
    }

    /** Every name resolves to 127.0.0.1, where the test servers listen. */
    private static List<InetAddress> loopback(String host) throws java.net.UnknownHostException {
        return List.of(InetAddress.getByName("127.0.0.1"));
    }

    private String fetch(String uri) throws IOException {
        try (Response response = this.transport.roundTrip(Request.get(uri))) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private List<String> warnings(String loggerName) {
        return this.logs.list.stream()
                .filter(e -> e.getLevel() == Level.WARN && e.getLoggerName().equals(loggerName))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private static Logger logger(String name) {
        return (Logger) LoggerFactory.getLogger(name);
    }
}
