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
 * run, and the targets as ratios from the same run), {@code docs/benchmarks/http2.md} for the HTTP/2 cells, and
 * one SVG chart per scenario ({@link Charts}): {@code chart-small.svg} (1 KiB at 1 to 256 callers),
 * {@code chart-1m.svg}, {@code chart-burst.svg} (requests/s and connections opened) and {@code chart-h2.svg}.
 * Reads only the JSON lines, so the documents and charts can be made again from the stored raw results without
 * running anything ({@code benchmarks/report.sh}).
 *
 * <p>Usage: {@code Report [--results results.jsonl] [--h2 http2-results.jsonl] --machine machine.txt
 * [--h2-machine http2-machine.txt] --out dir}. With {@code --results}: README.md and the HTTP/1.1 charts, with an
 * HTTP/2 section where {@code --h2} is given too; with {@code --h2}: http2.md and chart-h2.svg. The older form
 * {@code Report results.jsonl outputDir machineDescriptionFile [http2-results.jsonl]} still works.
 */
public final class Report {

    private static final Pattern FIELD = Pattern.compile("\"([a-z_0-9]+)\":(\"[^\"]*\"|[-0-9.]+)");

    private static final String BURST = "burst 200×100 (defaults, cold)";

    /** The prefix of an HTTP/2 cell's scenario. */
    private static final String H2 = "h2 ";

    private Report() {
    }

    /** One cell's result; a value the line does not carry is -1 (TIME_WAIT: {@link Long#MIN_VALUE}). */
    record Cell(boolean h2, String client, String path, int concurrency, String mode, long requests, long errors,
            double rps, double p50, double p99, long opened, long timeWait, long allocPerRequest,
            double clientCpuMicros, double serverCpuMicros, double contextSwitches, String java) {

        String scenario() {
            String s = mode.equals("burst") ? BURST : path + " × " + concurrency;
            return h2 ? H2 + s : s;
        }
    }

