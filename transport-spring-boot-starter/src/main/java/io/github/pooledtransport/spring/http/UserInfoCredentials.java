package io.github.pooledtransport.spring.http;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The credentials of a URL's user-info ({@code http://user:password@host/}), sent as {@code Authorization: Basic}
 * the way Go's {@code Client} sends them: the user-info is percent-decoded (UTF-8), split at its first {@code :}
 * (a user name alone gets an empty password), and never goes on the wire as part of the URL. The core refuses
 * user-info, so the adapter strips it with {@link #strip(URI)} before handing the request over.
 * <p>
 * Holds only the header value; {@link #toString()} masks it, so the credentials cannot end up in a log line or an
 * exception message by accident.
 */
final class UserInfoCredentials {

    private final String authorization;

    private UserInfoCredentials(String authorization) {
        this.authorization = authorization;
    }

    /**
     * @param uri a URI, with or without user-info
     * @return its user-info's credentials, or {@code null} when it has none
     */
    static UserInfoCredentials of(URI uri) {
        String userInfo = rawUserInfo(uri);
        if (userInfo == null) {
            return null;
        }
        ByteArrayOutputStream userAndPassword = new ByteArrayOutputStream(userInfo.length() + 1);
        decode(userInfo, userAndPassword);
        if (userInfo.indexOf(':') < 0) {
            userAndPassword.write(':'); // as Go's basicAuth(username, ""): "user:"
        }
        return new UserInfoCredentials("Basic " + Base64.getEncoder().encodeToString(userAndPassword.toByteArray()));
    }

    /**
     * @param uri a URI, with or without user-info
     * @return the same URI without user-info; {@code uri} itself when it has none
     */
    static URI strip(URI uri) {
        String authority = uri.getRawAuthority();
        if (rawUserInfo(uri) == null) {
            return uri;
        }
        StringBuilder result = new StringBuilder(uri.toString().length());
        result.append(uri.getScheme()).append("://").append(authority.substring(authority.lastIndexOf('@') + 1));
        if (uri.getRawPath() != null) {
            result.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            result.append('?').append(uri.getRawQuery());
        }
        if (uri.getRawFragment() != null) {
            result.append('#').append(uri.getRawFragment());
        }
        return URI.create(result.toString());
    }

    /**
     * A server-based authority has its user-info in {@link URI#getRawUserInfo()}; one {@link URI} cannot parse as
     * a server (a non-ASCII host name, for one) is registry-based and keeps it inside the raw authority.
     */
    private static String rawUserInfo(URI uri) {
        if (uri.getRawUserInfo() != null) {
            return uri.getRawUserInfo();
        }
        String authority = uri.getRawAuthority();
        int at = (authority != null) ? authority.lastIndexOf('@') : -1;
        return (at >= 0) ? authority.substring(0, at) : null;
    }

    /** Percent-decodes into bytes; characters {@link URI} left unescaped (non-ASCII ones) go in as UTF-8. */
    private static void decode(String raw, ByteArrayOutputStream out) {
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length() && isHex(raw.charAt(i + 1)) && isHex(raw.charAt(i + 2))) {
                out.write(Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 3;
            }
            else {
                int end = i + Character.charCount(raw.codePointAt(i));
                out.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** @return the {@code Authorization} header value, {@code Basic} and the encoded credentials */
    String authorization() {
        return this.authorization;
    }

    @Override
    public String toString() {
        return "UserInfoCredentials[Basic ***]";
    }
}
