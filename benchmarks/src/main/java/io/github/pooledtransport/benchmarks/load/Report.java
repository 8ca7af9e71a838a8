package io.github.pooledtransport.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns the JSON lines of a run into {@code docs/benchmarks/README.md} (one table per scenario, medians with every
 * run, and the targets as ratios from the same run) and an SVG chart of requests/s per scenario.
 *
 * <p>Usage: {@code Report results.jsonl outputDir machineDescriptionFile}
 */
public final class Report {

    private static final Pattern FIELD = Pattern.compile("\"([a-z_0-9]+)\":(\"[^\"]*\"|[-0-9.]+)");

    private Report() {
    }

    /** One cell's result. */
    record Cell(String client, String path, int concurrency, String mode, long requests, long errors, double rps,
            double p50, double p99, long opened, long timeWait, long allocPerRequest, double clientCpuMicros,
            double serverCpuMicros, double contextSwitches, String java) {

        String scenario() {
            return mode.equals("burst") ? "burst 200×100 (defaults, cold)" : path + " × " + concurrency;
        }
    }

    /**
     * @param args results file, output directory, machine description file
     * @throws IOException when a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        List<Cell> cells = Files.readAllLines(Path.of(args[0])).stream().filter(l -> l.startsWith("{"))
                .map(Report::parse).toList();
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        String machine = Files.readString(Path.of(args[2]));
        Map<String, Map<String, List<Cell>>> byScenario = new LinkedHashMap<>();
        cells.stream().sorted(Comparator.comparing((Cell c) -> c.mode()).reversed()
                .thenComparing(Cell::path).thenComparingInt(Cell::concurrency))
                .forEach(c -> byScenario.computeIfAbsent(c.scenario(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(c.client(), k -> new ArrayList<>()).add(c));
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("Produced by `benchmarks/run.sh` in one run; every client measured side by side against the same "
                + "nginx on loopback. Each cell: warm-up, fixed measured duration, repeated; the table shows the "
                + "median requests/s and every run. Latency, connection counts and CPU figures are from the median run. "
                + "Bytes allocated per request count the calling threads; for virtual threads (+vt), whose carriers the "
                + "per-thread counters cannot attribute, every thread of the JVM. "
                + "CPU per request is measured over the measured window: the client's whole process, the nginx "
                + "worker, and context switches of the whole machine; on 2 shared cores their sum bounds "
                + "requests/s.\n\n");
        md.append("What bounds these numbers, what was profiled and what was changed is in [analysis.md](analysis.md); "
                + "the JMH micro-benchmarks are in [jmh-results.md](jmh-results.md).\n\n");
        md.append("## Machine\n\n```\n").append(machine.trim()).append("\n```\n\n");
        md.append("## Targets (ratios from this run)\n\n").append(targets(byScenario)).append('\n');
        for (Map.Entry<String, Map<String, List<Cell>>> scenario : byScenario.entrySet()) {
            md.append("## ").append(scenario.getKey()).append("\n\n");
            md.append("| client | req/s (median) | runs | p50 ms | p99 ms | connections opened | TIME_WAIT + | "
                    + "bytes allocated / request | client CPU µs / request | nginx CPU µs / request | "
                    + "context switches / request | errors |\n"
                    + "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            scenario.getValue().entrySet().stream()
                    .sorted(Comparator.comparingDouble((Map.Entry<String, List<Cell>> e) -> -median(e.getValue()).rps()))
                    .forEach(e -> {
                        Cell m = median(e.getValue());
                        String runs = e.getValue().stream().map(c -> fmt(c.rps())).collect(Collectors.joining(", "));
                        md.append(String.format(Locale.ROOT,
                                "| %s | %s | %s | %.2f | %.2f | %d | %d | %s | %s | %s | %s | %d |%n",
                                e.getKey(), fmt(m.rps()), runs, m.p50(), m.p99(), m.opened(), m.timeWait(),
                                (m.allocPerRequest() < 0) ? "n/a" : String.valueOf(m.allocPerRequest()),
                                orNa("%.1f", m.clientCpuMicros()), orNa("%.1f", m.serverCpuMicros()),
                                orNa("%.2f", m.contextSwitches()),
                                e.getValue().stream().mapToLong(Cell::errors).sum()));
                    });
            md.append('\n');
        }
        md.append("![requests per second](throughput.svg)\n");
        Files.writeString(out.resolve("README.md"), md.toString());
        Files.writeString(out.resolve("throughput.svg"), svg(byScenario));
        System.out.println("Wrote " + out.resolve("README.md") + " and " + out.resolve("throughput.svg"));
    }

    private static String targets(Map<String, Map<String, List<Cell>>> s) {
        StringBuilder t = new StringBuilder("| target | measured | met |\n|---|---|---|\n");
        targets(t, s, "pooled", "platform threads, JDK 17");
        targets(t, s, "pooled+vt", "virtual threads, JDK 25");
        Optional<Cell> stream = get(s, "/1m × 16", "pooled-stream");
        Optional<Cell> wrkBig = get(s, "/1m × 16", "wrk");
        if (stream.isPresent() && wrkBig.isPresent()) {
            double r = stream.get().rps() / wrkBig.get().rps();
            row(t, "1 MiB streamed to a sink: ≥ 0.9 × wrk", String.format(Locale.ROOT, "%.2f ×", r), r >= 0.9);
        }
        // Not a target: the transport without RestClient on platform threads, to separate its cost from Spring's.
        for (int c : new int[] { 16, 64, 256 }) {
            Optional<Cell> alone = get(s, "/1k × " + c, "pooled-stream");
            Optional<Cell> go = get(s, "/1k × " + c, "go-tuned");
            if (alone.isPresent() && go.isPresent()) {
                t.append(String.format(Locale.ROOT, "| for reference, %d callers: transport without RestClient "
                        + "(pooled-stream) vs go-tuned [platform threads, JDK 17] | %.2f × (%s vs %s req/s) | — |%n", c,
                        alone.get().rps() / go.get().rps(), fmt(alone.get().rps()), fmt(go.get().rps())));
            }
        }
        return t.toString();
    }

    /** The targets for one of our variants, against peers on the same kind of threads (Go and wrk always). */
    private static void targets(StringBuilder t, Map<String, Map<String, List<Cell>>> s, String ours, String how) {
        boolean vt = ours.endsWith("+vt");
        String tag = " [" + how + "]";
        Optional<Cell> ours1 = get(s, "/1k × 1", ours);
        Optional<Cell> wrk1 = get(s, "/1k × 1", "wrk");
        if (ours1.isPresent() && wrk1.isPresent()) {
            double r = ours1.get().rps() / wrk1.get().rps();
            row(t, "1 caller: ≥ 0.85 × wrk" + tag, String.format(Locale.ROOT, "%.2f × (%s vs %s req/s)", r,
                    fmt(ours1.get().rps()), fmt(wrk1.get().rps())), r >= 0.85);
            bestPeer(s, "/1k × 1", vt).ifPresent(p -> row(t, "1 caller: p99 ≤ best peer's p99 (" + p.client() + ")"
                    + tag, String.format(Locale.ROOT, "%.3f ms vs %.3f ms", ours1.get().p99(), p.p99()),
                    ours1.get().p99() <= p.p99()));
        }
        for (int c : new int[] { 16, 64, 256 }) {
            String key = "/1k × " + c;
            Optional<Cell> mine = get(s, key, ours);
            Optional<Cell> peer = bestPeer(s, key, vt);
            if (mine.isPresent() && peer.isPresent()) {
                double r = mine.get().rps() / peer.get().rps();
                row(t, c + " callers: ≥ 1.2 × best peer (" + peer.get().client() + ")" + tag, String.format(
                        Locale.ROOT, "%.2f × (%s vs %s req/s)", r, fmt(mine.get().rps()), fmt(peer.get().rps())),
                        r >= 1.2);
            }
            if (c == 64 && mine.isPresent()) {
                get(s, key, "go-tuned").ifPresent(go -> row(t, "64 callers: p99 ≤ Go tuned" + tag,
                        String.format(Locale.ROOT, "%.2f ms vs %.2f ms", mine.get().p99(), go.p99()),
                        mine.get().p99() <= go.p99()));
            }
        }
        Optional<Cell> big = get(s, "/1m × 16", ours);
        Optional<Cell> bigPeer = bestJvmPeer(s, "/1m × 16", vt);
        if (big.isPresent() && bigPeer.isPresent()) {
            double r = big.get().rps() / bigPeer.get().rps();
            row(t, "1 MiB byte[]: ≥ 2 × best JVM peer (" + bigPeer.get().client() + ")" + tag,
                    String.format(Locale.ROOT, "%.2f ×", r), r >= 2);
        }
        String burst = "burst 200×100 (defaults, cold)";
        get(s, burst, ours).ifPresent(b -> {
            row(t, "burst: ≤ 220 connections opened" + tag, String.valueOf(b.opened()), b.opened() <= 220);
            row(t, "burst: TIME_WAIT growth ≤ 20" + tag, String.valueOf(b.timeWait()), b.timeWait() <= 20);
            bestJvmPeer(s, burst, vt).ifPresent(p -> {
                double r = b.rps() / p.rps();
                row(t, "burst: ≥ 2 × best JVM peer (" + p.client() + ")" + tag,
                        String.format(Locale.ROOT, "%.2f ×", r), r >= 2);
            });
        });
    }

