package io.github.pooledtransport.core.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private Dante SOCKS server ({@code danted}) on a free loopback port, allowing {@code CONNECT} from
 * loopback to anywhere, without authentication or with the {@code username} method (RFC 1929), which Dante
 * checks against the system's password database. Its log has one {@code tcp/accept [:} line per client
 * connection and one {@code tcp/connect [:} line per tunnel opened, each with the client's port.
 */
final class DanteFixture implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/danted");

    static final ServerProcess.Binary REQUIRED = new ServerProcess.Binary("dante (danted)", BINARY);

    /** The system user the username method authenticates; created by {@link #ensureSystemUser}. */
    static final String SOCKS_USER = "pt-interop-socks";

    /** That user's password; a test password for a login-less account. */
    static final String SOCKS_PASSWORD = "Sx7-interop-Pw";

    private static final Duration LOG_WAIT = Duration.ofSeconds(5);

    private final ServerProcess process;

    private final Path log;

    private final int port;

    private DanteFixture(ServerProcess process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts danted with its configuration, pid file and log under {@code dir}.
     *
     * @param usernameMethod whether clients must authenticate with user name and password
     */
    static DanteFixture start(Path dir, boolean usernameMethod) throws IOException {
        Path home = Files.createDirectories(dir.resolve(usernameMethod ? "dante-auth" : "dante"));
        int port = ServerProcess.freePort();
        Path log = home.resolve("danted.log");
        String config = """
                logoutput: %1$s
                internal: 127.0.0.1 port = %2$d
                external: 127.0.0.1
                clientmethod: none
                socksmethod: %3$s
                user.privileged: root
                user.unprivileged: nobody
                client pass {
                  from: 127.0.0.0/8 to: 0.0.0.0/0
                  log: error connect disconnect
                }
                socks pass {
                  from: 127.0.0.0/8 to: 0.0.0.0/0
                  command: connect
                  log: error connect disconnect
                }
                """.formatted(log, port, usernameMethod ? "username" : "none");
        Path configFile = home.resolve("danted.conf");
        Files.writeString(configFile, config);
        List<String> command = List.of(BINARY.toString(), "-f", configFile.toString(), "-p",
                home.resolve("danted.pid").toString(), "-N", "1");
        ServerProcess process = ServerProcess.start("danted", command, home, List.of(log), port);
        return new DanteFixture(process, log, port);
    }

    /**
     * Makes sure the system user {@value #SOCKS_USER} exists (no home, no login shell) with password
     * {@value #SOCKS_PASSWORD}. Idempotent; needs root unless the user already has that password (as
     * {@code .ci/install-test-servers.sh} sets up).
     *
     * @throws IllegalStateException when the user is missing and cannot be created
     */
    static void ensureSystemUser() throws IOException, InterruptedException {
        if (!Permissions.runningAsRoot()) {
            if (run(List.of("id", SOCKS_USER), null) != 0) {
                throw new IllegalStateException("System user " + SOCKS_USER + " is missing and this JVM is not root: "
                        + "run .ci/install-test-servers.sh as root first");
            }
            return; // trust that the install script gave it the password
        }
        if (run(List.of("id", SOCKS_USER), null) != 0) {
            int status = run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    SOCKS_USER), null);
            // another JVM may have created it meanwhile
            if (status != 0 && run(List.of("id", SOCKS_USER), null) != 0) {
                throw new IllegalStateException("useradd " + SOCKS_USER + " failed with status " + status);
            }
        }
        int status = run(List.of("chpasswd"), SOCKS_USER + ":" + SOCKS_PASSWORD + "\n");
        if (status != 0) {
            throw new IllegalStateException("chpasswd for " + SOCKS_USER + " failed with status " + status);
        }
    }

    private static int run(List<String> command, String input) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (input != null) {
            process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    int port() {
        return this.port;
    }

    /** @return {@code <scheme>://127.0.0.1:<port>}, for example with {@code socks5h} */
    String proxyUrl(String scheme) {
        return scheme + "://127.0.0.1:" + this.port;
    }

    /** @return the proxy URL with credentials */
    String proxyUrl(String scheme, String user, String password) {
        return scheme + "://" + user + ":" + password + "@127.0.0.1:" + this.port;
    }

    /** @return how many client connections danted has accepted so far */
    long acceptedConnections() {
        return lines("tcp/accept [:").size();
    }

    /**
     * Waits (bounded) until danted has logged {@code expected} tunnels to the target port.
     *
     * @return the log lines of the tunnels opened to {@code 127.0.0.1:targetPort}
     */
    List<String> awaitTunnelsTo(int targetPort, int expected) {
        ServerProcess.await(LOG_WAIT, () -> tunnelsTo(targetPort).size() >= expected);
        List<String> tunnels = tunnelsTo(targetPort);
        if (tunnels.size() < expected) {
            throw new AssertionError("danted logged " + tunnels.size() + " tunnels to port " + targetPort
                    + ", expected " + expected + this.process.logTails());
        }
        return tunnels;
    }

    /** @return the log lines of tunnels opened to {@code 127.0.0.1:targetPort} */
    List<String> tunnelsTo(int targetPort) {
        // "pass(1): tcp/connect [: 127.0.0.1.40304 127.0.0.1.1080 -> 127.0.0.1.41161 127.0.0.1.8080"
        return lines("tcp/connect [:").stream().filter(line -> line.endsWith(" 127.0.0.1." + targetPort)).toList();
    }

    private List<String> lines(String containing) {
        return ServerProcess.readLines(this.log).stream().filter(line -> line.contains(containing)).toList();
    }

    String logTails() {
        return this.process.logTails();
    }

    @Override
    public void close() {
        this.process.close();
    }
}
