package io.github.pooledtransport.core.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private nginx: a plain HTTP listener (with {@code /stub_status}) and, given certificates, a TLS
 * listener, both on free loopback ports, answering every other path with
 * {@code 200 nginx <scheme> <uri> connection=<n>}. Its access log records nginx's connection serial number
 * ({@code $connection}) per request, which is how tests count the connections a client opened.
 */
final class NginxFixture implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/nginx");

    static final ServerProcess.Binary REQUIRED = new ServerProcess.Binary("nginx", BINARY);

    private static final Duration LOG_WAIT = Duration.ofSeconds(5);

    private static final Pattern ACCEPTS = Pattern.compile("server accepts handled requests\\s+(\\d+)\\s+(\\d+)");

    private final ServerProcess process;

    private final Path accessLog;

    private final int port;

    private final int tlsPort;

    /** HTTP/2 listeners, -1 when nginx was started without them: over TLS, cleartext (h2c), and a strict one. */
    private final int[] http2Ports;

    private NginxFixture(ServerProcess process, Path accessLog, int port, int tlsPort, int[] http2Ports) {
        this.process = process;
        this.accessLog = accessLog;
        this.port = port;
        this.tlsPort = tlsPort;
        this.http2Ports = http2Ports;
    }

    /** The TLS port where nginx speaks HTTP/2 (ALPN h2) as configured by default. */
    static final int H2 = 0;

    /** The cleartext port where nginx speaks HTTP/2 with prior knowledge only. */
    static final int H2C = 1;

    /**
     * The TLS port where nginx allows {@value #LIMITED_STREAMS} concurrent streams per connection and sends GOAWAY
     * after {@value #LIMITED_REQUESTS} requests on one.
     */
    static final int H2_LIMITED = 2;

    static final int LIMITED_STREAMS = 4;

    static final int LIMITED_REQUESTS = 20;

    /** @return the port of one of the HTTP/2 listeners ({@link #H2}, {@link #H2C}, {@link #H2_LIMITED}) */
    int http2Port(int which) {
        if (this.http2Ports == null) {
            throw new IllegalStateException("nginx was started without HTTP/2 listeners");
        }
        return this.http2Ports[which];
    }

    /**
     * Starts nginx with its configuration, pid file, logs and temporary directories under {@code dir}.
     *
     * @param certificates the server certificate for a TLS listener, or {@code null} for plain HTTP only
     */
    static NginxFixture start(Path dir, TestCertificates certificates) throws IOException {
        return start(dir, certificates, false);
    }

    /**
     * As {@link #start(Path, TestCertificates)}, with HTTP/2 listeners too when {@code http2} is set
     * ({@link #http2Port}): Debian 12's nginx 1.22 syntax, {@code listen ... ssl http2} and a cleartext
     * {@code listen ... http2}, which serves HTTP/2 with prior knowledge only.
     */
    static NginxFixture start(Path dir, TestCertificates certificates, boolean http2) throws IOException {
        Path home = Files.createDirectories(dir.resolve("nginx"));
        Files.createDirectories(home.resolve("tmp"));
        // With a root master the workers run as nobody: let them reach the temporary directories.
        Permissions.openUp(home);
        Permissions.openUp(home.resolve("tmp"));
        int port = ServerProcess.freePort();
        int tlsPort = (certificates != null) ? ServerProcess.freePort() : -1;
        Path accessLog = home.resolve("access.log");
        Path errorLog = home.resolve("error.log");
        String answer = "location = /stub_status { stub_status; access_log off; }\n"
                + "location / { default_type text/plain; return 200 \"nginx $scheme $request_uri connection=$connection\\n\"; }";
        String tlsServer = (certificates == null) ? "" : """
                  server {
                    listen 127.0.0.1:%d ssl;
                    server_name localhost;
                    ssl_certificate %s;
                    ssl_certificate_key %s;
                    %s
                  }
                """.formatted(tlsPort, certificates.certificateChainPem(), certificates.privateKeyPem(), answer);
        int[] http2Ports = null;
        String http2Servers = "";
        if (http2) {
            http2Ports = new int[] { ServerProcess.freePort(), ServerProcess.freePort(), ServerProcess.freePort() };
            String tls = "ssl_certificate " + certificates.certificateChainPem() + ";\n ssl_certificate_key "
                    + certificates.privateKeyPem() + ";\n";
            http2Servers = """
                      server { listen 127.0.0.1:%d ssl http2; server_name localhost; %s %s }
                      server { listen 127.0.0.1:%d http2; server_name localhost; %s }
                      server { listen 127.0.0.1:%d ssl http2; server_name localhost; %s
                               http2_max_concurrent_streams %d; keepalive_requests %d; %s }
                    """.formatted(http2Ports[H2], tls, answer, http2Ports[H2C], answer, http2Ports[H2_LIMITED], tls,
                    LIMITED_STREAMS, LIMITED_REQUESTS, answer);
        }
        String config = """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %2$s info;
                events { worker_connections 256; }
                http {
                  log_format interop '$connection\\t$connection_requests\\t$server_port\\t$request_method\\t$request_uri\\t$status';
                  access_log %3$s interop;
                  client_body_temp_path %1$s/tmp/client_body;
                  proxy_temp_path %1$s/tmp/proxy;
                  fastcgi_temp_path %1$s/tmp/fastcgi;
                  uwsgi_temp_path %1$s/tmp/uwsgi;
                  scgi_temp_path %1$s/tmp/scgi;
                  keepalive_timeout 60s;
                  keepalive_requests 10000;
                  server {
                    listen 127.0.0.1:%4$d;
                    server_name localhost;
                    %5$s
                  }
                %6$s%7$s}
                """.formatted(home, errorLog, accessLog, port, answer, tlsServer, http2Servers);
        Path configFile = home.resolve("nginx.conf");
        Files.writeString(configFile, config);
        List<String> command = List.of(BINARY.toString(), "-p", home + "/", "-c", configFile.toString(), "-e",
                errorLog.toString());
        ServerProcess process = (http2Ports != null)
                ? ServerProcess.start("nginx", command, home, List.of(errorLog), port, tlsPort, http2Ports[H2],
                        http2Ports[H2C], http2Ports[H2_LIMITED])
                : (certificates != null)
                        ? ServerProcess.start("nginx", command, home, List.of(errorLog), port, tlsPort)
                        : ServerProcess.start("nginx", command, home, List.of(errorLog), port);
        return new NginxFixture(process, accessLog, port, tlsPort, http2Ports);
    }

    /** @return the plain HTTP port */
    int port() {
        return this.port;
    }

    /** @return the TLS port */
    int tlsPort() {
        if (this.tlsPort < 0) {
            throw new IllegalStateException("nginx was started without TLS");
        }
        return this.tlsPort;
    }

    /** @return {@code http://127.0.0.1:<port><path>} */
    String httpUrl(String path) {
        return "http://127.0.0.1:" + this.port + path;
    }

    /** @return {@code https://<host>:<tlsPort><path>} */
    String httpsUrl(String host, String path) {
        return "https://" + host + ":" + tlsPort() + path;
    }

    /**
     * Waits (bounded) until nginx has logged {@code expected} requests whose URI contains {@code marker}.
     *
     * @return those requests, in log order
     * @throws AssertionError with the server's logs when fewer were logged in time
     */
    List<AccessLine> awaitRequests(String marker, int expected) {
        boolean logged = ServerProcess.await(LOG_WAIT, () -> requests(marker).size() >= expected);
        List<AccessLine> lines = requests(marker);
        if (!logged) {
            throw new AssertionError("nginx logged " + lines.size() + " requests containing '" + marker
                    + "', expected " + expected + this.process.logTails() + "\n----- " + this.accessLog
                    + " -----\n" + String.join("\n", ServerProcess.readLines(this.accessLog)));
        }
        return lines;
    }

    /**
     * Waits for the requests and counts the distinct connections nginx served them on.
     *
     * @return the number of distinct {@code $connection} serials among them
     */
    long connectionsServing(String marker, int expectedRequests) {
        return awaitRequests(marker, expectedRequests).stream().map(AccessLine::connection).distinct().count();
    }

    /** @return the access log's lines whose URI contains {@code marker} */
    List<AccessLine> requests(String marker) {
        return ServerProcess.readLines(this.accessLog).stream()
                .map(AccessLine::parse)
                .filter(line -> line != null && line.uri().contains(marker))
                .toList();
    }

    /**
     * Reads {@code accepts} from {@code /stub_status}, on a connection of its own (which is counted in the
     * number returned).
     */
    long accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ServerProcess.LOOPBACK, this.port), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /stub_status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            Matcher matcher = ACCEPTS.matcher(text);
            if (!matcher.find()) {
                throw new AssertionError("Unexpected stub_status answer:\n" + text);
            }
            return Long.parseLong(matcher.group(1));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("stub_status of nginx on port " + this.port, ex);
        }
    }

    String logTails() {
        return this.process.logTails();
    }

    @Override
    public void close() {
        this.process.close();
    }

    /** One access log line: nginx's connection serial, the request's number on it, port, method, URI, status. */
    record AccessLine(long connection, long connectionRequests, int port, String method, String uri, int status) {

        static AccessLine parse(String line) {
            String[] fields = line.split("\t");
            if (fields.length < 6) {
                return null; // a line being written
            }
            try {
                return new AccessLine(Long.parseLong(fields[0]), Long.parseLong(fields[1]), Integer.parseInt(fields[2]),
                        fields[3], fields[4], Integer.parseInt(fields[5]));
            }
            catch (NumberFormatException ex) {
                return null;
            }
        }
    }
}
