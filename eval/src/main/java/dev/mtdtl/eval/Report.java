package dev.mtdtl.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The results report: a self-contained HTML page (no scripts, no external files) with charts drawn here as
 * inline SVG, in the paper's two views, plus a table; and a plain-text summary for the console.
 *
 * <ul>
 *   <li>Scores per task by strategy (paper Fig. 9): one panel per (dataset, metric); a dot per run (mean
 *       over repetitions) in its strategy's column; the Rand and MFCC baselines as horizontal lines.</li>
 *   <li>Standardised score by number of sources (paper Fig. 10): per (dataset, metric) the run means are
 *       z-scored over the runs; a dot per (run, task) at its source count, a least-squares line per
 *       strategy.</li>
 *   <li>Table: mean ± std over repetitions, per run and task; cells above Rand in bold.</li>
 * </ul>
 * The charts are drawn by {@link SvgPlot} (no charting library in this offline build), one colour per strategy
 * ({@link Palette}) as in the study report.
 */
public final class Report {

    /** Baseline run names. */
    public static final List<String> BASELINES = List.of("rand", "mfcc");

    /** Mean and std over repetitions of one (run, task). */
    public record Cell(String run, String strategy, String sources, String task, double mean, double std, int n) {
        public int sourceCount() {
            return sources.isEmpty() ? 0 : sources.split("\\+").length;
        }
    }

    private final List<Cell> cells = new ArrayList<>();
    private final List<String> tasks = new ArrayList<>();
    private final List<String> runs = new ArrayList<>();

