package io.github.pooledtransport.core.interop;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The real servers one test class needs: checked for once (a missing binary skips the class, with a line on the
 * console), started in order, closed in reverse order.
 */
final class RealServers implements AutoCloseable {

    /** Starts one server. */
    @FunctionalInterface
    interface Starter<T extends AutoCloseable> {

        T start() throws Exception;
    }

    private final String missing;

    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    private RealServers(String missing) {
        this.missing = missing;
    }

    /**
     * @param testClass the test class, named when it is skipped
     * @param binaries the binaries it needs
     * @return the servers, none started yet
     */
    static RealServers require(Class<?> testClass, ServerProcess.Binary... binaries) {
        return new RealServers(ServerProcess.missing(testClass, binaries));
    }

    /** @return whether every binary is installed, so the servers can be started */
    boolean installed() {
        return this.missing == null;
    }

    /** @return the started server, closed with the others */
    <T extends AutoCloseable> T start(Starter<T> starter) throws Exception {
        T server = starter.start();
        this.started.push(server);
        return server;
    }

    /** Skips the calling test when a binary is missing. */
    void assumeInstalled() {
        ServerProcess.assumeInstalled(this.missing);
    }

    @Override
    public void close() throws Exception {
        while (!this.started.isEmpty()) {
            this.started.pop().close();
        }
    }
}
