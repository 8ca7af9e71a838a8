package io.github.pooledtransport.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.spring.http.TransportClientHttpRequestFactoryBuilder;

/**
 * {@code transport.ssl.bundle} and {@code transport.ssl.insecure-skip-verify} decide which https servers the
 * transport trusts.
 */
class TransportSslPropertiesTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, TransportAutoConfiguration.class));

    @TempDir
    Path dir;

    private final HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0)
            .commonName("test-ca").build();

    private final MockWebServer server = new MockWebServer();

    private Path caFile;

    @BeforeEach
    void startHttpsServer() throws IOException {
        HeldCertificate serverCertificate = new HeldCertificate.Builder().signedBy(this.ca)
                .addSubjectAlternativeName("127.0.0.1").addSubjectAlternativeName("localhost").build();
        HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder()
                .heldCertificate(serverCertificate, this.ca.certificate()).build();
        this.server.useHttps(serverCertificates.sslSocketFactory());
        this.server.enqueue(new MockResponse.Builder().body("secure").build());
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        this.caFile = Files.writeString(this.dir.resolve("ca.crt"), this.ca.certificatePem());
    }

    @AfterEach
    void stopServer() {
        this.server.close();
    }

    private String pemBundle() {
        return "spring.ssl.bundle.pem.test-ca.truststore.certificate=file:" + this.caFile.toAbsolutePath();
    }

    private String get(AssertableApplicationContext context) {
        RestClient client = RestClient.builder()
                .requestFactory(context.getBean(TransportClientHttpRequestFactoryBuilder.class).build())
                .build();
        return client.get().uri("https://127.0.0.1:" + this.server.getPort() + "/").retrieve().body(String.class);
    }

    @Test
    void sslBundleShouldBecomeTheTransportsTlsContext() {
        this.runner.withPropertyValues(pemBundle(), "transport.ssl.bundle=test-ca").run(context -> {
            TransportConfig c = context.getBean(Transport.class).config();
            assertThat(c.sslContext()).isNotNull();
            assertThat(c.tlsIdentity()).isEqualTo("ssl-bundle:test-ca");
        });
    }

    @Test
    void sslBundleShouldTrustServersSignedByItsCertificateAuthority() {
        this.runner.withPropertyValues(pemBundle(), "transport.ssl.bundle=test-ca")
                .run(context -> assertThat(get(context)).isEqualTo("secure"));
    }

    @Test
    void withoutSslBundleShouldNotTrustTheTestCertificateAuthority() {
        this.runner.withPropertyValues(pemBundle()).run(context -> assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> get(context)));
    }

    @Test
    void insecureSkipVerifyShouldAcceptAnUntrustedServer() {
        this.runner.withPropertyValues("transport.ssl.insecure-skip-verify=true")
                .run(context -> assertThat(get(context)).isEqualTo("secure"));
    }
}