    /**
     * @param args see the class comment
     * @throws IOException when a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> o = options(args);
        Path out = Path.of(o.get("out"));
        Files.createDirectories(out);
        String machine = Files.readString(Path.of(o.get("machine"))).trim();
        String h2Machine = o.containsKey("h2-machine") ? Files.readString(Path.of(o.get("h2-machine"))).trim() : machine;
        Map<String, Map<String, List<Cell>>> h2 = o.containsKey("h2") ? group(read(Path.of(o.get("h2")), true))
                : Map.of();
        List<String> wrote = new ArrayList<>();
        if (!h2.isEmpty()) {
            write(out, "chart-h2.svg", h2Chart(h2), wrote);
            Files.writeString(out.resolve("http2.md"), http2Markdown(h2, h2Machine));
            wrote.add("http2.md");
        }
        if (o.containsKey("results")) {
            Map<String, Map<String, List<Cell>>> h1 = group(read(Path.of(o.get("results")), false));
            List<String> charts = new ArrayList<>();
            charts.add(chart(out, "chart-small.svg", smallChart(h1), wrote,
                    "HTTP/1.1, 1 KiB responses, 1 to 256 callers"));
            charts.add(chart(out, "chart-1m.svg", oneMiBChart(h1), wrote, "HTTP/1.1, 1 MiB responses"));
            charts.add(chart(out, "chart-burst.svg", burstChart(h1), wrote,
                    "Burst from a cold client: requests/s and connections opened"));
            if (!h2.isEmpty()) {
                charts.add(chartMarkdown("chart-h2.svg", "HTTP/2 over TLS, 1 to 256 callers and 1 MiB"));
            }
            Files.writeString(out.resolve("README.md"), readme(h1, h2, machine, h2Machine,
                    charts.stream().filter(c -> !c.isEmpty()).toList()));
            wrote.add("README.md");
        }
        System.out.println("Wrote " + wrote.stream().map(f -> out.resolve(f).toString())
                .collect(Collectors.joining(", ")));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new TreeMap<>();
        if (args.length >= 3 && !args[0].startsWith("--")) {
            o.put("results", args[0]);
            o.put("out", args[1]);
            o.put("machine", args[2]);
            if (args.length > 3) {
                o.put("h2", args[3]);
            }
            return o;
        }
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!List.of("--results", "--h2", "--machine", "--h2-machine", "--out").contains(args[i])) {
                throw new IllegalArgumentException("Unknown option " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        if (!o.containsKey("out") || !o.containsKey("machine") || !(o.containsKey("results") || o.containsKey("h2"))) {
            throw new IllegalArgumentException("Usage: Report [--results results.jsonl] [--h2 http2-results.jsonl] "
                    + "--machine machine.txt [--h2-machine http2-machine.txt] --out dir");
        }
        return o;
    }

    private static List<Cell> read(Path file, boolean h2) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith("{")).map(l -> parse(l, h2)).toList();
    }

    /** Scenario, then client, then its runs: steady before burst, then by path and callers. */
    private static Map<String, Map<String, List<Cell>>> group(List<Cell> cells) {
        Map<String, Map<String, List<Cell>>> byScenario = new LinkedHashMap<>();
        cells.stream().sorted(Comparator.comparing((Cell c) -> c.mode()).reversed()
                .thenComparing(Cell::path).thenComparingInt(Cell::concurrency))
                .forEach(c -> byScenario.computeIfAbsent(c.scenario(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(c.client(), k -> new ArrayList<>()).add(c));
        return byScenario;
    }

    private static String readme(Map<String, Map<String, List<Cell>>> byScenario,
            Map<String, Map<String, List<Cell>>> h2, String machine, String h2Machine, List<String> charts) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("Produced by `benchmarks/run.sh` in one run; every client measured side by side against the same "
                + "nginx on loopback. Each cell: warm-up, fixed measured duration, repeated; the table shows the "
                + "median requests/s (for an even count, the slower of the middle two) and every run. Latency, connection counts and CPU figures are from the median run. "
                + "Bytes allocated per request count the calling threads; for virtual threads (+vt), whose carriers the "
                + "per-thread counters cannot attribute, every thread of the JVM. "
                + "CPU per request is measured over the measured window: the client's whole process, the nginx "
                + "worker, and context switches of the whole machine; on 2 shared cores their sum bounds "
                + "requests/s.");
        if (!h2.isEmpty()) {
            md.append(" The same clients over HTTP/2 with TLS are in [HTTP/2 over TLS](#http2-over-tls) below.");
        }
        md.append("\n\n");
        md.append("What bounds these numbers, what was profiled and what was changed is in [analysis.md](analysis.md); "
                + "the JMH micro-benchmarks are in [jmh-results.md](jmh-results.md).\n\n");
        md.append("## Machine\n\n```\n").append(machine).append("\n```\n\n");
        if (!h2.isEmpty() && !h2Machine.equals(machine)) {
            md.append("The HTTP/2 cells come from another run:\n\n```\n").append(h2Machine).append("\n```\n\n");
        }
        md.append("## Targets (ratios from this run)\n\n").append(targets(byScenario));
        if (!h2.isEmpty()) {
            md.append(h2Targets(h2));
        }
        md.append('\n');
        if (!charts.isEmpty()) {
            md.append("## Charts\n\nMedian requests/s per cell, one chart per scenario; our clients (pooled…) in "
                    + "orange, load generators (wrk, h2load: the ceiling) hollow. The numbers behind them are in the "
                    + "tables below.\n\n");
            charts.forEach(c -> md.append(c).append('\n'));
        }
        for (Map.Entry<String, Map<String, List<Cell>>> scenario : byScenario.entrySet()) {
            md.append("## ").append(scenario.getKey()).append("\n\n");
            table(md, scenario.getValue());
        }
        if (!h2.isEmpty()) {
            md.append("## HTTP/2 over TLS\n\n");
            h2Body(md, h2, "###", false);
        }
        return md.toString();
    }

    private static String http2Markdown(Map<String, Map<String, List<Cell>>> h2, String machine) {
        StringBuilder md = new StringBuilder("# HTTP/2 over TLS against nginx\n\n");
        md.append("Produced from `http2-results.jsonl` by `benchmarks/h2.sh` (the HTTP/2 cells alone) or "
                + "`benchmarks/run.sh` (which also puts them in [README.md](README.md#http2-over-tls)). Each cell: "
                + "warm-up, fixed measured duration, repeated; the median requests/s (for an even count the slower of "
                + "the middle two) and every run; latency, connections and CPU from the median run.\n\n");
        md.append("## Machine\n\n```\n").append(machine).append("\n```\n\n");
        h2Body(md, h2, "##", true);
        return md.toString();
    }

    /** What the HTTP/2 cells are, the ratios, the chart and one table per cell. */
    private static void h2Body(StringBuilder md, Map<String, Map<String, List<Cell>>> h2, String heading,
            boolean chart) {
        md.append("Against the same nginx (one worker) over TLS, ALPN offering h2 then http/1.1, nginx's default of "
                + "128 streams per connection. Ours and the JDK client offer h2 by default; Jetty (jetty-h2) and "
                + "Reactor Netty (reactor-h2) are built for h2 (Spring builds both for HTTP/1.1), all of them through "
                + "RestClient; Go's net/http client (go-default) uses h2 by default. HttpClient 5 classic has no HTTP/2: "
                + "hc5-tuned speaks HTTP/1.1 over TLS, the reference to the HTTP/1.1 rows, and is no h2 peer in the "
                + "ratios. h2load (nghttp2) on one connection, with as many streams in flight as there are callers, "
                + "is the ceiling: its CPU is measured with GNU time where installed, its latency percentiles are "
                + "not (n/a).\n\n");
        md.append("`connections opened` is what nginx accepted in the measured window: the JVM clients' count "
                + "includes one connection for reading nginx's status, Go's does not, h2load's is its one connection. "
                + "Ours is above 1 at these rates because a connection of ours retires after 32,767 streams (the frame "
                + "library misreads stream ids from 65,536 on, issue 16): at 10,000 requests/s, a new connection every "
                + "3 s.\n\n");
        md.append(heading).append(" Ratios\n\n");
        md.append("| cell | ours (pooled) req/s | ÷ best JVM peer over h2 | ÷ Go (go-default) | ÷ h2load (ceiling) |\n"
                + "|---|---:|---|---|---|\n");
        for (String scenario : h2.keySet()) {
            Optional<Cell> ours = get(h2, scenario, "pooled");
            if (ours.isEmpty()) {
                continue;
            }
            double r = ours.get().rps();
            md.append("| ").append(scenario.substring(H2.length())).append(" | ").append(fmt(r)).append(" | ")
                    .append(ratio(r, bestH2JvmPeer(h2, scenario))).append(" | ")
                    .append(ratio(r, get(h2, scenario, "go-default"))).append(" | ")
                    .append(ratio(r, get(h2, scenario, "h2load"))).append(" |\n");
        }
        md.append('\n');
        if (chart) {
            md.append("![HTTP/2 over TLS: requests/s](chart-h2.svg)\n\n");
        }
        for (Map.Entry<String, Map<String, List<Cell>>> scenario : h2.entrySet()) {
            md.append(heading).append(" h2 ").append(scenario.getKey().substring(H2.length())).append("\n\n");
            table(md, scenario.getValue());
        }
    }

    private static String ratio(double ours, Optional<Cell> other) {
        return other.map(c -> String.format(Locale.ROOT, "%.2f × (%s: %s)", ours / c.rps(), c.client(), fmt(c.rps())))
                .orElse("—");
    }

    private static void table(StringBuilder md, Map<String, List<Cell>> clients) {
        md.append("| client | req/s (median) | runs | p50 ms | p99 ms | connections opened | TIME_WAIT + | "
                + "bytes allocated / request | client CPU µs / request | nginx CPU µs / request | "
                + "context switches / request | errors |\n"
                + "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        clients.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, List<Cell>> e) -> -median(e.getValue()).rps()))
                .forEach(e -> {
                    Cell m = median(e.getValue());
                    String runs = e.getValue().stream().map(c -> fmt(c.rps())).collect(Collectors.joining(", "));
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %d |%n",
                            label(m), fmt(m.rps()), runs, orNa("%.2f", m.p50()), orNa("%.2f", m.p99()), m.opened(),
                            (m.timeWait() == Long.MIN_VALUE) ? "n/a" : String.valueOf(m.timeWait()),
                            (m.allocPerRequest() < 0) ? "n/a" : String.valueOf(m.allocPerRequest()),
                            orNa("%.1f", m.clientCpuMicros()), orNa("%.1f", m.serverCpuMicros()),
                            orNa("%.2f", m.contextSwitches()), e.getValue().stream().mapToLong(Cell::errors).sum()));
                });
        md.append('\n');
    }

