package io.github.pooledtransport.core.internal;

import java.net.URI;

/** URI helpers for messages that must not carry credentials. */
public final class Uris {

    private Uris() {
    }

    /**
     * @param uri a URI
     * @return the URI as text, with any user info replaced by {@code ***}
     */
    public static String withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri.toString();
        }
        StringBuilder result = new StringBuilder();
        result.append(uri.getScheme()).append("://***@").append(uri.getHost());
        if (uri.getPort() != -1) {
            result.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            result.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            result.append('?').append(uri.getRawQuery());
        }
        return result.toString();
    }
}
