package dev.mtdtl.study.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What each learning source contributes (paper section 5.3):
 * <ul>
 *   <li>Table 6: per task, over the non-SS-R runs, the variance component of each source (crossed
 *       random factors present/absent, {@link Models#sources}) as a percent of the sources' total
 *       (the paper's columns sum to about 100), with parametric-bootstrap intervals of that percent;</li>
 *   <li>Fig. 13: per task, the source best as SS-R (highest mean y* of its SS-R runs) and every run with
 *       and without it, by number of sources, with least-squares lines and their 95% bands;</li>
 *   <li>Fig. 14: the components against the sources' standardised SS-R scores, with Pearson's r and
 *       Fisher's interval (the paper: r = 0.38).</li>
 * </ul>
 */
public final class SourceAnalysis {

    /** The paper's source order (Table 6); other names follow, sorted. */
    public static final List<String> PAPER_ORDER = List.of("self", "year", "bpm", "taste", "tag", "lyrics", "cdr_tag",
            "artist");

    /** One source's component on one task; percent null when the sources' total is 0. */
    public record Component(String source, double variance, Double percent, Double lo, Double hi) {}

    /** Table 6's column for one task. */
    public record TaskTable(String task, int runs, List<Component> components, Double residual, String largest,
                            String intervals, List<String> notes, String error) {
        public Component component(String source) {
            return components.stream().filter(c -> c.source().equals(source)).findFirst().orElse(null);
        }
    }

    /** A run on a task for Fig. 13. */
    public record Point13(String run, String strategy, int n, double ystar, boolean withBest) {}

    /** Fig. 13's panel for one task. */
    public record Fig13(String task, String bestSource, Double bestSsrMean, List<Point13> points, Inference.Line with,
                        Inference.Line without, String note) {}

    /** A (task, source) point of Fig. 14. */
    public record Point14(String task, String source, double percent, double ssrYstar) {}

    /** Fig. 14. */
    public record Fig14(List<Point14> points, Double r, Double lo, Double hi, String note) {}

    private final List<String> sources;
    private final List<TaskTable> table = new ArrayList<>();
    private final List<Fig13> fig13 = new ArrayList<>();
    private Fig14 fig14;
    private final Scores scores;

    private SourceAnalysis(Scores scores) {
        this.scores = scores;
        TreeSet<String> seen = new TreeSet<>();
        scores.trained().forEach(s -> seen.addAll(s.sources()));
        List<String> order = new ArrayList<>();
        PAPER_ORDER.stream().filter(seen::contains).forEach(order::add);
        seen.stream().filter(s -> !order.contains(s)).forEach(order::add);
        this.sources = order;
    }

    public List<String> sources() {
        return sources;
    }

    public List<TaskTable> table() {
        return table;
    }

    public List<Fig13> fig13() {
        return fig13;
    }

    public Fig14 fig14() {
        return fig14;
    }

    /** Table 6, Fig. 13 and Fig. 14 from the standardised scores. */
    public static SourceAnalysis run(Scores scores, StudyAnalysis.Options o) {
        SourceAnalysis a = new SourceAnalysis(scores);
        for (String task : scores.tasks()) {
            List<Scores.Row> rows = scores.rows().stream().filter(r -> r.task().equals(task)).toList();
            a.table.add(a.taskTable(task, rows, o));
            a.fig13.add(a.fig13(task, rows));
        }
        a.fig14 = a.computeFig14();
        return a;
    }

    private TaskTable taskTable(String task, List<Scores.Row> rows, StudyAnalysis.Options o) {
        long ms = rows.stream().filter(r -> !r.strategy().equals("ssr")).count();
        if (sources.isEmpty()) {
            return new TaskTable(task, (int) ms, List.of(), null, null, "", List.of(), "the results name no learning "
                    + "sources (the sources column is empty)");
        }
        Models.Built b = Models.sources(rows, sources);
        Lmm.Design d = b.design();
        if (d.vcNames().isEmpty()) {
            return new TaskTable(task, (int) ms, List.of(), null, null, "", b.notes(), ms < 2
                    ? ms + " multi-source run(s): no source component can be estimated"
                    : "no source is present in some multi-source runs and absent in others");
        }
        if (d.rows() <= 2) {
            return new TaskTable(task, (int) ms, List.of(), null, null, "", b.notes(), d.rows()
                    + " multi-source run(s): too few to estimate variance components");
        }
        Lmm.Fit fit;
        try {
            fit = Lmm.fit(d, b.y());
        } catch (IllegalArgumentException | IllegalStateException e) {
            return new TaskTable(task, (int) ms, List.of(), null, null, "", b.notes(), "cannot be fitted: " + e.getMessage());
        }
        double total = 0;
        for (double v : fit.vc()) {
            total += v;
        }
        Bootstrap.Replicates reps = o.bootstrap() > 0 ? Bootstrap.run(d, fit, o.bootstrap(),
                o.seed() * 31 + 1000 + task.hashCode()) : null;
        int k = fit.vc().length;
        List<double[]> shares = new ArrayList<>();
        if (reps != null) {
            for (double[] v : reps.values()) {
                double t = 0;
                for (int c = 0; c < k; c++) {
                    t += v[1 + c];
                }
                if (t > 0) {
                    double[] s = new double[k];
                    for (int c = 0; c < k; c++) {
                        s[c] = 100 * v[1 + c] / t;
                    }
                    shares.add(s);
                }
            }
        }
        boolean boot = shares.size() >= 20;
        List<Component> comps = new ArrayList<>();
        String largest = null;
        double best = -1;
        for (int c = 0; c < k; c++) {
            Double pct = total > 0 ? 100 * fit.vc()[c] / total : null;
            Double lo = null;
            Double hi = null;
            if (boot) {
                double[] col = new double[shares.size()];
                for (int i = 0; i < col.length; i++) {
                    col[i] = shares.get(i)[c];
                }
                double[] ci = Inference.percentile95(col);
                lo = ci[0];
                hi = ci[1];
            }
            comps.add(new Component(fit.vcNames().get(c), fit.vc()[c], pct, lo, hi));
            if (total > 0 && fit.vc()[c] > best) {
                best = fit.vc()[c];
                largest = fit.vcNames().get(c);
            }
        }
        List<String> notes = new ArrayList<>(b.notes());
        if (total <= 0) {
            notes.add("every source component is 0: no source explains variance between runs, so no percentages");
        }
        String iv = boot ? "parametric bootstrap, 95% percentile of the percent, " + shares.size() + " of "
                + reps.requested() + " replicates with a positive total" : "none (no bootstrap)";
        return new TaskTable(task, (int) ms, comps, fit.residualVariance(), largest, iv, notes, null);
    }

    /** Mean y* of each source's SS-R runs on a task (insertion order of sources). */
    private Map<String, Double> ssrMeans(List<Scores.Row> rows) {
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (Scores.Row r : rows) {
            if (r.strategy().equals("ssr") && r.score().sources().size() == 1) {
                double[] a = acc.computeIfAbsent(r.score().sources().get(0), s -> new double[2]);
                a[0] += r.ystar();
                a[1]++;
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        acc.forEach((s, a) -> out.put(s, a[0] / a[1]));
        return out;
    }

    private Fig13 fig13(String task, List<Scores.Row> rows) {
        Map<String, Double> m = ssrMeans(rows);
        if (m.isEmpty()) {
            return new Fig13(task, null, null, List.of(), null, null, "no SS-R run with a named source on this task");
        }
        String best = null;
        for (Map.Entry<String, Double> e : m.entrySet()) {
            if (best == null || e.getValue() > m.get(best)) {
                best = e.getKey();
            }
        }
        List<Point13> pts = new ArrayList<>();
        for (Scores.Row r : rows) {
            pts.add(new Point13(r.score().run(), r.strategy(), r.score().nSources(), r.ystar(),
                    r.score().sources().contains(best)));
        }
        Inference.Line with = line(pts, true);
        Inference.Line without = line(pts, false);
        return new Fig13(task, best, m.get(best), pts, with, without, with == null || without == null
                ? "a line needs runs with at least two different numbers of sources on its side" : "");
    }

    private static Inference.Line line(List<Point13> pts, boolean with) {
        List<Point13> s = pts.stream().filter(p -> p.withBest() == with).toList();
        return Inference.line(s.stream().mapToDouble(Point13::n).toArray(), s.stream().mapToDouble(Point13::ystar).toArray());
    }

    private Fig14 computeFig14() {
        List<Point14> pts = new ArrayList<>();
        for (TaskTable t : table) {
            if (t.error() != null) {
                continue;
            }
            Map<String, Double> m = ssrMeans(scores.rows().stream().filter(r -> r.task().equals(t.task())).toList());
            for (Component c : t.components()) {
                if (c.percent() != null && m.containsKey(c.source())) {
                    pts.add(new Point14(t.task(), c.source(), c.percent(), m.get(c.source())));
                }
            }
        }
        double[] r = Inference.pearsonWithInterval(pts.stream().mapToDouble(Point14::ssrYstar).toArray(),
                pts.stream().mapToDouble(Point14::percent).toArray());
        if (r == null) {
            return new Fig14(pts, null, null, null, pts.size() < 3 ? pts.size() + " (task, source) pair(s) with both a "
                    + "component and SS-R runs: too few for a correlation" : "one of the two variables does not vary");
        }
        return new Fig14(pts, r[0], r[1], r[2], pts.size() < 4 ? "fewer than 4 pairs: no interval" : "");
    }

    /** The task taken as tempo-defined: the option, else the first whose name says dance or ballroom. */
    String tempoTask(StudyAnalysis.Options o) {
        if (o.tempoTask() != null) {
            return scores.tasks().stream().filter(t -> t.equals(o.tempoTask()) || t.startsWith(o.tempoTask() + "/"))
                    .findFirst().orElse(o.tempoTask());
        }
        return scores.tasks().stream().filter(t -> t.toLowerCase(Locale.ROOT).contains("dance")
                || t.toLowerCase(Locale.ROOT).contains("ballroom")).findFirst().orElse(null);
    }

    StudyAnalysis.Finding tempoFinding(StudyAnalysis.Options o) {
        String claim = "a tempo source dominates a tempo-defined task";
        String paper = "bpm: 96% of the sources' variance on Ballroom (Table 6), and the best SS-R there";
        String measure = "share of " + o.tempoSource() + " in the sources' variance on the tempo-defined task (Table 6)";
        String task = tempoTask(o);
        if (task == null) {
            return new StudyAnalysis.Finding("tempo_source", claim, paper, measure, null, null, null, "cannot say",
                    "no task is tempo-defined by name (dance, ballroom); name one with --tempo-task");
        }
        TaskTable t = table.stream().filter(x -> x.task().equals(task)).findFirst().orElse(null);
        if (t == null) {
            return new StudyAnalysis.Finding("tempo_source", claim, paper, measure, null, null, null, "cannot say",
                    "task " + task + " has no standardisable scores in these results");
        }
        Fig13 f = fig13.stream().filter(x -> x.task().equals(task)).findFirst().orElse(null);
        String bestSsr = f == null || f.bestSource() == null ? "" : "; best SS-R source there: " + f.bestSource();
        Component c = t.component(o.tempoSource());
        if (t.error() != null || c == null || c.percent() == null) {
            return new StudyAnalysis.Finding("tempo_source", claim, paper, measure, null, null, null, "cannot say",
                    "on " + task + ": " + (t.error() != null ? t.error() : c == null ? o.tempoSource()
                            + " has no estimable component (" + String.join("; ", t.notes()) + ")"
                            : "the sources' total variance is 0") + bestSsr);
        }
        boolean largest = o.tempoSource().equals(t.largest());
        double second = t.components().stream().filter(x -> x != c && x.percent() != null)
                .mapToDouble(Component::percent).max().orElse(0);
        String verdict = !largest ? "not supported (" + t.largest() + " has the largest component)"
                : c.lo() == null ? "consistent (largest component; no interval)"
                // its interval must clear the next share and 1% of the variance: a lower bound of 1e-9 % above
                // a next share of 0 (all other components at the boundary) is no evidence of dominance
                : c.lo() > second && c.lo() >= 1.0 ? "supported"
                : "consistent but uncertain (its interval reaches " + (c.lo() < 1.0 ? "0" : "the next source's share")
                        + ")";
        return new StudyAnalysis.Finding("tempo_source", claim, paper, measure, c.percent(), c.lo(), c.hi(), verdict,
                String.format(Locale.ROOT, "on %s, %s holds %.1f%% of the sources' variance%s (largest: %s, next "
                        + "largest %.1f%%)%s", task, o.tempoSource(), c.percent(), c.lo() == null ? ""
                        : String.format(Locale.ROOT, " [%.1f, %.1f]", c.lo(), c.hi()), t.largest(), second, bestSsr));
    }
}
