package io.github.pooledtransport.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Picks the loopback ports of the downstream service before the transport is configured, so that the
 * "idle cap too small" demo can get its own host key with {@code transport.hosts[127.0.0.1:<port>]} set to Go's
 * default of 2 idle connections, while the other demos run with the good configuration.
 */
public class DownstreamPorts implements EnvironmentPostProcessor {

    static final String[] DEMO_PORTS = { "good", "small-idle-cap", "bodies", "per-request", "no-keep-alive" };

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (String demo : DEMO_PORTS) {
            String key = "sample.downstream.ports." + demo;
            int port = environment.getProperty(key, Integer.class, 0);
            properties.put(key, (port != 0) ? port : freePort());
        }
        int smallCap = environment.getProperty("sample.small-idle-cap", Integer.class, 2);
        properties.put("transport.hosts[127.0.0.1:" + properties.get("sample.downstream.ports.small-idle-cap")
                + "].max-idle-conns-per-host", smallCap);
        properties.put("spring.http.serviceclient.downstream.base-url",
                "http://127.0.0.1:" + properties.get("sample.downstream.ports.good"));
        environment.getPropertySources().addFirst(new MapPropertySource("sampleDownstreamPorts", properties));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("No free loopback port for the downstream service", ex);
        }
    }
}
