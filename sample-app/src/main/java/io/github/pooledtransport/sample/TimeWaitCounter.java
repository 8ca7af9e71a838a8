package io.github.pooledtransport.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Counts sockets in TIME_WAIT for one downstream port, from Linux's {@code /proc/net/tcp} and {@code tcp6}: what
 * {@code ss -tan state time-wait} would show. TIME_WAIT stays with the side that closed a connection first, so
 * both sides are counted: this app's sockets towards the port, and the downstream's sockets on it (both live in
 * this process here). Elsewhere it reports nothing.
 */
final class TimeWaitCounter {

    private static final String TIME_WAIT = "06";

    private TimeWaitCounter() {
    }

    /**
     * @param port a downstream port
     * @return the counts, or {@code null} where /proc/net/tcp is not available
     */
    static Counts count(int port) {
        int client = 0;
        int server = 0;
        boolean found = false;
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                continue;
            }
            found = true;
            try {
                for (String line : Files.readAllLines(path)) {
                    // sl local_address rem_address st ...; addresses are hex ADDRESS:PORT
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 3 && fields[3].equals(TIME_WAIT) && fields[2].contains(":")) {
                        if (port(fields[2]) == port) {
                            client++;
                        }
                        else if (port(fields[1]) == port) {
                            server++;
                        }
                    }
                }
            }
            catch (IOException | NumberFormatException ex) {
                return null;
            }
        }
        return found ? new Counts(client, server) : null;
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    /**
     * Sockets in TIME_WAIT for one downstream port.
     *
     * @param client this app's sockets towards the port (the app closed first)
     * @param server the downstream's sockets on the port (the downstream closed first)
     */
    record Counts(int client, int server) {
    }
}
