package io.github.pooledtransport.spring.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * Names the TLS material of a Spring {@link SslBundle} in host keys, and so in the endpoint and metric tags.
 * Boot hands the builder the bundle without its name, so the name is made from what the material is: a
 * SHA-256 over its public parts (protocol, options, key alias, and the certificates of the key and trust
 * material; never a password or a private key). Equal material gets the same name on every start and in every
 * client, so tags do not change per deploy and equal bundles share connections.
 *
 * <p>A trust or key manager of the application's own making cannot be described: two of the same class may
 * trust different servers while reporting the same accepted issuers. Such a bundle is numbered instead, per
 * bundle instance, in the order bundles are first used ({@code ssl-bundle#1}); that is stable as long as
 * clients are built in the same order, and it never lets two such bundles share connections.
 */
final class SslBundleIdentity {

    /** Key types asked of a key manager that only answers by type; the JDK's cover these. */
    private static final String[] KEY_TYPES = { "RSA", "RSASSA-PSS", "EC", "EdDSA", "Ed25519", "Ed448", "DSA" };

    private static final Map<SslBundle, String> numbered = Collections.synchronizedMap(new WeakHashMap<>());

    private static final AtomicInteger count = new AtomicInteger();

    private SslBundleIdentity() {
    }

    /**
     * @param bundle an SSL bundle
     * @return {@code ssl-bundle-sha256:} and 16 hex digits, or {@code ssl-bundle#n} when the bundle cannot be
     *     described
     */
    static String of(SslBundle bundle) {
        Fingerprint fingerprint = new Fingerprint();
        try {
            fingerprint.add("protocol", bundle.getProtocol());
            SslOptions options = bundle.getOptions();
            if (options != null) {
                fingerprint.add("ciphers", String.join(",", nonNull(options.getCiphers())));
                fingerprint.add("enabled-protocols", String.join(",", nonNull(options.getEnabledProtocols())));
            }
            fingerprint.add("key-alias", (bundle.getKey() != null) ? bundle.getKey().getAlias() : null);
            SslStoreBundle stores = bundle.getStores();
            SslManagerBundle managers = bundle.getManagers();
            boolean described = (stores != null && stores.getKeyStore() != null)
                    ? addKeyStore(fingerprint, stores.getKeyStore())
                    : addKeyManagers(fingerprint, managers.getKeyManagers());
            described &= addTrustManagers(fingerprint, managers.getTrustManagers());
            return described ? "ssl-bundle-sha256:" + fingerprint.hex(8)
                    : numbered.computeIfAbsent(bundle, b -> "ssl-bundle#" + count.incrementAndGet());
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("Cannot read the certificates of the SSL bundle: " + ex.getMessage(), ex);
        }
    }

    private static boolean addKeyStore(Fingerprint fingerprint, KeyStore store) throws GeneralSecurityException {
        List<String> aliases = Collections.list(store.aliases());
        Collections.sort(aliases);
        for (String alias : aliases) {
            fingerprint.add("key-entry", alias);
            Certificate[] chain = store.getCertificateChain(alias);
            fingerprint.add((chain != null) ? Arrays.asList(chain) : Collections.singletonList(store.getCertificate(alias)));
        }
        return true;
    }

    private static boolean addKeyManagers(Fingerprint fingerprint, KeyManager[] managers)
            throws GeneralSecurityException {
        for (KeyManager manager : nonNull(managers)) {
            if (!(manager instanceof X509KeyManager x509) || !fromTheJdk(manager)) {
                return false;
            }
            List<String> aliases = new ArrayList<>();
            for (String type : KEY_TYPES) {
                for (String alias : nonNull(x509.getClientAliases(type, null))) {
                    if (!aliases.contains(alias)) {
                        aliases.add(alias);
                    }
                }
            }
            Collections.sort(aliases);
            for (String alias : aliases) {
                fingerprint.add("key-entry", alias);
                fingerprint.add(nonNull(x509.getCertificateChain(alias)));
            }
        }
        return true;
    }

    private static boolean addTrustManagers(Fingerprint fingerprint, TrustManager[] managers)
            throws GeneralSecurityException {
        for (TrustManager manager : nonNull(managers)) {
            if (!(manager instanceof X509TrustManager x509) || !fromTheJdk(manager)) {
                return false;
            }
            List<String> issuers = new ArrayList<>();
            for (X509Certificate issuer : nonNull(x509.getAcceptedIssuers())) {
                issuers.add(Fingerprint.of(issuer));
            }
            // A trust store's order is a matter of storage, not of what it trusts.
            Collections.sort(issuers);
            fingerprint.add("trust-manager", String.join(",", issuers));
        }
        return true;
    }

    /** The JDK's managers are what their certificates say; anyone else's may decide anything. */
    private static boolean fromTheJdk(Object manager) {
        ClassLoader loader = manager.getClass().getClassLoader();
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }

    /** Managers, stores and options answer "none" with {@code null} or with an empty array alike. */
    private static <T> List<T> nonNull(T[] values) {
        return (values != null) ? Arrays.asList(values) : List.of();
    }

    /** SHA-256 over tagged, length-prefixed parts, so no two different inputs run together. */
    private static final class Fingerprint {

        private final MessageDigest digest = sha256();

        void add(String tag, String value) {
            part(tag);
            part((value != null) ? value : "\0null");
        }

        void add(List<? extends Certificate> chain) throws GeneralSecurityException {
            for (Certificate certificate : chain) {
                if (certificate != null) {
                    part(of(certificate));
                }
            }
            part("end-of-chain");
        }

        String hex(int bytes) {
            return HexFormat.of().formatHex(this.digest.digest(), 0, bytes);
        }

        private void part(String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            this.digest.update(new byte[] { (byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16),
                    (byte) (bytes.length >>> 8), (byte) bytes.length });
            this.digest.update(bytes);
        }

        static String of(Certificate certificate) throws GeneralSecurityException {
            return HexFormat.of().formatHex(sha256().digest(certificate.getEncoded()));
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            }
            catch (GeneralSecurityException ex) {
                throw new IllegalStateException("SHA-256 is required by every JVM", ex);
            }
        }
    }
}
