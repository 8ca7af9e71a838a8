package io.github.pooledtransport.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Counts loopback sockets in TIME_WAIT towards a port, from /proc/net/tcp and tcp6 (Linux). */
final class TimeWait {

    private TimeWait() {
    }

    static int count(int port) {
        int count = 0;
        for (String file : new String[] { "/proc/net/tcp", "/proc/net/tcp6" }) {
            try {
                for (String line : Files.readAllLines(Path.of(file))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && f[3].equals("06")) {
                        int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                        int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                        if (local == port || remote == port) {
                            count++;
                        }
                    }
                }
            }
            catch (IOException | RuntimeException ex) {
                // not Linux, or unreadable: count what we can
            }
        }
        return count;
    }
}
