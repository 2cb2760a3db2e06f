package dev.mtdtl.eval.profile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The profile's HTML page: a roofline chart in inline SVG (x: arithmetic intensity in FLOP/byte, y: GFLOP/s,
 * both logarithmic; the roof is min(compute peak, intensity x bandwidth peak); one point per op call, coloured
 * by op family, its tooltip the row) and the per-op tables. Self-contained: no script, no external file.
 */
public final class Roofline {

    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};
    private static final int W = 760, H = 460, L = 70, R = 20, T = 20, B = 50;

    private Roofline() {}

    public static String html(Profile p) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>mtdtl profile</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;font-size:12px}")
                .append("td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td.l,th.l{text-align:left}")
                .append("</style></head><body><h1>mtdtl profile</h1><p>")
                .append(esc(String.format(Locale.ROOT, "device %s, %d threads, strategy %s, batch %d, median of %d repeats.",
                        p.device(), p.threads(), p.config().strategy().id(), p.config().batch(), p.config().repeats())))
                .append("<br>").append(esc(String.format(Locale.ROOT, "Compute roof %.1f GFLOP/s (%s); bandwidth roof %.1f GB/s (%s).",
                        p.peaks().gflops(), p.peaks().compute(), p.peaks().gbPerS(), p.peaks().bandwidth())))
                .append("<br>Bytes are the compulsory traffic (each input read once, each output written once), so an op's "
                        + "intensity is an upper bound and its GB/s a lower bound.</p>");
        for (Profile.Phase ph : p.phases()) {
            sb.append("<h2>").append(esc(ph.name())).append(String.format(Locale.ROOT, ": %.2f ms</h2>", ph.wallNanos() / 1e6));
            sb.append(svg(p, ph.rows()));
            table(sb, p, ph.byOp(), "by op");
            table(sb, p, ph.rows(), "every call");
        }
        return sb.append("</body></html>\n").toString();
    }

    /** The chart for one phase's rows (rows with no FLOPs or no bytes are not plotted: no intensity). */
    static String svg(Profile p, List<Profile.Row> rows) {
        double pf = p.peaks().gflops(), pb = p.peaks().gbPerS();
        double xmin = 1e-2, xmax = 1e3;
        double ymax = Math.pow(10, Math.ceil(Math.log10(pf * 1.5)));
        double ymin = ymax / 1e5;
        for (Profile.Row r : rows) {
            if (r.flops() > 0 && r.bytes() > 0) {
                xmin = Math.min(xmin, r.intensity() / 2);
                xmax = Math.max(xmax, r.intensity() * 2);
                ymin = Math.min(ymin, r.gflops() / 2);
            }
        }
        xmin = Math.pow(10, Math.floor(Math.log10(xmin)));
        xmax = Math.pow(10, Math.ceil(Math.log10(xmax)));
        ymin = Math.pow(10, Math.floor(Math.log10(Math.max(ymin, 1e-6))));
        Axis ax = new Axis(xmin, xmax, ymin, ymax);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\">", W, H));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>",
                L, T, W - L - R, H - T - B));
        for (double x = xmin; x <= xmax * 1.001; x *= 10) {
            double px = ax.x(x);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", px, T, px, H - B, px, H - B + 15, num(x)));
        }
        for (double y = ymin; y <= ymax * 1.001; y *= 10) {
            double py = ax.y(y);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", L, py, W - R, py, L - 4, py + 4, num(y)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">arithmetic intensity (FLOP/byte)</text>",
                (L + W - R) / 2, H - 12));
        s.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">GFLOP/s</text>",
                (T + H - B) / 2, (T + H - B) / 2));
        // the roof: bandwidth-bound slope up to the ridge point pf/pb, flat compute roof after it
        double ridge = pf / pb;
        StringBuilder roof = new StringBuilder();
        int steps = 200;
        for (int i = 0; i <= steps; i++) {
            double x = xmin * Math.pow(xmax / xmin, (double) i / steps);
            double y = Math.min(pf, x * pb);
            if (y < ymin) {
                continue;
            }
            roof.append(roof.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f ", ax.x(x), ax.y(y)));
        }
        s.append("<path d=\"").append(roof).append("\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f GFLOP/s</text>", W - R - 4,
                ax.y(pf) - 4, pf));
        if (ridge > xmin && ridge < xmax) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f GB/s</text>",
                    ax.x(ridge) - 6, ax.y(pf) + 14, pb));
        }
        Map<String, String> colour = new LinkedHashMap<>();
        for (Profile.Row r : rows) {
            if (r.flops() <= 0 || r.bytes() <= 0) {
                continue;
            }
            String c = colour.computeIfAbsent(r.family(), k -> COLOURS[colour.size() % COLOURS.length]);
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" fill-opacity=\"0.75\">"
                            + "<title>#%d %s %s: %.3f ms, %.1f GFLOP/s, %.1f GB/s</title></circle>", ax.x(r.intensity()),
                    ax.y(Math.max(r.gflops(), ymin)), c, r.index(), esc(r.op()), esc(r.detail()), r.nanos() / 1e6,
                    r.gflops(), r.gbPerS()));
        }
        int ly = T + 14;
        for (Map.Entry<String, String> e : colour.entrySet()) {
            s.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>",
                    L + 12, ly - 4, e.getValue(), L + 20, ly, esc(e.getKey())));
            ly += 14;
        }
        return s.append("</svg>").toString();
    }

    private record Axis(double xmin, double xmax, double ymin, double ymax) {
        double x(double v) {
            return L + (W - L - R) * Math.log(v / xmin) / Math.log(xmax / xmin);
        }

        double y(double v) {
            return H - B - (H - T - B) * Math.log(v / ymin) / Math.log(ymax / ymin);
        }
    }

    private static void table(StringBuilder sb, Profile p, List<Profile.Row> rows, String caption) {
        sb.append("<details><summary>").append(esc(caption)).append("</summary><table><tr><th>#</th><th class=\"l\">op</th>"
                + "<th class=\"l\">shapes</th><th>ms</th><th>MFLOP</th><th>MB</th><th>GFLOP/s</th><th>GB/s</th>"
                + "<th>% compute roof</th><th>% bandwidth roof</th></tr>");
        for (Profile.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "<tr><td>%d</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%.3f</td>"
                            + "<td>%.1f</td><td>%.2f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td></tr>", r.index(),
                    esc(r.op()), esc(r.detail()), r.nanos() / 1e6, r.flops() / 1e6, r.bytes() / 1e6, r.gflops(), r.gbPerS(),
                    100 * p.computeShare(r), 100 * p.bandwidthShare(r)));
        }
        sb.append("</table></details>");
    }

    private static String num(double v) {
        return v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", (float) v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
