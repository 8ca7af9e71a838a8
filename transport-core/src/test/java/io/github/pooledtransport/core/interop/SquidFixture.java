package io.github.pooledtransport.core.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private squid ({@code squid -N}, no cache) on a free loopback port, optionally requiring basic
 * authentication checked by {@code basic_ncsa_auth} against an {@code htpasswd} file. Its access log
 * records, per transaction, the client's address and port (one port per client connection), the status,
 * method, URL, user, and the {@value #MARKER_HEADER} request header, which tests set (also on
 * {@code CONNECT}, through {@code proxyConnectHeaders}) to find their own transactions.
 */
final class SquidFixture implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/squid");

    static final Path NCSA_AUTH = Path.of("/usr/lib/squid/basic_ncsa_auth");

    static final Path HTPASSWD = Path.of("/usr/bin/htpasswd");

    static final ServerProcess.Binary REQUIRED = new ServerProcess.Binary("squid", BINARY);

    static final ServerProcess.Binary REQUIRED_AUTH_HELPER = new ServerProcess.Binary("squid's basic_ncsa_auth",
            NCSA_AUTH);

    static final ServerProcess.Binary REQUIRED_HTPASSWD = new ServerProcess.Binary("htpasswd (apache2-utils)",
            HTPASSWD);

    /** The header squid logs so each test can tell its transactions apart. */
    static final String MARKER_HEADER = "X-Interop-Test";

    private static final Duration LOG_WAIT = Duration.ofSeconds(5);

    private final ServerProcess process;

    private final Path accessLog;

    private final int port;

    private SquidFixture(ServerProcess process, Path accessLog, int port) {
        this.process = process;
        this.accessLog = accessLog;
        this.port = port;
    }

    /**
     * Starts squid with its configuration, pid file, logs and working directory under {@code dir}.
     *
     * @param user the only user allowed, or {@code null} for no authentication
     * @param password that user's password
     */
    static SquidFixture start(Path dir, String user, String password) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("squid"));
        Permissions.openUp(home);
        Permissions.giveTo(home, "proxy");
        int port = ServerProcess.freePort();
        Path accessLog = home.resolve("access.log");
        Path cacheLog = home.resolve("cache.log");
        String auth = "";
        if (user != null) {
            Path passwords = home.resolve("passwd");
            htpasswd(passwords, user, password);
            Permissions.giveTo(passwords, "proxy");
            auth = """
                    auth_param basic program %s %s
                    auth_param basic children 2 startup=1 idle=1
                    auth_param basic realm pooled-transport interop
                    auth_param basic credentialsttl 1 minute
                    acl authenticated proxy_auth REQUIRED
                    http_access deny !authenticated
                    """.formatted(NCSA_AUTH, passwords);
        }
        String config = """
                http_port 127.0.0.1:%2$d
                visible_hostname interop-squid
                pid_filename %1$s/squid.pid
                cache_log %3$s
                logformat interop %%>a:%%>p %%Ss/%%03>Hs %%rm %%ru %%un %%{%5$s}>h
                access_log stdio:%4$s logformat=interop
                buffered_logs off
                strip_query_terms off
                cache_store_log none
                cache deny all
                cache_mem 8 MB
                coredump_dir %1$s
                %6$s
                pinger_enable off
                netdb_filename none
                shutdown_lifetime 0 seconds
                client_persistent_connections on
                server_persistent_connections on
                %7$s
                http_access allow localhost
                http_access deny all
                """.formatted(home, port, cacheLog, accessLog, MARKER_HEADER,
                Permissions.runningAsRoot() ? "cache_effective_user proxy" : "", auth);
        Path configFile = home.resolve("squid.conf");
        Files.writeString(configFile, config);
        List<String> command = List.of(BINARY.toString(), "-N", "-f", configFile.toString());
        ServerProcess process = ServerProcess.start("squid", command, home, List.of(cacheLog), port);
        return new SquidFixture(process, accessLog, port);
    }

    private static void htpasswd(Path file, String user, String password) throws IOException, InterruptedException {
        // -i: the password comes on stdin, not on a command line anyone could read
        Process process = new ProcessBuilder(HTPASSWD.toString(), "-c", "-i", "-B", file.toString(), user)
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("htpasswd failed: " + output);
        }
    }

    int port() {
        return this.port;
    }

    /** @return the proxy URL without credentials */
    String proxyUrl() {
        return "http://127.0.0.1:" + this.port;
    }

    /** @return the proxy URL with these credentials, percent-encoded as the URL needs */
    String proxyUrl(String user, String password) {
        return "http://" + encode(user) + ":" + encode(password) + "@127.0.0.1:" + this.port;
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Waits (bounded) until squid has logged {@code expected} transactions carrying {@code marker} in the
     * marker header. {@code CONNECT} tunnels are logged when they close.
     *
     * @return those transactions, in log order
     * @throws AssertionError with squid's logs when fewer were logged in time
     */
    List<AccessLine> awaitTransactions(String marker, int expected) {
        boolean logged = ServerProcess.await(LOG_WAIT, () -> transactions(marker).size() >= expected);
        List<AccessLine> lines = transactions(marker);
        if (!logged) {
            throw new AssertionError("squid logged " + lines.size() + " transactions marked '" + marker
                    + "', expected " + expected + this.process.logTails() + "\n----- " + this.accessLog
                    + " -----\n" + String.join("\n", ServerProcess.readLines(this.accessLog)));
        }
        return lines;
    }

    /** @return the logged transactions carrying {@code marker} */
    List<AccessLine> transactions(String marker) {
        List<AccessLine> result = new ArrayList<>();
        for (String line : ServerProcess.readLines(this.accessLog)) {
            AccessLine parsed = AccessLine.parse(line);
            if (parsed != null && parsed.marker().equals(marker)) {
                result.add(parsed);
            }
        }
        return result;
    }

    /**
     * Waits for the transactions and counts the client connections they came on.
     *
     * @return the number of distinct client address:port pairs among them
     */
    long clientConnectionsServing(String marker, int expectedTransactions) {
        return awaitTransactions(marker, expectedTransactions).stream().map(AccessLine::client).distinct().count();
    }

    String logTails() {
        return this.process.logTails() + "\n----- " + this.accessLog + " -----\n"
                + String.join("\n", ServerProcess.readLines(this.accessLog));
    }

    @Override
    public void close() {
        this.process.close();
    }

    /**
     * One access log line.
     *
     * @param client the client's address and port
     * @param result squid's result code and the HTTP status, for example {@code TCP_MISS/200}
     * @param method the request method
     * @param url the request URL ({@code host:port} for CONNECT)
     * @param user the authenticated user, or {@code -}
     * @param marker the marker header's value, or {@code -}
     */
    record AccessLine(String client, String result, String method, String url, String user, String marker) {

        static AccessLine parse(String line) {
            String[] fields = line.trim().split(" ");
            if (fields.length < 6) {
                return null;
            }
            return new AccessLine(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
        }

        int status() {
            return Integer.parseInt(this.result.substring(this.result.indexOf('/') + 1));
        }
    }
}
