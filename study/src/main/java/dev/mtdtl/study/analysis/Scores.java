package dev.mtdtl.study.analysis;

import dev.mtdtl.eval.Evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The study's observations: one score per (run, task), a task being a (dataset, metric) pair (the paper
 * treats Arousal and Valence, two metrics of one dataset, as two datasets), the score being the mean
 * over the evaluation's repetitions (paper section 4.4: "average performance scores over the 5
 * different train-test splits"). Baselines (runs whose strategy is not one of the six) are kept apart.
 *
 * <p>Standardisation (paper section 5.2): y* = (y - mean_d) / sd_d over the trained runs of task d,
 * sd with ddof 1; n* = 0 for SS-R and n - 2 otherwise; r* = 0, 0.2, ..., 1 for SS-R, MS-SR@FC,
 * MS-CR@6, MS-CR@4, MS-CR@2, MSS-CR.
 */
public final class Scores {

    /** The six strategies in the order of r*, the network size (paper Fig. 5). */
    public static final List<String> STRATEGIES = List.of("ssr", "mssrfc", "mscr6", "mscr4", "mscr2", "msscr");

    /** One observation: a run's mean score on a task. sources may be empty when only n is known. */
    public record Score(String run, String strategy, int nSources, List<String> sources, String task, double value,
                        int repetitions) {}

    /** A standardised observation. */
    public record Row(Score score, double ystar, double nstar, double rstar) {
        public String task() {
            return score.task();
        }

        public String strategy() {
            return score.strategy();
        }
    }

    /** Per-task standardisation: mean and sd (ddof 1) over its trained runs. */
    public record TaskStats(String task, double mean, double sd, int runs) {}

    private final List<Score> trained = new ArrayList<>();
    private final List<Score> baselines = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, TaskStats> stats = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    /** From scores (any order); tasks without variance are left out of the standardised rows, with a note. */
    public Scores(List<Score> scores) {
        Map<String, List<Score>> byTask = new LinkedHashMap<>();
        for (Score s : scores) {
            if (!Double.isFinite(s.value())) {
                notes.add("run " + s.run() + " on " + s.task() + ": score " + s.value() + " is not a number; left out");
                continue;
            }
            if (STRATEGIES.contains(s.strategy())) {
                trained.add(s);
                byTask.computeIfAbsent(s.task(), k -> new ArrayList<>()).add(s);
            } else {
                baselines.add(s);
            }
        }
        for (String task : new TreeSet<>(byTask.keySet())) {
            List<Score> g = byTask.get(task);
            double m = g.stream().mapToDouble(Score::value).average().orElse(0);
            double ss = 0;
            for (Score s : g) {
                ss += (s.value() - m) * (s.value() - m);
            }
            if (g.size() < 2) {
                notes.add("task " + task + ": one trained run only; cannot be standardised (sd needs 2 runs); left out "
                        + "of the models");
                continue;
            }
            double sd = Math.sqrt(ss / (g.size() - 1));
            if (!(sd > 1e-12 * Math.max(1, Math.abs(m)))) {
                notes.add("task " + task + ": every trained run scores " + fmt(m) + " (zero variance); cannot be "
                        + "standardised; left out of the models");
                continue;
            }
            stats.put(task, new TaskStats(task, m, sd, g.size()));
            for (Score s : g) {
                double nstar = s.strategy().equals("ssr") ? 0 : s.nSources() - 2;
                rows.add(new Row(s, (s.value() - m) / sd, nstar, rstar(s.strategy())));
            }
        }
        for (Score s : trained) {
            if (!s.strategy().equals("ssr") && s.nSources() < 2) {
                notes.add("run " + s.run() + ": strategy " + s.strategy() + " with " + s.nSources() + " source(s); "
                        + "n* = n - 2 is negative for it");
                break;
            }
        }
    }

    /** r* of a strategy (paper section 5.2). */
    public static double rstar(String strategy) {
        int i = STRATEGIES.indexOf(strategy);
        if (i < 0) {
            throw new IllegalArgumentException("unknown strategy '" + strategy + "' (one of " + STRATEGIES + ")");
        }
        return i * 0.2;
    }

    /** Scores from tidy results rows: the mean over repetitions per (run, dataset, metric). */
    public static List<Score> fromResults(List<Evaluation.Row> results) {
        Map<String, List<Evaluation.Row>> g = new LinkedHashMap<>();
        for (Evaluation.Row r : results) {
            if (r.metric().contains("truncated")) {
                continue;     // the paper-era nDCG is the study's metric; the truncated one is a side view
            }
            g.computeIfAbsent(r.run() + "\u0000" + r.dataset() + "\u0000" + r.metric(), k -> new ArrayList<>()).add(r);
        }
        Map<String, Long> metricsPerDataset = new LinkedHashMap<>();
        Map<String, TreeSet<String>> metrics = new LinkedHashMap<>();
        for (Evaluation.Row r : results) {
            if (!r.metric().contains("truncated")) {
                metrics.computeIfAbsent(r.dataset(), k -> new TreeSet<>()).add(r.metric());
            }
        }
        metrics.forEach((k, v) -> metricsPerDataset.put(k, (long) v.size()));
        List<Score> out = new ArrayList<>();
        for (List<Evaluation.Row> rs : g.values()) {
            Evaluation.Row r0 = rs.get(0);
            double s = 0;
            for (Evaluation.Row r : rs) {
                s += r.value();
            }
            List<String> src = r0.sources().isEmpty() ? List.of() : List.of(r0.sources().split("\\+"));
            String task = metricsPerDataset.get(r0.dataset()) > 1 ? r0.dataset() + "/" + shortMetric(r0.metric())
                    : r0.dataset();
            out.add(new Score(r0.run(), r0.strategy(), src.size(), src, task, s / rs.size(), rs.size()));
        }
        return out;
    }

    // "r2_arousal" -> "arousal": a dataset with several metrics becomes several tasks, named by what varies.
    private static String shortMetric(String metric) {
        int u = metric.indexOf('_');
        return u > 0 && u < metric.length() - 1 ? metric.substring(u + 1) : metric;
    }

    public List<Row> rows() {
        return rows;
    }

    public List<Score> trained() {
        return trained;
    }

    public List<Score> baselines() {
        return baselines;
    }

    public Map<String, TaskStats> stats() {
        return stats;
    }

    /** Tasks that entered the models, sorted. */
    public List<String> tasks() {
        return new ArrayList<>(stats.keySet());
    }

    /** Every task seen, standardisable or not, sorted. */
    public List<String> allTasks() {
        TreeSet<String> t = new TreeSet<>();
        trained.forEach(s -> t.add(s.task()));
        baselines.forEach(s -> t.add(s.task()));
        return new ArrayList<>(t);
    }

    /** Strategies with standardised rows, in r* order. */
    public List<String> strategies() {
        return STRATEGIES.stream().filter(s -> rows.stream().anyMatch(r -> r.strategy().equals(s))).toList();
    }

    /** What could not be used and why. */
    public List<String> notes() {
        return notes;
    }

    static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
