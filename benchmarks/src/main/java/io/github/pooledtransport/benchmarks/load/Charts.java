package io.github.pooledtransport.benchmarks.load;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Bar charts as standalone SVG for {@link Report}: one chart per scenario, made of panels (one per cell), each with
 * a labelled y-axis and ticks, its bars sorted from the highest value, the value written above every bar, the
 * client's name under it, and our clients drawn in their own colour (load generators such as wrk and h2load, the
 * ceilings, are drawn hollow). Only JDK classes, so {@code benchmarks/report.sh} compiles it with plain javac.
 */
final class Charts {

    /** What a bar stands for, which decides its colour. */
    enum Kind {
        /** One of our clients: highlighted. */
        OURS,
        /** Another client library. */
        PEER,
        /** A load generator, not a client library: the ceiling. */
        CEILING
    }

    /** One bar: a client's value in one cell. */
    record Bar(String label, double value, Kind kind) {
    }

    /** One cell: a titled plot with its own y-axis (linear from 0, or logarithmic from 1). */
    record Panel(String title, String axisLabel, String unit, List<Bar> bars, boolean log) {

        Panel {
            bars = bars.stream().sorted(Comparator.comparingDouble((Bar b) -> -b.value())).toList();
        }
    }

    private static final String OURS_FILL = "#d94801";
    private static final String PEER_FILL = "#8fa3b8";
    private static final String CEILING_FILL = "#f2f2f2";
    private static final String FONT = "Helvetica, Arial, sans-serif";

    private static final int STEP = 36;         // horizontal room per bar
    private static final int BAR = 26;          // bar width
    private static final int LEFT = 66;         // y-axis title, tick labels
    private static final int RIGHT = 14;
    private static final int PANEL_TOP = 30;    // panel title
    private static final int PLOT = 190;        // plot height
    private static final int BOTTOM = 96;       // rotated client names
    private static final int HEADER = 66;       // chart title, subtitle, legend

    private Charts() {
    }

