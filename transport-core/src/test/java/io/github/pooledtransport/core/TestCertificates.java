package io.github.pooledtransport.core;

import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * TLS material made once per JVM: a test root CA, a server certificate it signed for {@code localhost} and
 * {@code 127.0.0.1}, client trust in that root only, and a second, untrusted ("rogue") root with its own
 * server certificate for the same names.
 */
final class TestCertificates {

    /** The identity the tests register the trusting client context under. */
    static final String IDENTITY = "test-ca";

    static final HeldCertificate ROOT = new HeldCertificate.Builder()
            .certificateAuthority(0)
            .commonName("pooled-transport test root")
            .build();

    static final HeldCertificate LOCALHOST = new HeldCertificate.Builder()
            .commonName("localhost")
            .addSubjectAlternativeName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .signedBy(ROOT)
            .build();

    static final HeldCertificate ROGUE_ROOT = new HeldCertificate.Builder()
            .certificateAuthority(0)
            .commonName("rogue root")
            .build();

    static final HeldCertificate ROGUE_LOCALHOST = new HeldCertificate.Builder()
            .commonName("localhost")
            .addSubjectAlternativeName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .signedBy(ROGUE_ROOT)
            .build();

    /** A server presenting the trusted {@code localhost} certificate. */
    static final HandshakeCertificates SERVER = new HandshakeCertificates.Builder()
            .heldCertificate(LOCALHOST, ROOT.certificate())
            .build();

    /** A server presenting a {@code localhost} certificate from a root the client does not trust. */
    static final HandshakeCertificates ROGUE_SERVER = new HandshakeCertificates.Builder()
            .heldCertificate(ROGUE_LOCALHOST, ROGUE_ROOT.certificate())
            .build();

    /** A client trusting the test root and nothing else. */
    static final HandshakeCertificates CLIENT = new HandshakeCertificates.Builder()
            .addTrustedCertificate(ROOT.certificate())
            .build();

    private TestCertificates() {
    }
}
