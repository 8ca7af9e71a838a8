package io.github.pooledtransport.benchmarks.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the CPU of a measured window went: this client process, the nginx worker (its pid in the environment
 * variable {@code NGINX_WORKER_PID}, set by {@code run.sh}) and the whole machine's context switches. Divided by
 * the requests of the window it says what one request costs on each side, which is what bounds requests/s when
 * client and server share two cores.
 *
 * @param clientCpuNanos CPU time of this process, all threads
 * @param serverCpuNanos CPU time of the nginx worker, or -1 when unknown
 * @param contextSwitches context switches of the whole machine since boot, or -1 when unknown
 * @param machineCpuNanos CPU time of the whole machine, all cores, busy (not idle, not waiting for I/O), or -1
 *        when unknown: what it has beyond client and server is other load, which makes a run noise
 */
record CpuSample(long clientCpuNanos, long serverCpuNanos, long contextSwitches, long machineCpuNanos) {

    /** Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every common platform. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    static CpuSample now() {
        long client = (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) ? os.getProcessCpuTime() : -1;
        return new CpuSample(client, readServerCpuNanos(), readContextSwitches(), readMachineCpuNanos());
    }

    /**
     * @param start the sample at the start of the window
     * @param requests the requests completed in the window
     * @return {@code "client_cpu_us":…,"server_cpu_us":…,"ctx_switches":…,"machine_cpu_us":…} per request, -1
     *         where unknown
     */
    String perRequestJson(CpuSample start, long requests) {
        return String.format(java.util.Locale.ROOT,
                "\"client_cpu_us\":%.1f,\"server_cpu_us\":%.1f,\"ctx_switches\":%.2f,\"machine_cpu_us\":%.1f",
                micros(per(this.clientCpuNanos, start.clientCpuNanos, requests)),
                micros(per(this.serverCpuNanos, start.serverCpuNanos, requests)),
                per(this.contextSwitches, start.contextSwitches, requests),
                micros(per(this.machineCpuNanos, start.machineCpuNanos, requests)));
    }

    private static double micros(double nanos) {
        return (nanos < 0) ? -1 : nanos / 1000.0;
    }

    private static double per(long end, long start, long requests) {
        return (end < 0 || start < 0 || requests == 0) ? -1 : (end - start) / (double) requests;
    }

    private static long readServerCpuNanos() {
        String pid = System.getenv("NGINX_WORKER_PID");
        if (pid == null || pid.isBlank()) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", pid.trim(), "stat"));
            // The command name may contain spaces; the fields after it are fixed: utime and stime are the
            // 12th and 13th after the closing parenthesis.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
        }
        catch (IOException | RuntimeException ex) {
            return -1;
        }
    }

    private static long readMachineCpuNanos() {
        try {
            // "cpu  user nice system idle iowait irq softirq steal ...", in clock ticks, summed over the cores
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(fields.length, 9); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy * NANOS_PER_TICK;
        }
        catch (IOException | RuntimeException ex) {
            return -1;
        }
    }

    private static long readContextSwitches() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("ctxt ")) {
                    return Long.parseLong(line.substring(5).trim());
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            // not Linux
        }
        return -1;
    }
}