    public Report(List<Evaluation.Row> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no results to report");
        }
        Map<String, List<Evaluation.Row>> groups = new LinkedHashMap<>();
        for (Evaluation.Row r : rows) {
            if (r.metric().contains("truncated")) {
                continue;    // the table of the paper-era nDCG only; the CSV keeps both
            }
            String task = r.dataset() + " " + r.metric();
            groups.computeIfAbsent(r.run() + "\u0000" + task, k -> new ArrayList<>()).add(r);
            if (!tasks.contains(task)) {
                tasks.add(task);
            }
            if (!runs.contains(r.run())) {
                runs.add(r.run());
            }
        }
        tasks.sort(null);
        for (List<Evaluation.Row> g : groups.values()) {
            double s = 0;
            for (Evaluation.Row r : g) {
                s += r.value();
            }
            double m = s / g.size();
            double v = 0;
            for (Evaluation.Row r : g) {
                v += (r.value() - m) * (r.value() - m);
            }
            Evaluation.Row r0 = g.get(0);
            cells.add(new Cell(r0.run(), r0.strategy(), r0.sources(), r0.dataset() + " " + r0.metric(), m,
                    Math.sqrt(v / g.size()), g.size()));
        }
    }

    public List<Cell> cells() {
        return cells;
    }

    private Cell cell(String run, String task) {
        for (Cell c : cells) {
            if (c.run().equals(run) && c.task().equals(task)) {
                return c;
            }
        }
        return null;
    }

    private List<String> trainedRuns() {
        return runs.stream().filter(r -> !BASELINES.contains(r)).toList();
    }

    private List<String> strategies() {
        List<String> s = new ArrayList<>();
        for (String r : trainedRuns()) {
            String st = cells.stream().filter(c -> c.run().equals(r)).findFirst().orElseThrow().strategy();
            if (!s.contains(st)) {
                s.add(st);
            }
        }
        s.sort(Palette.ORDER);
        return s;
    }

    /** Per task: which trained runs beat Rand (mean over repetitions), for the console and the page. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        int beat = 0;
        int total = 0;
        for (String t : tasks) {
            Cell rand = cell("rand", t);
            Cell mfcc = cell("mfcc", t);
            sb.append(String.format(Locale.ROOT, "%-26s rand %s  mfcc %s%n", t, fmt(rand), fmt(mfcc)));
            for (String r : trainedRuns()) {
                Cell c = cell(r, t);
                if (c == null) {
                    continue;
                }
                boolean better = rand != null && c.mean() > rand.mean();
                total++;
                beat += better ? 1 : 0;
                sb.append(String.format(Locale.ROOT, "    %-24s %s%s%n", r + " (" + c.strategy() + ")", fmt(c),
                        rand == null ? "" : better ? "  > rand" : "  <= rand"));
            }
        }
        sb.append(String.format(Locale.ROOT, "trained representations beat Rand in %d of %d (run, task) pairs%n",
                beat, total));
        return sb.toString();
    }

    private static String fmt(Cell c) {
        return c == null ? "   -   " : String.format(Locale.ROOT, "%.3f±%.3f", c.mean(), c.std());
    }

    /** The whole page. */
    public String html(String title) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1200px}"
                        + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
                        + "text-align:right}th{background:#f3f3f3}td.l{text-align:left}.panels{display:flex;"
                        + "flex-wrap:wrap;gap:12px}svg{background:#fff;border:1px solid #ddd}"
                        + "pre{background:#f7f7f7;padding:1em;font-size:12px}</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        h.append("<p>Means over repetitions. Baselines: Rand (untrained network, dashed red) and MFCC (120-d, dotted "
                + "blue). Recommendation: nDCG@500 with the paper-era untruncated IDCG (the CSV also has the "
                + "truncated one).</p>\n");
        h.append("<h2>Scores per task by strategy (paper Fig. 9)</h2>\n<div class=\"panels\">\n");
        for (String t : tasks) {
            h.append(taskPanel(t));
        }
        h.append("</div>\n<h2>Standardised score by number of sources (paper Fig. 10)</h2>\n");
        h.append(sourcesPanel());
        h.append("<h2>Table</h2>\n").append(table());
        h.append("<h2>Summary</h2>\n<pre>").append(esc(summary())).append("</pre>\n</body></html>\n");
        return h.toString();
    }

    private String taskPanel(String task) {
        List<String> st = strategies();
        List<Double> vals = new ArrayList<>();
        cells.stream().filter(c -> c.task().equals(task)).forEach(c -> vals.add(c.mean()));
        double[] yr = SvgPlot.range(vals.stream().mapToDouble(d -> d).min().orElse(0),
                vals.stream().mapToDouble(d -> d).max().orElse(1));
        SvgPlot p = new SvgPlot(340, 220, 56, 10, 24, 40, 0, Math.max(1, st.size()), yr[0], yr[1]);
        p.title(task).axes(4, "%.3f", "strategy", task.substring(task.indexOf(' ') + 1));
        for (int i = 0; i < st.size(); i++) {
            double cx = i + 0.5;
            p.xTick(cx, Palette.strategyName(st.get(i)));
            List<Cell> cs = new ArrayList<>();
            for (String run : trainedRuns()) {
                Cell c = cell(run, task);
                if (c != null && c.strategy().equals(st.get(i))) {
                    cs.add(c);
                }
            }
            for (int j = 0; j < cs.size(); j++) {
                double x = cx + (cs.size() == 1 ? 0 : (j - (cs.size() - 1) / 2.0) * Math.min(0.12, 0.8 / cs.size()));
                p.point(x, cs.get(j).mean(), 4, Palette.strategy(st.get(i)), false, 0.9, String.format(Locale.ROOT,
                        "%s (%s): %.4f ± %.4f", cs.get(j).run(), cs.get(j).sources(), cs.get(j).mean(), cs.get(j).std()));
            }
        }
        Cell rand = cell("rand", task);
        Cell mfcc = cell("mfcc", task);
        if (rand != null) {
            p.hline(rand.mean(), Palette.RAND, "6,3", "Rand");
        }
        if (mfcc != null) {
            p.hline(mfcc.mean(), Palette.MFCC, "2,2", "MFCC");
        }
        return p.toString();
    }

    private String sourcesPanel() {
        // z-score each task's trained-run means, then pool (run, task) points per strategy.
        Map<String, List<double[]>> pts = new TreeMap<>(Palette.ORDER);
        for (String t : tasks) {
            List<Cell> cs = new ArrayList<>();
            for (String r : trainedRuns()) {
                Cell c = cell(r, t);
                if (c != null) {
                    cs.add(c);
                }
            }
            if (cs.size() < 2) {
                continue;
            }
            double m = cs.stream().mapToDouble(Cell::mean).average().orElse(0);
            double v = cs.stream().mapToDouble(c -> (c.mean() - m) * (c.mean() - m)).sum() / cs.size();
            double sd = v > 0 ? Math.sqrt(v) : 1;
            for (Cell c : cs) {
                pts.computeIfAbsent(c.strategy(), k -> new ArrayList<>())
                        .add(new double[]{c.sourceCount(), (c.mean() - m) / sd});
            }
        }
        if (pts.isEmpty()) {
            return "<p>(needs at least two trained runs)</p>\n";
        }
        double xmax = pts.values().stream().flatMap(List::stream).mapToDouble(q -> q[0]).max().orElse(1);
        double ylo = pts.values().stream().flatMap(List::stream).mapToDouble(q -> q[1]).min().orElse(-1) - 0.2;
        double yhi = pts.values().stream().flatMap(List::stream).mapToDouble(q -> q[1]).max().orElse(1) + 0.2;
        SvgPlot p = new SvgPlot(560, 300, 56, 150, 14, 36, 0.5, xmax + 0.5, ylo, yhi);
        p.axes(4, "%.2f", "number of learning sources", "standardised score");
        for (int k = 1; k <= (int) xmax; k++) {
            p.xTick(k, Integer.toString(k));
        }
        int i = 0;
        List<String> names = new ArrayList<>();
        List<String> colors = new ArrayList<>();
        for (Map.Entry<String, List<double[]>> e : pts.entrySet()) {
            String col = Palette.strategy(e.getKey());
            for (double[] q : e.getValue()) {
                p.point(q[0] + 0.06 * (i - pts.size() / 2.0), q[1], 3, col, false, 0.6, null);
            }
            double[] fit = linearFit(e.getValue());
            if (fit != null) {
                p.line(1, fit[0] + fit[1], xmax, fit[0] + fit[1] * xmax, col, 2, null);
            }
            names.add(Palette.strategyName(e.getKey()) + (fit == null ? "" : String.format(Locale.ROOT, " (slope %.2f)",
                    fit[1])));
            colors.add(col);
            i++;
        }
        p.legend(names, colors, p.plotRight() + 10, 14);
        return p.toString();
    }

    /** Least squares y = a + b x; null when x does not vary. */
    static double[] linearFit(List<double[]> p) {
        double mx = p.stream().mapToDouble(q -> q[0]).average().orElse(0);
        double my = p.stream().mapToDouble(q -> q[1]).average().orElse(0);
        double sxx = 0;
        double sxy = 0;
        for (double[] q : p) {
            sxx += (q[0] - mx) * (q[0] - mx);
            sxy += (q[0] - mx) * (q[1] - my);
        }
        if (sxx < 1e-12) {
            return null;
        }
        double b = sxy / sxx;
        return new double[]{my - b * mx, b};
    }

    private String table() {
        StringBuilder s = new StringBuilder("<table><tr><th>run</th><th>strategy</th><th>sources</th>");
        for (String t : tasks) {
            s.append("<th>").append(esc(t)).append("</th>");
        }
        s.append("</tr>\n");
        for (String r : runs) {
            Cell any = cells.stream().filter(c -> c.run().equals(r)).findFirst().orElseThrow();
            s.append("<tr><td class=\"l\">").append(esc(r)).append("</td><td class=\"l\">").append(esc(any.strategy()))
                    .append("</td><td class=\"l\">").append(esc(any.sources())).append("</td>");
            for (String t : tasks) {
                Cell c = cell(r, t);
                Cell rand = cell("rand", t);
                boolean bold = c != null && rand != null && !BASELINES.contains(r) && c.mean() > rand.mean();
                s.append("<td>").append(bold ? "<b>" : "").append(esc(fmt(c))).append(bold ? "</b>" : "")
                        .append("</td>");
            }
            s.append("</tr>\n");
        }
        return s.append("</table>\n").toString();
    }

    static String esc(String s) {
        return SvgPlot.esc(s);
    }
}
