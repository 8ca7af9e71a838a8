package io.github.pooledtransport.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Counts sockets in TIME_WAIT towards the given ports, from Linux's {@code /proc/net/tcp} and {@code tcp6}: what
 * {@code ss -tan state time-wait} would show. Elsewhere it reports nothing.
 */
final class TimeWaitCounter {

    private static final String TIME_WAIT = "06";

    private TimeWaitCounter() {
    }

    /** @return the count, or {@code null} where /proc/net/tcp is not available */
    static Integer count(Collection<Integer> remotePorts) {
        int count = 0;
        boolean found = false;
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                continue;
            }
            found = true;
            try {
                for (String line : Files.readAllLines(path)) {
                    String[] fields = line.trim().split("\\s+");
                    // sl local_address rem_address st ...: the client side of a closed connection holds TIME_WAIT
                    if (fields.length > 3 && fields[3].equals(TIME_WAIT) && fields[2].contains(":")) {
                        int port = Integer.parseInt(fields[2].substring(fields[2].indexOf(':') + 1), 16);
                        if (remotePorts.contains(port)) {
                            count++;
                        }
                    }
                }
            }
            catch (IOException | NumberFormatException ex) {
                return null;
            }
        }
        return found ? count : null;
    }
}
