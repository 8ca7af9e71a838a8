package io.github.pooledtransport.core.internal;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.github.pooledtransport.core.TransportConfig;

/** Picks the TLS context of a transport: configured, the JVM default, or the explicit insecure one. */
final class TlsContexts {

    private TlsContexts() {
    }

    static SSLContext contextFor(TransportConfig config) {
        try {
            if (config.insecureSkipTlsVerify()) {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] { new TrustEverything() }, null);
                return context;
            }
            return (config.sslContext() != null) ? config.sslContext() : SSLContext.getDefault();
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("Cannot create the TLS context: " + ex.getMessage(), ex);
        }
    }

    /** Accepts any certificate: only ever installed by {@code insecureSkipTlsVerify}, which warns. */
    private static final class TrustEverything extends X509ExtendedTrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

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
    }
}
