package io.github.pooledtransport.core.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;

/**
 * A fully qualified host name ({@code localhost.}) is dialed as Go does: DNS gets the name as written, while
 * SNI and the certificate check use it without the trailing dot, which neither may carry (RFC 6066 3).
 */
@Timeout(20)
class TrailingDotHostTest {

    private final DialingFixtures.DialEvents events = new DialingFixtures.DialEvents();

    private final List<String> resolved = new CopyOnWriteArrayList<>();

    private Transport transport;

    private SniRecordingServer server;

    @AfterEach
    void stop() throws IOException {
        if (this.transport != null) {
            this.transport.close();
        }
        if (this.server != null) {
            this.server.close();
        }
    }

    @Test
    void trailingDotHostDialsWithSniAndCertificateCheckWithoutTheDot() throws Exception {
        this.server = new SniRecordingServer(FaultCertificates.server(FaultCertificates.LOCALHOST));
        this.transport = transport();

        try (Response response = this.transport.roundTrip(Request.get("https://localhost.:" + this.server.port() + "/"))) {
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ok");
        }

        assertThat(this.server.serverNames.get(5, TimeUnit.SECONDS)).containsExactly(new SNIHostName("localhost"));
        assertThat(this.resolved).containsExactly("localhost.");
    }

    @Test
    void trailingDotHostStillFailsWhenTheCertificateIsForAnotherName() throws Exception {
        this.server = new SniRecordingServer(FaultCertificates.server(FaultCertificates.OTHER_NAME));
        this.transport = transport();

        assertThatExceptionOfType(TransportException.class)
                .isThrownBy(() -> this.transport.roundTrip(Request.get("https://localhost.:" + this.server.port() + "/")))
                .withMessageContaining("TLS handshake");
        assertThat(this.events.names).containsSubsequence("tlsHandshakeStart", "tlsHandshakeDone");
        assertThat(this.events.count("tlsHandshakeStart")).isEqualTo(this.events.count("tlsHandshakeDone"));
    }

    private Transport transport() {
        return new Transport(TransportConfig.builder()
                .sslContext(FaultCertificates.CLIENT.sslContext(), "dialing-faults")
                .dnsResolver(host -> {
                    this.resolved.add(host);
                    return List.of(DialingFixtures.LOOPBACK);
                })
                .listener(this.events)
                .build());
    }

    /** Serves one TLS connection on 127.0.0.1: records the SNI names the client sent, answers 200 "ok". */
    static final class SniRecordingServer implements AutoCloseable {

        final CompletableFuture<List<SNIServerName>> serverNames = new CompletableFuture<>();

        private final SSLServerSocket serverSocket;

        SniRecordingServer(HandshakeCertificates certificates) throws IOException {
            this.serverSocket = (SSLServerSocket) certificates.sslContext().getServerSocketFactory().createServerSocket();
            this.serverSocket.bind(new InetSocketAddress(DialingFixtures.LOOPBACK, 0));
            Thread thread = new Thread(this::serveOne, "sni-recording-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return this.serverSocket.getLocalPort();
        }

        private void serveOne() {
            try (SSLSocket socket = (SSLSocket) this.serverSocket.accept()) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                this.serverNames.complete(((ExtendedSSLSession) socket.getSession()).getRequestedServerNames());
                readHead(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            catch (IOException ex) {
                this.serverNames.completeExceptionally(ex);
            }
        }

        private static void readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            this.serverSocket.close();
        }
    }
}
