package io.github.pooledtransport.spring.http;

import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.HostOverrides;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.core.TransportException;

/**
 * Turns the transport's failures at a configured limit, which name the core's settings ({@code connectTimeout},
 * {@code maxConnsPerHost}), into ones that name the property this factory's requests got the limit from. Built
 * once per factory: the factory knows which of Spring's client settings it applied.
 */
final class SettingNames {

    private final TransportConfig config;

    /** The property that set the factory's connect timeout, or {@code null} when none applied or unknown. */
    private final String connectTimeout;

    private final boolean readTimeoutApplied;

    private final String readTimeout;

    SettingNames(TransportConfig config, String connectTimeout, boolean readTimeoutApplied, String readTimeout) {
        this.config = config;
        this.connectTimeout = connectTimeout;
        this.readTimeoutApplied = readTimeoutApplied;
        this.readTimeout = readTimeout;
    }

    /**
     * @param ex a failure of the transport
     * @return a {@link TransportSettingException} naming the property, or {@code ex} itself when no known
     *     property set the limit it reached
     */
    TransportException explain(TransportException ex) {
        Map<String, String> names = names(ex);
        if (names.isEmpty() || ex.getMessage() == null) {
            return ex;
        }
        String message = ex.getMessage();
        String primary = null;
        for (Map.Entry<String, String> name : names.entrySet()) {
            primary = (primary != null) ? primary : name.getValue();
            Matcher matcher = Pattern.compile("\\b" + Pattern.quote(name.getKey()) + "\\b").matcher(message);
            if (matcher.find()) {
                message = matcher.replaceAll(Matcher.quoteReplacement(name.getValue()));
            }
            else {
                message = message + " (" + name.getKey() + " set by " + name.getValue() + ")";
            }
        }
        return new TransportSettingException(message, primary, ex);
    }

    /**
     * A call that ran past its call timeout: the same exception type (callers catch
     * {@code InterruptedIOException}), its message naming the property that set the limit.
     *
     * @param ex the core's cancellation
     * @return the exception to throw
     */
    TransportCancelledException explain(TransportCancelledException ex) {
        if (!"callTimeout".equals(ex.setting()) || ex.getMessage() == null) {
            return ex;
        }
        String property = hostProperty(ex.hostKey(), "call-timeout", HostOverrides::callTimeout);
        String message = ex.getMessage().replaceFirst("\\bcallTimeout=", Matcher.quoteReplacement(property) + "=")
                .replace(" (this host's override)", "");
        return new TransportCancelledException(ex.hostKey(), message, ex.why(), ex.limit(), ex.setting(), ex);
    }

    /** Core setting name to property name, the limit that was reached first. */
    private Map<String, String> names(TransportException ex) {
        Map<String, String> names = new LinkedHashMap<>();
        String setting = ex.setting();
        HostKey key = ex.hostKey();
        if (setting == null) {
            // The transport names no setting for a read that timed out: the read timeout is the only one left.
            if (this.readTimeoutApplied && this.readTimeout != null && ex.getCause() instanceof SocketTimeoutException) {
                names.put("readTimeout", this.readTimeout);
            }
            return names;
        }
        switch (setting) {
            case "connectTimeout" -> {
                if (this.connectTimeout != null) {
                    names.put(setting, this.connectTimeout);
                }
            }
            case "readTimeout" -> {
                // Unset, the core's default applied: no property set it, so the core's name stays.
                if (this.readTimeoutApplied && this.readTimeout != null) {
                    names.put(setting, this.readTimeout);
                }
            }
            case "dialTimeout" -> names.put(setting, "transport.dial-timeout");
            case "tlsHandshakeTimeout" -> names.put(setting, "transport.tls-handshake-timeout");
            case "maxConnsPerHost" -> {
                names.put(setting, hostProperty(key, "max-conns-per-host", HostOverrides::maxConnsPerHost));
                names.put("acquireTimeout", "transport.acquire-timeout");
            }
            case "responseHeaderTimeout" -> names.put(setting,
                    hostProperty(key, "response-header-timeout", HostOverrides::responseHeaderTimeout));
            case "writeTimeout" -> names.put(setting, "transport.write-timeout");
            case "strictMaxConcurrentStreams" -> {
                names.put(setting, "transport.http2.strict-max-concurrent-streams");
                names.put("acquireTimeout", "transport.acquire-timeout");
            }
            case "http2PingTimeout" -> {
                names.put(setting, "transport.http2.ping-timeout");
                names.put("http2ReadIdleTimeout", "transport.http2.read-idle-timeout");
            }
            default -> {
                // a setting this adapter does not know yet: the core's name stays
            }
        }
        return names;
    }

    /** {@code transport.hosts[<key>].<name>} when the host's override set it, else {@code transport.<name>}. */
    private String hostProperty(HostKey key, String name, java.util.function.Function<HostOverrides, Object> value) {
        if (key != null) {
            // As TransportConfig.overridesFor: a host:port entry, when present, is the only one consulted.
            HostOverrides exact = this.config.hostOverrides().get(key.host() + ":" + key.port());
            if (exact != null) {
                return (value.apply(exact) != null) ? "transport.hosts[" + key.authority() + "]." + name
                        : "transport." + name;
            }
            HostOverrides host = this.config.hostOverrides().get(key.host());
            if (host != null && value.apply(host) != null) {
                String shown = (key.host().indexOf(':') >= 0) ? "[" + key.host() + "]" : key.host();
                return "transport.hosts[" + shown + "]." + name;
            }
        }
        return "transport." + name;
    }
}