    /**
     * @param title the chart's title
     * @param subtitle one line under it (how to read it)
     * @param panels the cells, laid out left to right, {@code columns} per row
     * @param columns panels per row
     * @return the SVG document
     */
    static String render(String title, String subtitle, List<Panel> panels, int columns) {
        int slots = panels.stream().mapToInt(p -> p.bars().size()).max().orElse(1);
        int panelWidth = LEFT + slots * STEP + RIGHT;
        int panelHeight = PANEL_TOP + PLOT + BOTTOM;
        int cols = Math.max(1, Math.min(columns, panels.size()));
        int rows = (panels.size() + cols - 1) / cols;
        int width = Math.max(cols * panelWidth + 20, Math.max(640, (int) (subtitle.length() * 6.0) + 30));
        int height = HEADER + rows * panelHeight + 10;
        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"%s\" font-size=\"11\" fill=\"#222\">%n", width, height, width,
                height, FONT));
        // An opaque background: the text stays readable where the page behind the image is dark.
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                esc(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"40\" font-size=\"11\" fill=\"#555\">%s</text>%n",
                esc(subtitle)));
        legend(svg, 12, 56, panels.stream().flatMap(p -> p.bars().stream()).map(Bar::kind).distinct().toList());
        for (int i = 0; i < panels.size(); i++) {
            panel(svg, panels.get(i), 10 + (i % cols) * panelWidth, HEADER + (i / cols) * panelHeight, slots);
        }
        return svg.append("</svg>\n").toString();
    }

    private static void legend(StringBuilder svg, int x, int y, List<Kind> present) {
        String[][] items = { { OURS_FILL, "none", "ours (pooled…)" }, { PEER_FILL, "none", "other clients" },
                { CEILING_FILL, "#666", "load generator: the ceiling, not a client library" } };
        int at = x;
        for (Kind kind : Kind.values()) {
            if (!present.contains(kind)) {
                continue;
            }
            String[] item = items[kind.ordinal()];
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\" "
                    + "stroke=\"%s\" stroke-dasharray=\"3,2\"/>", at, y - 10, item[0], item[1]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", at + 17, y, esc(item[2])));
            at += 17 + (int) (item[2].length() * 6.2) + 18;
        }
    }

    private static void panel(StringBuilder svg, Panel p, int x0, int y0, int slots) {
        int left = x0 + LEFT;
        int right = left + slots * STEP;
        int top = y0 + PANEL_TOP + 14;      // headroom for the tallest bar's value
        int bottom = y0 + PANEL_TOP + PLOT;
        svg.append(String.format(Locale.ROOT, "<g>%n<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
                left, y0 + 18, esc(p.title())));
        double max = p.bars().stream().mapToDouble(Bar::value).max().orElse(1);
        Scale scale = p.log() ? Scale.log(max) : Scale.linear(max);
        for (double tick : scale.ticks()) {
            double y = bottom - scale.fraction(tick) * (bottom - top);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10\" fill=\"#555\">%s</text>%n", left - 4,
                    y, right, y, (tick == scale.ticks().get(0)) ? "#333" : "#e3e3e3", left - 7, y + 3.5,
                    compact(tick)));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", left, top,
                left, bottom));
        int mid = (top + bottom) / 2;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d %d)\" "
                + "text-anchor=\"middle\" font-size=\"11\" fill=\"#333\">%s</text>%n", x0 + 16, mid, x0 + 16, mid,
                esc(p.axisLabel())));
        for (int i = 0; i < p.bars().size(); i++) {
            Bar b = p.bars().get(i);
            double cx = left + i * STEP + STEP / 2.0;
            double h = scale.fraction(b.value()) * (bottom - top);
            String fill = switch (b.kind()) {
                case OURS -> OURS_FILL;
                case PEER -> PEER_FILL;
                case CEILING -> CEILING_FILL;
            };
            String stroke = (b.kind() == Kind.CEILING) ? " stroke=\"#666\" stroke-dasharray=\"3,2\"" : "";
            String weight = (b.kind() == Kind.OURS) ? " font-weight=\"bold\"" : "";
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"%s>"
                    + "<title>%s: %s %s</title></rect>%n", cx - BAR / 2.0, bottom - h, BAR, h, fill, stroke,
                    esc(b.label()), full(b.value()), esc(p.unit())));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"9\"%s>%s</text>%n",
                    cx, bottom - h - 3, weight, full(b.value())));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" transform=\"rotate(-40 %.1f %d)\" "
                    + "text-anchor=\"end\" font-size=\"10\"%s%s>%s</text>%n", cx + 3, bottom + 12, cx + 3, bottom + 12,
                    weight, (b.kind() == Kind.OURS) ? " fill=\"" + OURS_FILL + "\"" : "", esc(b.label())));
        }
        svg.append("</g>\n");
    }

    /** Where a value sits on the axis, as a fraction of the plot's height, and the ticks to label. */
    private record Scale(List<Double> ticks, boolean log, double top) {

        static Scale linear(double max) {
            double step = niceStep(Math.max(max, 1) * 1.05 / 5);
            double top = step * Math.ceil(Math.max(max, 1) * 1.05 / step);
            List<Double> ticks = new ArrayList<>();
            for (double t = 0; t <= top + step / 2; t += step) {
                ticks.add(t);
            }
            return new Scale(ticks, false, top);
        }

        static Scale log(double max) {
            int decades = Math.max(1, (int) Math.ceil(Math.log10(Math.max(max, 1) * 1.3)));
            List<Double> ticks = new ArrayList<>();
            for (int d = 0; d <= decades; d++) {
                ticks.add(Math.pow(10, d));
            }
            return new Scale(ticks, true, Math.pow(10, decades));
        }

        double fraction(double v) {
            if (log) {
                return (v <= 1) ? 0 : Math.log10(v) / Math.log10(top);
            }
            return Math.max(0, v) / top;
        }

        private static double niceStep(double raw) {
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            for (double m : new double[] { 1, 2, 2.5, 5, 10 }) {
                if (m * magnitude >= raw) {
                    return m * magnitude;
                }
            }
            return 10 * magnitude;
        }
    }

    /** A tick label: 0, 500, 2.5k, 60k. */
    private static String compact(double v) {
        if (Math.abs(v) < 1000) {
            return (v == Math.rint(v)) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
        }
        double k = v / 1000;
        return ((k == Math.rint(k)) ? String.valueOf((long) k) : String.format(Locale.ROOT, "%.1f", k)) + "k";
    }

    /** A bar's value: 62,101 or 317. */
    private static String full(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
