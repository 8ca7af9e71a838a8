package io.github.pooledtransport.core.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.net.ssl.SSLContext;

import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * A throw-away certificate authority and a server certificate it signed for {@code localhost} and
 * {@code 127.0.0.1}, as PEM files for a real server and as an {@link SSLContext} for the client that trusts
 * only that authority.
 */
final class TestCertificates {

    /** The name the server certificate is issued for. */
    static final String SERVER_NAME = "localhost";

    private final HeldCertificate authority;

    private final HeldCertificate server;

    private final Path certificateChainPem;

    private final Path privateKeyPem;

    private TestCertificates(HeldCertificate authority, HeldCertificate server, Path chain, Path key) {
        this.authority = authority;
        this.server = server;
        this.certificateChainPem = chain;
        this.privateKeyPem = key;
    }

    /**
     * Makes the authority and the server certificate and writes {@code server-chain.pem} (server certificate,
     * then the authority) and {@code server-key.pem} (PKCS #8) into {@code dir}.
     */
    static TestCertificates create(Path dir) throws IOException {
        HeldCertificate authority = new HeldCertificate.Builder()
                .commonName("pooled-transport interop CA")
                .certificateAuthority(0)
                .build();
        HeldCertificate server = new HeldCertificate.Builder()
                .commonName(SERVER_NAME)
                .addSubjectAlternativeName(SERVER_NAME)
                .addSubjectAlternativeName("127.0.0.1")
                .signedBy(authority)
                .build();
        Path chain = dir.resolve("server-chain.pem");
        Path key = dir.resolve("server-key.pem");
        Files.writeString(chain, server.certificatePem() + authority.certificatePem());
        Files.writeString(key, server.privateKeyPkcs8Pem());
        return new TestCertificates(authority, server, chain, key);
    }

    /** @return a client context that trusts the test authority and nothing else */
    SSLContext clientContext() {
        return new HandshakeCertificates.Builder()
                .addTrustedCertificate(this.authority.certificate())
                .build()
                .sslContext();
    }

    Path certificateChainPem() {
        return this.certificateChainPem;
    }

    Path privateKeyPem() {
        return this.privateKeyPem;
    }

    HeldCertificate server() {
        return this.server;
    }
}
