package io.github.pooledtransport.core.h2;

import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/** A test root, a {@code 127.0.0.1} server certificate it signed, and a client that trusts only that root. */
final class H2Certificates {

    static final HeldCertificate ROOT = new HeldCertificate.Builder().certificateAuthority(0)
            .commonName("pooled-transport h2 test root").build();

    static final HeldCertificate SERVER_CERTIFICATE = new HeldCertificate.Builder().commonName("localhost")
            .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").signedBy(ROOT).build();

    static final HandshakeCertificates SERVER = new HandshakeCertificates.Builder()
            .heldCertificate(SERVER_CERTIFICATE, ROOT.certificate()).build();

    static final HandshakeCertificates CLIENT = new HandshakeCertificates.Builder()
            .addTrustedCertificate(ROOT.certificate()).build();

    private H2Certificates() {
    }
}
