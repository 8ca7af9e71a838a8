package io.github.pooledtransport.core;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Numbers the credentials used with one proxy URL and user name, JVM-wide and in first-use order, so that
 * pool keys keep connections made with different passwords apart without carrying anything derived from a
 * password: the first credential's identity is the URL with the user name ({@code http://alice@proxy:3128}),
 * a second one's gets {@code #2}, and so on.
 *
 * <p>Credentials are told apart by an HMAC under a key drawn at random when the class loads and never shown:
 * unlike a plain digest (which the old identity carried), it cannot be checked against guessed passwords by
 * anyone who sees an identity, a metric tag or a heap dump of this registry, and it changes on every start.
 * Numbers are never reused, so a process that keeps rotating proxy passwords keeps counting up.
 */
final class ProxyIdentities {

    /** The registry behind {@link Proxy#identity()}: shared by every transport in the JVM. */
    static final ProxyIdentities JVM = new ProxyIdentities();

    private final ReentrantLock lock = new ReentrantLock();

    /** URL with user name, then credential tag, then its number (1 for the first). */
    private final Map<String, Map<String, Integer>> numbers = new HashMap<>();

    private final SecretKeySpec key;

    ProxyIdentities() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    /**
     * @param proxy a proxy
     * @return its identity: the URL with the user name but no password, plus {@code #n} for the n-th distinct
     *     password (n ≥ 2) used with that URL and user name in this registry
     */
    String identityOf(Proxy proxy) {
        String base = withoutPassword(proxy);
        if (proxy.username() == null) {
            return base;
        }
        String credential = tag(proxy);
        int number;
        this.lock.lock();
        try {
            Map<String, Integer> byCredential = this.numbers.computeIfAbsent(base, b -> new HashMap<>());
            number = byCredential.computeIfAbsent(credential, c -> byCredential.size() + 1);
        }
        finally {
            this.lock.unlock();
        }
        return (number == 1) ? base : base + "#" + number;
    }

    /** @return for example {@code http://alice@proxy:3128}: the user name is no secret, the password is */
    static String withoutPassword(Proxy proxy) {
        String user = (proxy.username() != null) ? proxy.username() + "@" : "";
        return proxy.type().scheme() + "://" + user + proxy.authority();
    }

    /**
     * Tells credentials apart in memory only. A missing password counts as an empty one: both send the same
     * {@code Proxy-Authorization} and the same SOCKS5 sub-negotiation.
     */
    private String tag(Proxy proxy) {
        String password = (proxy.password() != null) ? proxy.password() : "";
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(this.key);
            return HexFormat.of().formatHex(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 is required by every JVM", ex);
        }
    }
}
