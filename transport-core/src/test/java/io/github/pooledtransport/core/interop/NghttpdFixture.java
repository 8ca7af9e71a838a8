package io.github.pooledtransport.core.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A private nghttpd (nghttp2's own HTTP/2 server, Debian 12's 1.52) serving files from a document root, on a free
 * loopback port: over TLS or, without certificates, cleartext with prior knowledge ({@code --no-tls}). It speaks
 * HTTP/2 only: over TLS it closes a connection whose client did not offer {@code h2} in ALPN right after the
 * handshake, and in cleartext it answers an HTTP/1.1 request (with or without {@code Upgrade: h2c}) with its
 * SETTINGS frame and a close. nghttpd listens on one port per process, so each listener a test needs is a fixture
 * of its own. Its SETTINGS carry {@code SETTINGS_MAX_CONCURRENT_STREAMS} and nothing else; a file is answered with
 * {@code 200}, {@code content-length} and its bytes, a missing one with {@code 404} and a small HTML page. Without
 * {@code -v} it prints nothing at all, so tests count connections on the client's side.
 */
final class NghttpdFixture implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/nghttpd");

    static final ServerProcess.Binary REQUIRED = new ServerProcess.Binary("nghttpd", BINARY);

    /** nghttpd's own default for {@code --max-concurrent-streams}. */
    static final int DEFAULT_STREAMS = 100;

    private final ServerProcess process;

    private final int port;

    private final boolean tls;

    private final List<String> command;

    private NghttpdFixture(ServerProcess process, int port, boolean tls, List<String> command) {
        this.process = process;
        this.port = port;
        this.tls = tls;
        this.command = command;
    }

    /**
     * Starts nghttpd in the foreground, its output in {@code dir/nghttpd-<name>/}.
     *
     * @param dir the test's temporary directory
     * @param name tells this listener's directory and messages apart from the class's other nghttpd listeners
     * @param docs the document root, which the test fills (nghttpd reads each file when it is asked for)
     * @param certificates the server certificate for TLS, or {@code null} for cleartext with prior knowledge
     * @param maxConcurrentStreams the {@code SETTINGS_MAX_CONCURRENT_STREAMS} it announces and enforces
     */
    static NghttpdFixture start(Path dir, String name, Path docs, TestCertificates certificates,
            int maxConcurrentStreams) throws IOException {
        Path home = Files.createDirectories(dir.resolve("nghttpd-" + name));
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--address=127.0.0.1",
                "--htdocs=" + docs, "--max-concurrent-streams=" + maxConcurrentStreams));
        if (certificates == null) {
            command.add("--no-tls");
            command.add(Integer.toString(port));
        }
        else {
            // <PORT> <PRIVATE_KEY> <CERT>: the chain file holds the server certificate, then the authority.
            command.add(Integer.toString(port));
            command.add(certificates.privateKeyPem().toString());
            command.add(certificates.certificateChainPem().toString());
        }
        ServerProcess process = ServerProcess.start("nghttpd", command, home, List.of(), port);
        return new NghttpdFixture(process, port, certificates != null, List.copyOf(command));
    }

    /** @return {@code https://127.0.0.1:<port><path>}, or {@code http://} without TLS */
    String url(String path) {
        return (this.tls ? "https" : "http") + "://127.0.0.1:" + this.port + path;
    }

    /** @return the command line it was started with, for messages */
    String commandLine() {
        return String.join(" ", this.command);
    }

    String logTails() {
        return this.process.logTails();
    }

    @Override
    public void close() {
        this.process.close();
    }
}
