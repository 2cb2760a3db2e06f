package dev.mtdtl.study.analysis;

import dev.mtdtl.eval.Palette;
import dev.mtdtl.eval.SvgPlot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The study report's figures (paper Figs. 7, 9-14, 16) as inline SVG through {@link SvgPlot}, one colour
 * per strategy ({@link Palette}) in every figure, axes labelled, intervals drawn. Each method returns an
 * SVG element (or a short HTML note saying why the figure cannot be drawn).
 */
final class StudyFigures {

    private StudyFigures() {}

    static String note(String text) {
        return "<p class=\"note\">" + SvgPlot.esc(text) + "</p>\n";
    }

    /** Fig. 7: the design's main-effects alias matrix as a heatmap of |alias| (white 0, dark red 1). */
    static String fig7(DesignInfo d) {
        int k = d.labels().size();
        int cell = Math.max(12, Math.min(28, 420 / Math.max(1, k)));
        int left = 90;
        int top = 90;
        SvgPlot p = new SvgPlot(left + k * cell + 80, top + k * cell + 20, left, 80, top, 20, 0, 1, 0, 1);
        for (int i = 0; i < k; i++) {
            p.text(left - 4, top + i * cell + cell * 0.7, d.labels().get(i), "end", "");
            p.text(0, 0, d.labels().get(i), "start", String.format(Locale.ROOT,
                    "transform=\"translate(%.1f,%d) rotate(-60)\"", left + i * cell + cell * 0.6, top - 4));
            for (int j = 0; j < k; j++) {
                double v = Math.min(1, Math.abs(d.matrix()[i][j]));
                p.rectPx(left + j * cell, top + i * cell, cell - 1, cell - 1, heat(v), String.format(Locale.ROOT,
                        "%s vs %s: %.3f", d.labels().get(i), d.labels().get(j), d.matrix()[i][j]));
            }
        }
        int lx = left + k * cell + 14;
        for (int s = 0; s <= 10; s++) {
            p.rectPx(lx, top + (10 - s) * 12, 14, 12, heat(s / 10.0), null);
        }
        p.text(lx + 18, top + 10, "1", "start", "").text(lx + 18, top + 130, "0", "start", "")
                .text(lx, top - 8, "|alias|", "start", "");
        return p.toString();
    }

