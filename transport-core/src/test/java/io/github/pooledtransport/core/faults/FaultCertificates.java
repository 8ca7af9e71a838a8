package io.github.pooledtransport.core.faults;

import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * The fault suite's TLS material, made once per JVM: a root, a server certificate it signed for
 * {@code localhost} and {@code 127.0.0.1}, one for another name, and a client that trusts the root only.
 */
final class FaultCertificates {

    static final HeldCertificate ROOT = new HeldCertificate.Builder().certificateAuthority(0)
            .commonName("fault suite root").build();

    static final HeldCertificate LOCALHOST = new HeldCertificate.Builder().commonName("localhost")
            .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").signedBy(ROOT).build();

    static final HeldCertificate OTHER_NAME = new HeldCertificate.Builder().commonName("other.test")
            .addSubjectAlternativeName("other.test").signedBy(ROOT).build();

    /** A server presenting the {@code localhost} certificate. */
    static final HandshakeCertificates SERVER = server(LOCALHOST);

    /** A client trusting the root above and nothing else. */
    static final HandshakeCertificates CLIENT = new HandshakeCertificates.Builder()
            .addTrustedCertificate(ROOT.certificate()).build();

    /** The identity the client's TLS material is registered under. */
    static final String CLIENT_IDENTITY = "fault-suite-root";

    private FaultCertificates() {
    }

    /** @return a server's TLS material presenting {@code certificate} */
    static HandshakeCertificates server(HeldCertificate certificate) {
        return new HandshakeCertificates.Builder().heldCertificate(certificate, ROOT.certificate()).build();
    }
}
