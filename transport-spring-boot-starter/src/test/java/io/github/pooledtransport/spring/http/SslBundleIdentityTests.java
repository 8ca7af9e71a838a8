package io.github.pooledtransport.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.net.ssl.X509TrustManager;

import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslStoreBundle;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * The TLS identity a factory's SSL bundle gets in host keys, and so in metric tags and the endpoint: the same
 * for equal material, so it survives restarts and redeploys, and different for different material.
 */
class SslBundleIdentityTests {

    private final Transport transport = new Transport(TransportConfig.defaults());

    private final TransportClientHttpRequestFactoryBuilder builder = new TransportClientHttpRequestFactoryBuilder(
            this.transport, null);

    @AfterEach
    void stop() {
        this.transport.close();
    }

    @Test
    void sslBundlesWithEqualTrustMaterialShouldGetTheSameTlsIdentity() throws Exception {
        HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
        String first = this.builder.build(HttpClientSettings.ofSslBundle(trusting(ca))).options().tlsIdentity();
        String second = this.builder.build(HttpClientSettings.ofSslBundle(trusting(ca))).options().tlsIdentity();
        assertThat(first).startsWith("ssl-bundle-sha256:").isEqualTo(second);
    }

    @Test
    void sslBundlesWithEqualTrustManagersShouldGetTheSameTlsIdentity() {
        HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
        String first = this.builder.build(HttpClientSettings.ofSslBundle(trustManagerBundle(ca))).options()
                .tlsIdentity();
        String second = this.builder.build(HttpClientSettings.ofSslBundle(trustManagerBundle(ca))).options()
                .tlsIdentity();
        assertThat(first).startsWith("ssl-bundle-sha256:").isEqualTo(second);
    }

    @Test
    void sslBundlesWithDifferentTrustMaterialShouldGetDifferentTlsIdentities() throws Exception {
        HeldCertificate one = new HeldCertificate.Builder().certificateAuthority(0).build();
        HeldCertificate two = new HeldCertificate.Builder().certificateAuthority(0).build();
        assertThat(this.builder.build(HttpClientSettings.ofSslBundle(trusting(one))).options().tlsIdentity())
                .isNotEqualTo(this.builder.build(HttpClientSettings.ofSslBundle(trusting(two))).options()
                        .tlsIdentity());
    }

    @Test
    void sslBundlesWithDifferentClientCertificatesShouldGetDifferentTlsIdentities() throws Exception {
        HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
        HeldCertificate alice = new HeldCertificate.Builder().commonName("alice").signedBy(ca).build();
        HeldCertificate bob = new HeldCertificate.Builder().commonName("bob").signedBy(ca).build();
        assertThat(this.builder.build(HttpClientSettings.ofSslBundle(withClientCertificate(ca, alice))).options()
                .tlsIdentity()).startsWith("ssl-bundle-sha256:")
                .isNotEqualTo(this.builder.build(HttpClientSettings.ofSslBundle(withClientCertificate(ca, bob)))
                        .options().tlsIdentity());
    }

    @Test
    void sslBundlesWithTheApplicationsOwnTrustManagerShouldNeverShareATlsIdentity() {
        X509TrustManager own = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        String first = this.builder.build(HttpClientSettings.ofSslBundle(SslBundle.of(null, null, null, null,
                SslManagerBundle.from(own)))).options().tlsIdentity();
        String second = this.builder.build(HttpClientSettings.ofSslBundle(SslBundle.of(null, null, null, null,
                SslManagerBundle.from(own)))).options().tlsIdentity();
        assertThat(first).startsWith("ssl-bundle#");
        assertThat(second).startsWith("ssl-bundle#").isNotEqualTo(first);
    }

    private static SslBundle trusting(HeldCertificate ca) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        return SslBundle.of(SslStoreBundle.of(null, null, trust));
    }

    private static SslBundle trustManagerBundle(HeldCertificate ca) {
        return SslBundle.of(null, null, null, null, SslManagerBundle.from(
                new HandshakeCertificates.Builder().addTrustedCertificate(ca.certificate()).build().trustManager()));
    }

    private static SslBundle withClientCertificate(HeldCertificate ca, HeldCertificate client) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", client.keyPair().getPrivate(), "secret".toCharArray(),
                new Certificate[] { client.certificate(), ca.certificate() });
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        return SslBundle.of(SslStoreBundle.of(keys, "secret", trust));
    }
}
