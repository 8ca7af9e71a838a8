package io.github.pooledtransport.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The downstream service the demos call: the JDK's own HTTP server on loopback, one port per demo so each demo
 * has its own host key in the pool. {@code /hello} answers a small body, {@code /big} a 1 MiB one.
 */
@Component
public class DownstreamServer implements InitializingBean, DisposableBean {

    static {
        // The JDK server keeps at most 200 idle connections by default; the demos' bursts may keep more.
        System.setProperty("sun.net.httpserver.maxIdleConnections", "1000");
    }

    private static final byte[] HELLO = "hello from downstream".getBytes(StandardCharsets.UTF_8);

    private static final byte[] BIG = new byte[1024 * 1024];

    static {
        Arrays.fill(BIG, (byte) 'x');
    }

    private final Environment environment;

    private final Map<String, Integer> ports = new LinkedHashMap<>();

    private final List<HttpServer> servers = new ArrayList<>();

    private ExecutorService executor;

    DownstreamServer(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void afterPropertiesSet() throws IOException {
        this.executor = Executors.newFixedThreadPool(256, runnable -> {
            Thread thread = new Thread(runnable, "downstream");
            thread.setDaemon(true);
            return thread;
        });
        for (String demo : DownstreamPorts.DEMO_PORTS) {
            int port = this.environment.getRequiredProperty("sample.downstream.ports." + demo, Integer.class);
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
            server.createContext("/hello", exchange -> respond(exchange, HELLO));
            server.createContext("/big", exchange -> respond(exchange, BIG));
            server.setExecutor(this.executor);
            server.start();
            this.servers.add(server);
            this.ports.put(demo, server.getAddress().getPort());
        }
    }

    private static void respond(HttpExchange exchange, byte[] body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        catch (IOException ex) {
            // The client closed early (the "bodies not read" demo does that on purpose).
        }
    }

    /**
     * @param demo a demo name
     * @return the base URL of the downstream port dedicated to it
     */
    public String baseUrl(String demo) {
        return "http://127.0.0.1:" + this.ports.get(demo);
    }

    /** @return every downstream port, by demo */
    public Map<String, Integer> ports() {
        return this.ports;
    }

    @Override
    public void destroy() {
        this.servers.forEach(server -> server.stop(0));
        if (this.executor != null) {
            this.executor.shutdownNow();
        }
    }
}
