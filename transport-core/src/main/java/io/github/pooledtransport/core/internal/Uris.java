package io.github.pooledtransport.core.internal;

import java.net.URI;

/** URI helpers for messages that must not carry credentials. */
public final class Uris {

    private Uris() {
    }

    /**
     * Whether the URI's authority carries user-info. A server-based authority has it in
     * {@link URI#getRawUserInfo()}; {@link URI} reads an authority it cannot parse as a server (a non-ASCII host
     * name, for one) as registry-based, where the user-info stays inside {@link URI#getRawAuthority()}.
     *
     * @param uri a URI
     * @return whether it has user-info
     */
    public static boolean hasUserInfo(URI uri) {
        String authority = uri.getRawAuthority();
        return uri.getRawUserInfo() != null || (authority != null && authority.indexOf('@') >= 0);
    }

    /**
     * @param uri a URI
     * @return the URI as text, with any user info replaced by {@code ***}
     */
    public static String withoutUserInfo(URI uri) {
        if (!hasUserInfo(uri)) {
            return uri.toString();
        }
        String authority = uri.getRawAuthority();
        StringBuilder result = new StringBuilder();
        result.append(uri.getScheme()).append("://***@").append(authority.substring(authority.lastIndexOf('@') + 1));
        if (uri.getRawPath() != null) {
            result.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            result.append('?').append(uri.getRawQuery());
        }
        return result.toString();
    }
}
