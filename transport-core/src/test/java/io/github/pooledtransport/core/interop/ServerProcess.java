package io.github.pooledtransport.core.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Assumptions;

/**
 * A real server binary run by a test: started in the foreground with its own configuration, waited for by
 * polling its loopback ports (bounded), and stopped with SIGTERM then SIGKILL, descendants included. A JVM
 * shutdown hook stops it too if the test never did. When start-up fails, the exception carries the tail of
 * the server's own logs.
 */
final class ServerProcess implements AutoCloseable {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private static final int LOG_TAIL = 4000;

    private final String name;

    private final Process process;

    private final List<Path> logs;

    private final Thread shutdownHook;

    private ServerProcess(String name, Process process, List<Path> logs) {
        this.name = name;
        this.process = process;
        this.logs = logs;
        this.shutdownHook = new Thread(this::destroy, "stop-" + name);
        Runtime.getRuntime().addShutdownHook(this.shutdownHook);
    }

    /** A server binary a test class needs. */
    record Binary(String name, Path path) {
    }

    /**
     * Checks the binaries a test class needs and, when some are missing, says on the console that the class
     * is skipped.
     *
     * @return {@code null} when all are installed, else the reason to skip
     */
    static String missing(Class<?> testClass, Binary... binaries) {
        List<String> absent = new ArrayList<>();
        for (Binary binary : binaries) {
            if (!Files.isExecutable(binary.path())) {
                absent.add(binary.name() + " not installed (" + binary.path() + " missing)");
            }
        }
        if (absent.isEmpty()) {
            return null;
        }
        String reason = "SKIPPED: " + String.join(", ", absent) + ": " + testClass.getSimpleName()
                + " skipped; install with .ci/install-test-servers.sh";
        System.out.println(reason);
        System.err.println(reason);
        return reason;
    }

    /** Skips the calling test when {@link #missing} gave a reason. */
    static void assumeInstalled(String missing) {
        Assumptions.assumeTrue(missing == null, missing);
    }

    /**
     * Starts the command and waits until every port accepts connections.
     *
     * @param name the server's name for messages
     * @param command the command line, running in the foreground
     * @param dir where its output goes ({@code name.out})
     * @param logs the server's own log files, shown when start-up fails
     * @param ports the loopback ports it listens on
     * @return the running server
     */
    static ServerProcess start(String name, List<String> command, Path dir, List<Path> logs, int... ports)
            throws IOException {
        Path output = dir.resolve(name + ".out");
        List<Path> allLogs = new ArrayList<>(logs);
        allLogs.add(0, output);
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        ServerProcess server = new ServerProcess(name, process, allLogs);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        for (int port : ports) {
            while (!accepts(port)) {
                if (!process.isAlive()) {
                    server.close();
                    throw new IllegalStateException(name + " exited with status " + process.exitValue()
                            + " during start-up: " + String.join(" ", command) + server.logTails());
                }
                if (System.nanoTime() > deadline) {
                    server.close();
                    throw new IllegalStateException(name + " did not accept connections on 127.0.0.1:" + port
                            + " within " + READY_TIMEOUT.toSeconds() + " s: " + String.join(" ", command)
                            + server.logTails());
                }
                sleep(50);
            }
        }
        if (!process.isAlive()) { // someone else answered on the port
            server.close();
            throw new IllegalStateException(name + " exited with status " + process.exitValue()
                    + " right after start-up: " + String.join(" ", command) + server.logTails());
        }
        return server;
    }

    /** @return the process id, for messages */
    long pid() {
        return this.process.pid();
    }

    boolean isAlive() {
        return this.process.isAlive();
    }

    /** @return the tails of the server's logs, for assertion messages */
    String logTails() {
        StringBuilder text = new StringBuilder();
        for (Path log : this.logs) {
            text.append("\n----- ").append(log).append(" -----\n");
            try {
                if (!Files.exists(log)) {
                    text.append("(absent)\n");
                    continue;
                }
                byte[] bytes = Files.readAllBytes(log);
                int from = Math.max(0, bytes.length - LOG_TAIL);
                text.append(new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8));
            }
            catch (IOException ex) {
                text.append("(unreadable: ").append(ex.getMessage()).append(")\n");
            }
        }
        return text.toString();
    }

    /** Stops the server and whatever it forked; returns when all of them are gone or after a bounded wait. */
    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
        }
        catch (IllegalStateException ex) {
            // the JVM is already shutting down: the hook is running or ran
        }
    }

    private void destroy() {
        List<ProcessHandle> family = new ArrayList<>();
        this.process.descendants().forEach(family::add);
        family.add(this.process.toHandle());
        this.process.destroy();
        waitFor(this.process.toHandle());
        for (ProcessHandle handle : family) {
            if (handle.isAlive()) {
                handle.destroy();
            }
        }
        for (ProcessHandle handle : family) {
            waitFor(handle);
        }
        for (ProcessHandle handle : family) {
            if (handle.isAlive()) {
                handle.destroyForcibly();
            }
        }
    }

    private static void waitFor(ProcessHandle handle) {
        try {
            handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (Exception ex) {
            handle.destroyForcibly();
        }
    }

    /** @return a loopback port nobody listens on right now */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 500);
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    /**
     * Polls a condition for up to {@code timeout}.
     *
     * @return whether it became true
     */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(25);
        }
        return true;
    }

    static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