    /** A client's name in a table: ours in bold, HttpClient 5 in the HTTP/2 cells marked as HTTP/1.1. */
    private static String label(Cell c) {
        String name = chartLabel(c);
        return ours(c.client()) ? "**" + name + "**" : name;
    }

    private static String chartLabel(Cell c) {
        return (c.h2() && c.client().startsWith("hc5")) ? c.client() + " (HTTP/1.1)" : c.client();
    }

    private static boolean ours(String client) {
        return client.startsWith("pooled");
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

    /** The HTTP/2 target at 64 callers, and where ours stands against h2load at every number of callers. */
    private static String h2Targets(Map<String, Map<String, List<Cell>>> h2) {
        StringBuilder t = new StringBuilder();
        String key = H2 + "/1k × 64";
        Optional<Cell> mine = get(h2, key, "pooled");
        Optional<Cell> peer = bestH2JvmPeer(h2, key);
        if (mine.isPresent() && peer.isPresent()) {
            double r = mine.get().rps() / peer.get().rps();
            row(t, "h2 over TLS, 64 callers: ≥ 1.2 × best JVM peer over h2 (" + peer.get().client()
                    + ") [platform threads, JDK 17]", String.format(Locale.ROOT, "%.2f × (%s vs %s req/s)", r,
                            fmt(mine.get().rps()), fmt(peer.get().rps())), r >= 1.2);
        }
        Optional<Cell> ceiling = get(h2, key, "h2load");
        if (mine.isPresent() && ceiling.isPresent()) {
            // Not a target: where ours stands against the ceiling (every cell: the HTTP/2 section's ratios).
            t.append(String.format(Locale.ROOT, "| for reference, h2 over TLS, 64 callers: ours vs h2load (one "
                    + "connection, the ceiling) | %.2f × (%s vs %s req/s) | — |%n", mine.get().rps() / ceiling.get().rps(),
                    fmt(mine.get().rps()), fmt(ceiling.get().rps())));
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
        get(s, BURST, ours).ifPresent(b -> {
            row(t, "burst: ≤ 220 connections opened" + tag, String.valueOf(b.opened()), b.opened() <= 220);
            row(t, "burst: TIME_WAIT growth ≤ 20" + tag, String.valueOf(b.timeWait()), b.timeWait() <= 20);
            bestJvmPeer(s, BURST, vt).ifPresent(p -> {
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

    /** The best JVM client over HTTP/2: not ours, not Go, not h2load, and not HttpClient 5 (HTTP/1.1 only). */
    private static Optional<Cell> bestH2JvmPeer(Map<String, Map<String, List<Cell>>> s, String scenario) {
        return Optional.ofNullable(s.get(scenario)).flatMap(m -> m.entrySet().stream()
                .filter(e -> !ours(e.getKey()) && !e.getKey().startsWith("go-") && !e.getKey().equals("h2load")
                        && !e.getKey().startsWith("hc5") && !e.getKey().endsWith("+vt"))
                .map(e -> median(e.getValue())).max(Comparator.comparingDouble(Cell::rps)));
    }

    private static Cell median(List<Cell> runs) {
        // The lower median for an even count: with two runs, the slower one, so a lucky run never flatters.
        List<Cell> sorted = runs.stream().sorted(Comparator.comparingDouble(Cell::rps)).toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    // ---- charts

    private static String chart(Path out, String file, Optional<String> svg, List<String> wrote, String what)
            throws IOException {
        if (svg.isEmpty()) {
            return "";
        }
        write(out, file, svg, wrote);
        return chartMarkdown(file, what);
    }

    private static String chartMarkdown(String file, String what) {
        return "**" + what + "** ([" + file + "](" + file + "))\n\n![" + what + "](" + file + ")\n";
    }

    private static void write(Path out, String file, Optional<String> svg, List<String> wrote) throws IOException {
        if (svg.isPresent()) {
            Files.writeString(out.resolve(file), svg.get());
            wrote.add(file);
        }
    }

    private static Optional<String> smallChart(Map<String, Map<String, List<Cell>>> s) {
        List<Charts.Panel> panels = new ArrayList<>();
        for (int c : new int[] { 1, 16, 64, 256 }) {
            panel(s, "/1k × " + c, c + ((c == 1) ? " caller" : " callers"), "requests/s (median)", "requests/s",
                    Cell::rps, false).ifPresent(panels::add);
        }
        return render("HTTP/1.1, 1 KiB responses: requests/s by number of concurrent callers",
                "Higher is better. Median of " + runs(s) + " per bar; each panel has its own scale. "
                        + "+vt: callers on virtual threads (JDK 25); pooled-stream: ours without RestClient.",
                panels, 2);
    }

    private static Optional<String> oneMiBChart(Map<String, Map<String, List<Cell>>> s) {
        List<Charts.Panel> panels = new ArrayList<>();
        s.keySet().stream().filter(k -> k.startsWith("/1m × ")).forEach(k -> panel(s, k,
                k.substring("/1m × ".length()) + " callers", "requests/s (median)", "requests/s", Cell::rps, false)
                .ifPresent(panels::add));
        return render("HTTP/1.1, 1 MiB responses: requests/s",
                "Higher is better. Median of " + runs(s) + " per bar; pooled-stream reads the body to a sink, "
                        + "the others into a byte[].", panels, 1);
    }

    private static Optional<String> burstChart(Map<String, Map<String, List<Cell>>> s) {
        List<Charts.Panel> panels = new ArrayList<>();
        panel(s, BURST, "requests/s (higher is better)", "requests/s (median)", "requests/s", Cell::rps, false)
                .ifPresent(panels::add);
        panel(s, BURST, "connections opened (lower is better)", "connections opened (log scale)", "connections",
                c -> c.opened(), true).ifPresent(panels::add);
        return render("Burst: 200 callers × 100 requests each from a cold client, default settings",
                "Median run by requests/s of " + runs(s) + " per bar; the connections are those of that run, "
                        + "as nginx counted them.", panels, 2);
    }

    private static Optional<String> h2Chart(Map<String, Map<String, List<Cell>>> h2) {
        List<Charts.Panel> panels = new ArrayList<>();
        for (String scenario : h2.keySet()) {
            String cell = scenario.substring(H2.length());
            String title = cell.startsWith("/1k × ") ? cell.substring("/1k × ".length()) + " callers, 1 KiB"
                    : cell.startsWith("/1m × ") ? cell.substring("/1m × ".length()) + " callers, 1 MiB" : cell;
            panel(h2, scenario, title.replace("1 callers", "1 caller"), "requests/s (median)", "requests/s",
                    Cell::rps, false).ifPresent(panels::add);
        }
        return render("HTTP/2 over TLS (ALPN h2) against nginx: requests/s",
                "Higher is better. Median of " + runs(h2) + " per bar; own scale per panel. hc5-tuned: "
                        + "HTTP/1.1 over TLS, the reference; h2load: one connection.", panels, 3);
    }

    private static Optional<Charts.Panel> panel(Map<String, Map<String, List<Cell>>> s, String scenario, String title,
            String axis, String unit, java.util.function.ToDoubleFunction<Cell> value, boolean log) {
        Map<String, List<Cell>> clients = s.get(scenario);
        if (clients == null || clients.isEmpty()) {
            return Optional.empty();
        }
        List<Charts.Bar> bars = clients.values().stream().map(Report::median)
                .map(c -> new Charts.Bar(chartLabel(c), value.applyAsDouble(c), ours(c.client()) ? Charts.Kind.OURS
                        : (c.client().equals("wrk") || c.client().equals("h2load")) ? Charts.Kind.CEILING
                                : Charts.Kind.PEER))
                .toList();
        return Optional.of(new Charts.Panel(title, axis, unit, bars, log));
    }

    private static Optional<String> render(String title, String subtitle, List<Charts.Panel> panels, int columns) {
        return panels.isEmpty() ? Optional.empty() : Optional.of(Charts.render(title, subtitle, panels, columns));
    }

    /** "3 runs": the most repetitions of any cell (the runs behind a median). */
    private static String runs(Map<String, Map<String, List<Cell>>> s) {
        int n = s.values().stream().flatMap(m -> m.values().stream()).mapToInt(List::size).max().orElse(0);
        return (n == 1) ? "1 run" : (n % 2 == 0) ? n + " runs (the slower of the middle two)" : n + " runs";
    }

    // ---- formatting and parsing

    private static String orNa(String format, double value) {
        return (value < 0) ? "n/a" : String.format(Locale.ROOT, format, value);
    }

    private static String fmt(double rps) {
        return String.format(Locale.ROOT, "%,.0f", rps);
    }

    private static Cell parse(String line, boolean h2) {
        Map<String, String> f = new TreeMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            f.put(m.group(1), m.group(2).replace("\"", ""));
        }
        // Older h2load lines carry only client, path, concurrency, rps and opened.
        return new Cell(h2, f.get("client"), f.get("path"), Integer.parseInt(f.get("concurrency")),
                f.getOrDefault("mode", "steady"), Long.parseLong(f.getOrDefault("requests", "-1")),
                Long.parseLong(f.getOrDefault("errors", "0")), Double.parseDouble(f.get("rps")),
                Double.parseDouble(f.getOrDefault("p50_ms", "-1")), Double.parseDouble(f.getOrDefault("p99_ms", "-1")),
                Long.parseLong(f.getOrDefault("opened", "-1")),
                f.containsKey("time_wait") ? Long.parseLong(f.get("time_wait")) : Long.MIN_VALUE,
                Long.parseLong(f.getOrDefault("alloc_per_request", "-1")),
                Double.parseDouble(f.getOrDefault("client_cpu_us", "-1")),
                Double.parseDouble(f.getOrDefault("server_cpu_us", "-1")),
                Double.parseDouble(f.getOrDefault("ctx_switches", "-1")), f.getOrDefault("java", ""));
    }
}