    private static String heat(double v) {
        int r = (int) Math.round(255 - v * (255 - 165));
        int g = (int) Math.round(255 - v * 255);
        int b = (int) Math.round(255 - v * 255);
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    /** Fig. 9: raw score per task by strategy: a dot per run, the strategy mean as a bar, baselines as lines. */
    static String fig9(Scores sc, String task) {
        List<Scores.Score> runs = sc.trained().stream().filter(s -> s.task().equals(task)).toList();
        List<Scores.Score> base = sc.baselines().stream().filter(s -> s.task().equals(task)).toList();
        List<String> st = Scores.STRATEGIES.stream().filter(s -> runs.stream().anyMatch(r -> r.strategy().equals(s))).toList();
        if (runs.isEmpty()) {
            return note(task + ": no trained runs");
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Scores.Score s : runs) {
            lo = Math.min(lo, s.value());
            hi = Math.max(hi, s.value());
        }
        for (Scores.Score s : base) {
            lo = Math.min(lo, s.value());
            hi = Math.max(hi, s.value());
        }
        double[] yr = SvgPlot.range(lo, hi);
        SvgPlot p = new SvgPlot(Math.max(300, 80 + 62 * st.size()), 230, 56, 10, 24, 40, 0, st.size(), yr[0], yr[1]);
        p.title(task).axes(4, "%.3f", null, "score");
        for (int i = 0; i < st.size(); i++) {
            String s = st.get(i);
            String col = Palette.strategy(s);
            p.xTick(i + 0.5, Palette.strategyName(s));
            List<Scores.Score> g = runs.stream().filter(r -> r.strategy().equals(s)).toList();
            double m = 0;
            for (int j = 0; j < g.size(); j++) {
                double x = i + 0.5 + (g.size() == 1 ? 0 : 0.5 * (j / (g.size() - 1.0) - 0.5));
                p.point(x, g.get(j).value(), 3, col, false, 0.55, String.format(Locale.ROOT, "%s (%s): %.4f",
                        g.get(j).run(), String.join("+", g.get(j).sources()), g.get(j).value()));
                m += g.get(j).value();
            }
            m /= g.size();
            p.line(i + 0.2, m, i + 0.8, m, col, 3, null);
        }
        for (Scores.Score b : base) {
            p.hline(b.value(), Palette.strategy(b.strategy()), b.strategy().equals("rand") ? "6,3" : "2,2",
                    b.strategy().equals("rand") ? "Rand" : b.strategy().equals("mfcc") ? "MFCC" : b.run());
        }
        return p.toString();
    }

    /** Fig. 10: y* by number of sources: dots per run, means per (strategy, n), SS-R mean line, a fit per strategy. */
    static String fig10(Scores sc, String task) {
        List<Scores.Row> rows = task == null ? sc.rows() : sc.rows().stream().filter(r -> r.task().equals(task)).toList();
        if (rows.isEmpty()) {
            return note("no standardised scores");
        }
        int nmax = rows.stream().mapToInt(r -> r.score().nSources()).max().orElse(1);
        double[] yr = SvgPlot.range(rows.stream().mapToDouble(Scores.Row::ystar).min().orElse(-1),
                rows.stream().mapToDouble(Scores.Row::ystar).max().orElse(1));
        SvgPlot p = new SvgPlot(task == null ? 620 : 330, task == null ? 320 : 240, 50, task == null ? 130 : 10, 24, 36,
                0.5, nmax + 0.5, yr[0], yr[1]);
        p.title(task == null ? "all tasks" : task).axes(4, "%.1f", "number of learning sources", "standardised score y*");
        for (int n = 1; n <= nmax; n++) {
            p.xTick(n, Integer.toString(n));
        }
        List<String> st = sc.strategies();
        double ssrMean = rows.stream().filter(r -> r.strategy().equals("ssr")).mapToDouble(Scores.Row::ystar).average()
                .orElse(Double.NaN);
        if (Double.isFinite(ssrMean)) {
            p.hline(ssrMean, "#000", null, "SS-R mean");
        }
        for (int i = 0; i < st.size(); i++) {
            String s = st.get(i);
            String col = Palette.strategy(s);
            double off = 0.07 * (i - (st.size() - 1) / 2.0);
            List<Scores.Row> g = rows.stream().filter(r -> r.strategy().equals(s)).toList();
            Map<Integer, double[]> byN = new LinkedHashMap<>();
            for (Scores.Row r : g) {
                p.point(r.score().nSources() + off, r.ystar(), 2, col, false, 0.3, null);
                double[] a = byN.computeIfAbsent(r.score().nSources(), k -> new double[2]);
                a[0] += r.ystar();
                a[1]++;
            }
            byN.forEach((n, a) -> p.point(n + off, a[0] / a[1], 4.5, col, false, 1, String.format(Locale.ROOT,
                    "%s, n = %d: mean %.3f over %d", Palette.strategyName(s), n, a[0] / a[1], (int) a[1])));
            Inference.Line l = Inference.line(g.stream().mapToDouble(r -> r.score().nSources()).toArray(),
                    g.stream().mapToDouble(Scores.Row::ystar).toArray());
            if (l != null) {
                int n0 = g.stream().mapToInt(r -> r.score().nSources()).min().orElse(1);
                int n1 = g.stream().mapToInt(r -> r.score().nSources()).max().orElse(nmax);
                p.line(n0, l.a() + l.b() * n0, n1, l.a() + l.b() * n1, col, 2, null);
            }
        }
        if (task == null) {
            p.legend(st.stream().map(Palette::strategyName).toList(), st.stream().map(Palette::strategy).toList(),
                    p.plotRight() + 12, 30);
        }
        return p.toString();
    }

    /** Figs. 11 and 12: fixed effects with their 95% intervals, grouped, a zero line. */
    static String effects(String title, List<StudyAnalysis.Estimate> es, List<String> labels, List<String> colors,
                          String yLabel) {
        if (es.isEmpty()) {
            return note(title + ": nothing estimated");
        }
        double lo = 0;
        double hi = 0;
        for (StudyAnalysis.Estimate e : es) {
            lo = Math.min(lo, e.lo() == null ? e.estimate() : e.lo());
            hi = Math.max(hi, e.hi() == null ? e.estimate() : e.hi());
        }
        double[] yr = SvgPlot.range(lo, hi);
        SvgPlot p = new SvgPlot(Math.max(260, 70 + 62 * es.size()), 260, 56, 10, 24, 40, 0, es.size(), yr[0], yr[1]);
        p.title(title).axes(4, "%.2f", null, yLabel).hline(0, "#999", "3,3", null);
        for (int i = 0; i < es.size(); i++) {
            StudyAnalysis.Estimate e = es.get(i);
            p.xTick(i + 0.5, labels.get(i));
            if (e.lo() != null) {
                p.vInterval(i + 0.5, e.lo(), e.hi(), colors.get(i));
            }
            p.point(i + 0.5, e.estimate(), 4.5, colors.get(i), false, 1, String.format(Locale.ROOT, "%s: %.3f%s",
                    e.term(), e.estimate(), StudyAnalysis.ci(e)));
        }
        return p.toString();
    }

    /** Fig. 13 for one task: runs with (filled) and without (hollow) the best SS-R source, fits and bands. */
    static String fig13(SourceAnalysis.Fig13 f) {
        if (f.bestSource() == null) {
            return note(f.task() + ": " + f.note());
        }
        int nmax = f.points().stream().mapToInt(SourceAnalysis.Point13::n).max().orElse(1);
        double lo = f.points().stream().mapToDouble(SourceAnalysis.Point13::ystar).min().orElse(-1);
        double hi = f.points().stream().mapToDouble(SourceAnalysis.Point13::ystar).max().orElse(1);
        double[] yr = SvgPlot.range(lo, hi);
        SvgPlot p = new SvgPlot(330, 250, 50, 10, 24, 36, 0.5, nmax + 0.5, yr[0], yr[1]);
        p.title(f.task() + ": best SS-R source " + f.bestSource()).axes(4, "%.1f", "number of learning sources", "y*");
        for (int n = 1; n <= nmax; n++) {
            p.xTick(n, Integer.toString(n));
        }
        for (boolean with : new boolean[]{true, false}) {
            Inference.Line l = with ? f.with() : f.without();
            if (l == null) {
                continue;
            }
            List<SourceAnalysis.Point13> side = f.points().stream().filter(q -> q.withBest() == with).toList();
            int n0 = side.stream().mapToInt(SourceAnalysis.Point13::n).min().orElse(1);
            int n1 = side.stream().mapToInt(SourceAnalysis.Point13::n).max().orElse(nmax);
            int steps = 20;
            double[] xs = new double[steps + 1];
            double[] bl = new double[steps + 1];
            double[] bh = new double[steps + 1];
            for (int i = 0; i <= steps; i++) {
                xs[i] = n0 + (n1 - n0) * i / (double) steps;
                double[] v = l.at(xs[i]);
                bl[i] = Math.max(yr[0], v[1]);
                bh[i] = Math.min(yr[1], v[2]);
            }
            p.band(xs, bl, bh, with ? "#000" : "#888", 0.12);
            p.line(n0, l.at(n0)[0], n1, l.at(n1)[0], "#000", 1.5, with ? null : "5,3");
        }
        for (SourceAnalysis.Point13 q : f.points()) {
            p.point(q.n() + (q.withBest() ? -0.08 : 0.08), q.ystar(), 3, Palette.strategy(q.strategy()), !q.withBest(),
                    0.85, String.format(Locale.ROOT, "%s (%s, n = %d): %.3f%s", q.run(), Palette.strategyName(q.strategy()),
                            q.n(), q.ystar(), q.withBest() ? ", with " + f.bestSource() : ""));
        }
        return p.toString();
    }

    /** Fig. 14: each source's component share against its standardised SS-R score, per task. */
    static String fig14(SourceAnalysis.Fig14 f, List<String> sources) {
        if (f.points().isEmpty()) {
            return note("Fig. 14: " + f.note());
        }
        double[] xr = SvgPlot.range(f.points().stream().mapToDouble(SourceAnalysis.Point14::ssrYstar).min().orElse(-1),
                f.points().stream().mapToDouble(SourceAnalysis.Point14::ssrYstar).max().orElse(1));
        SvgPlot p = new SvgPlot(560, 320, 50, 120, 24, 36, xr[0], xr[1], 0, 100);
        String t = f.r() == null ? "Pearson r: " + f.note() : String.format(Locale.ROOT, "Pearson r = %.2f%s over %d "
                + "(task, source) pairs", f.r(), f.lo() == null ? "" : String.format(Locale.ROOT, " [%.2f, %.2f]", f.lo(),
                f.hi()), f.points().size());
        p.title(t).axes(5, "%.0f", "standardised score of the source's SS-R runs", "% of the sources' variance");
        for (int k = 0; k <= 4; k++) {
            double v = xr[0] + (xr[1] - xr[0]) * k / 4;
            p.xTick(v, String.format(Locale.ROOT, "%.1f", v));
        }
        for (SourceAnalysis.Point14 q : f.points()) {
            String col = Palette.categorical(sources.indexOf(q.source()));
            p.point(q.ssrYstar(), q.percent(), 4, col, false, 0.85, String.format(Locale.ROOT, "%s on %s: %.1f%%, SS-R %.2f",
                    q.source(), q.task(), q.percent(), q.ssrYstar()));
        }
        List<String> cols = new ArrayList<>();
        sources.forEach(s -> cols.add(Palette.categorical(sources.indexOf(s))));
        p.legend(sources, cols, p.plotRight() + 12, 30);
        return p.toString();
    }

    /** Fig. 16: a t-SNE map coloured by label, with the learning sources' strongest topic terms per cluster. */
    static String fig16(TsneMap m) {
        double[] xr = SvgPlot.range(min(m.xy(), 0), max(m.xy(), 0));
        double[] yr = SvgPlot.range(min(m.xy(), 1), max(m.xy(), 1));
        SvgPlot p = new SvgPlot(640, 460, 20, 150, 24, 20, xr[0], xr[1], yr[0], yr[1]);
        p.title(m.title());
        List<String> labels = m.labelNames();
        for (int i = 0; i < m.ids().size(); i++) {
            p.point(m.xy()[i][0], m.xy()[i][1], 3.5, Palette.categorical(m.labels()[i]), false, 0.85,
                    m.ids().get(i) + ": " + labels.get(m.labels()[i]));
        }
        // Each note at its label's centroid, moved up or down in steps of its own height until its box
        // (about 5 px per character of 9 px text, 11 px per line) overlaps no note placed before it.
        List<double[]> placed = new ArrayList<>();
        for (TsneMap.ClusterNote c : m.clusterNotes()) {
            double px = p.x(c.x());
            double w = 5.0 * c.lines().stream().mapToInt(String::length).max().orElse(1);
            double h = 11.0 * c.lines().size();
            double py = p.y(c.y()) - h / 2;                 // the box centred on the centroid
            for (int step = 0; step < 40; step++) {
                double y = p.y(c.y()) - h / 2 + (step % 2 == 0 ? 1 : -1) * ((step + 1) / 2) * (h + 2);
                boolean free = placed.stream().noneMatch(b -> Math.abs(b[0] - px) * 2 < b[2] + w
                        && y < b[1] + b[3] && b[1] < y + h);
                if (free) {
                    py = y;
                    break;
                }
            }
            placed.add(new double[] {px, py, w, h});
            for (int i = 0; i < c.lines().size(); i++) {
                p.text(px, py + 9 + 11 * i, c.lines().get(i), "middle", "font-size=\"9\" fill=\"#222\" "
                        + "stroke=\"#fff\" stroke-width=\"2.5\" paint-order=\"stroke\"");
            }
        }
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            cols.add(Palette.categorical(i));
        }
        p.legend(labels, cols, p.plotRight() + 12, 30);
        return p.toString();
    }

    private static double min(double[][] xy, int c) {
        double v = Double.POSITIVE_INFINITY;
        for (double[] q : xy) {
            v = Math.min(v, q[c]);
        }
        return xy.length == 0 ? 0 : v;
    }

    private static double max(double[][] xy, int c) {
        double v = Double.NEGATIVE_INFINITY;
        for (double[] q : xy) {
            v = Math.max(v, q[c]);
        }
        return xy.length == 0 ? 1 : v;
    }
}