    private static void row(StringBuilder t, String target, String measured, boolean met) {
        t.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**")
                .append(" |\n");
    }

    private static Optional<Cell> get(Map<String, Map<String, List<Cell>>> s, String scenario, String client) {
        return Optional.ofNullable(s.get(scenario)).map(m -> m.get(client)).map(Report::median);
    }

    /**
     * The best client that is not ours and not the wrk ceiling: Go, and JVM peers on the same kind of threads
     * (on virtual threads only where ours is).
     */
    private static Optional<Cell> bestPeer(Map<String, Map<String, List<Cell>>> s, String scenario, boolean vt) {
        return Optional.ofNullable(s.get(scenario)).flatMap(m -> m.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("pooled") && !e.getKey().equals("wrk")
                        && (e.getKey().startsWith("go-") || e.getKey().endsWith("+vt") == vt))
                .map(e -> median(e.getValue())).max(Comparator.comparingDouble(Cell::rps)));
    }

    private static Optional<Cell> bestJvmPeer(Map<String, Map<String, List<Cell>>> s, String scenario, boolean vt) {
        return Optional.ofNullable(s.get(scenario)).flatMap(m -> m.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("pooled") && !e.getKey().equals("wrk")
                        && !e.getKey().startsWith("go-") && e.getKey().endsWith("+vt") == vt)
                .map(e -> median(e.getValue())).max(Comparator.comparingDouble(Cell::rps)));
    }

    private static Cell median(List<Cell> runs) {
        // The lower median for an even count: with two runs, the slower one, so a lucky run never flatters.
        List<Cell> sorted = runs.stream().sorted(Comparator.comparingDouble(Cell::rps)).toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static String orNa(String format, double value) {
        return (value < 0) ? "n/a" : String.format(Locale.ROOT, format, value);
    }

    private static String fmt(double rps) {
        return String.format(Locale.ROOT, "%,.0f", rps);
    }

    private static Cell parse(String line) {
        Map<String, String> f = new TreeMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            f.put(m.group(1), m.group(2).replace("\"", ""));
        }
        return new Cell(f.get("client"), f.get("path"), Integer.parseInt(f.get("concurrency")), f.get("mode"),
                Long.parseLong(f.get("requests")), Long.parseLong(f.get("errors")), Double.parseDouble(f.get("rps")),
                Double.parseDouble(f.get("p50_ms")), Double.parseDouble(f.get("p99_ms")),
                Long.parseLong(f.get("opened")), Long.parseLong(f.get("time_wait")),
                Long.parseLong(f.get("alloc_per_request")), Double.parseDouble(f.getOrDefault("client_cpu_us", "-1")),
                Double.parseDouble(f.getOrDefault("server_cpu_us", "-1")),
                Double.parseDouble(f.getOrDefault("ctx_switches", "-1")), f.getOrDefault("java", ""));
    }

    private static String svg(Map<String, Map<String, List<Cell>>> s) {
        List<String> scenarios = new ArrayList<>(s.keySet());
        List<String> clients = s.values().stream().flatMap(m -> m.keySet().stream()).distinct().sorted().toList();
        double max = s.values().stream().flatMap(m -> m.values().stream()).mapToDouble(r -> median(r).rps()).max()
                .orElse(1);
        int groupWidth = clients.size() * 14 + 20;
        int width = 80 + scenarios.size() * groupWidth + 180;
        int height = 340;
        String[] palette = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39" };
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                        + "font-size=\"10\">%n<text x=\"10\" y=\"16\" font-size=\"13\">Requests/s (median), higher is "
                        + "better</text>%n", width, height));
        int base = 280;
        for (int i = 0; i < scenarios.size(); i++) {
            int x0 = 60 + i * groupWidth;
            for (int j = 0; j < clients.size(); j++) {
                List<Cell> runs = s.get(scenarios.get(i)).get(clients.get(j));
                if (runs == null) {
                    continue;
                }
                double h = median(runs).rps() / max * 240;
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"%.1f\" fill=\"%s\"><title>%s %s: %s req/s</title></rect>%n",
                        x0 + j * 14, base - h, h, palette[j % palette.length], clients.get(j), scenarios.get(i),
                        fmt(median(runs).rps())));
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x0, base + 16,
                    scenarios.get(i).replace("&", "&amp;").replace("<", "&lt;")));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"55\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", base,
                width - 180, base));
        for (int j = 0; j < clients.size(); j++) {
            int y = 40 + j * 16;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", width - 170, y, palette[j % palette.length], width - 155,
                    y + 9, clients.get(j)));
        }
        return svg.append("</svg>\n").toString();
    }
}
