package dev.mtdtl.study.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The paper's section 5 analysis of a study's results: standardised scores, Model 1 and Model 2 by REML
 * with parametric-bootstrap 95% intervals, pairwise strategy comparisons, the per-source variance
 * components (Table 6) with Figures 13 and 14 ({@link SourceAnalysis}), and the four findings stated
 * with their estimate, interval and verdict.
 *
 * <p>Bad input is reported, not thrown: a model that cannot be fitted carries its reason in
 * {@code error}, left-out terms are listed in {@code notes}, and no value is NaN (absent values are null).
 */
public final class StudyAnalysis {

    /**
     * Options: bootstrap replicates (0: Wald intervals only), seed, the tempo-defined task for finding 4, and the
     * smallest lift of a label's topic for Fig. 16's terms ({@link TopicOverlay#MIN_LIFT}).
     */
    public record Options(int bootstrap, long seed, String tempoTask, String tempoSource, double tsneMinLift) {
        public Options {
            if (bootstrap < 0) {
                throw new IllegalArgumentException("bootstrap replicates must be >= 0 (0: Wald intervals only), got "
                        + bootstrap);
            }
        }

        public static Options defaults() {
            return new Options(1000, 1, null, "bpm", TopicOverlay.MIN_LIFT);
        }

        public Options withBootstrap(int b) {
            return new Options(b, seed, tempoTask, tempoSource, tsneMinLift);
        }

        public Options withSeed(long s) {
            return new Options(bootstrap, s, tempoTask, tempoSource, tsneMinLift);
        }

        public Options withTempoTask(String t) {
            return new Options(bootstrap, seed, t, tempoSource, tsneMinLift);
        }

        public Options withTsneMinLift(double l) {
            if (!(l >= 1) || Double.isInfinite(l)) {
                throw new IllegalArgumentException("the smallest lift of Fig. 16's topics must be a number >= 1, got " + l);
            }
            return new Options(bootstrap, seed, tempoTask, tempoSource, l);
        }
    }

    /** One estimate with its standard error (Wald, null for variances), 95% interval and p-values. */
    public record Estimate(String term, double estimate, Double se, Double lo, Double hi, Double pWald, Double pBoot) {}

    /** A fitted model, or the reason it could not be fitted. */
    public record ModelResult(String name, String formula, List<Estimate> fixed, List<Estimate> components,
                              Estimate residual, Double remlLogLik, boolean converged, int rows, int tasks,
                              String intervals, List<String> notes, String error) {
        public Estimate fixed(String term) {
            return fixed.stream().filter(e -> e.term().equals(term)).findFirst().orElse(null);
        }
    }

    /**
     * A pairwise difference of strategy intercepts (Model 1), a minus b: Wald p-value (normal, REML
     * covariance), percentile-bootstrap p-value, and Holm's adjustment of the Wald p-values over all pairs.
     */
    public record Comparison(String a, String b, Estimate difference, Double pHolm) {}

    /** One of the paper's four findings as this study measures it. */
    public record Finding(String id, String claim, String paper, String measure, Double estimate, Double lo,
                          Double hi, String verdict, String text) {}

    /** Everything. */
    public record Result(Options options, Scores scores, List<String> notes, ModelResult model1, ModelResult model2,
                         List<Comparison> pairwise, SourceAnalysis sources, List<Finding> findings) {}

    private StudyAnalysis() {}

    /** Run the whole analysis. */
    public static Result run(Scores scores, Options o) {
        List<String> notes = new ArrayList<>(scores.notes());
        List<Scores.Row> rows = scores.rows();
        if (rows.isEmpty()) {
            notes.add("no standardisable scores of trained runs (strategies " + Scores.STRATEGIES + "): nothing "
                    + "can be estimated");
        }
        List<String> strategies = scores.strategies();
        Fitted m1 = fitModel("model1", "y* ~ 0 + strategy + strategy:n* + (0 + strategy | task) + (0 + strategy:n* | task), "
                + "independent", rows.isEmpty() ? null : Models.model1(rows), o, 1, scores.tasks().size());
        Fitted m2 = fitModel("model2", "y* ~ 1 + r* + n* + r*:n* + (0 + r* | task) + (0 + n* | task) + (0 + r*:n* | task), "
                + "independent", rows.isEmpty() ? null : Models.model2(rows), o, 2, scores.tasks().size());
        List<Comparison> pairwise = pairwise(m1, strategies);
        SourceAnalysis src = SourceAnalysis.run(scores, o);
        List<Finding> findings = findings(m1, m2, src, strategies, o);
        return new Result(o, scores, notes, m1.result, m2.result, pairwise, src, findings);
    }

    /** A model's result with what the derived quantities need (null fit when it failed). */
    record Fitted(ModelResult result, Lmm.Fit fit, Bootstrap.Replicates reps) {}

    static String intervalsLabel(Options o, Bootstrap.Replicates reps) {
        if (reps == null || reps.ok() < 20) {
            return "Wald (normal, conditional on the variance components)"
                    + (reps != null ? "; the bootstrap had only " + reps.ok() + " successful refits" : "");
        }
        return "parametric bootstrap, 95% percentile, B = " + reps.requested() + " (seed " + o.seed() + ")"
                + (reps.failed() > 0 ? ", " + reps.failed() + " refit(s) failed and were left out" : "");
    }

    private static Fitted fitModel(String name, String formula, Models.Built built, Options o, int tag, int tasks) {
        if (built == null) {
            return new Fitted(new ModelResult(name, formula, List.of(), List.of(), null, null, false, 0, 0, "",
                    List.of(), "no standardised scores"), null, null);
        }
        Lmm.Design d = built.design();
        Lmm.Fit fit;
        try {
            fit = Lmm.fit(d, built.y());
        } catch (IllegalArgumentException | IllegalStateException e) {
            return new Fitted(new ModelResult(name, formula, List.of(), List.of(), null, null, false, d.rows(), tasks,
                    "", built.notes(), "cannot be fitted: " + e.getMessage()), null, null);
        }
        Bootstrap.Replicates reps = o.bootstrap() > 0 ? Bootstrap.run(d, fit, o.bootstrap(), o.seed() * 31 + tag) : null;
        boolean boot = reps != null && reps.ok() >= 20;
        List<Estimate> fixed = new ArrayList<>();
        int p = fit.beta().length;
        for (int i = 0; i < p; i++) {
            double b = fit.beta()[i];
            double se = fit.se()[i];
            double[] ci = boot ? Inference.percentile95(reps.column(i))
                    : new double[]{b - Inference.Z975 * se, b + Inference.Z975 * se};
            fixed.add(new Estimate(fit.fixedNames().get(i), b, se, ci[0], ci[1], Inference.pTwoSided(b / se),
                    boot ? Inference.bootstrapP(reps.column(i)) : null));
        }
        List<Estimate> comps = new ArrayList<>();
        for (int c = 0; c < fit.vc().length; c++) {
            double[] ci = boot ? Inference.percentile95(reps.column(p + c)) : null;
            comps.add(new Estimate(fit.vcNames().get(c), fit.vc()[c], null, ci == null ? null : ci[0],
                    ci == null ? null : ci[1], null, null));
        }
        double[] rci = boot ? Inference.percentile95(reps.column(p + fit.vc().length)) : null;
        Estimate resid = new Estimate("residual", fit.residualVariance(), null, rci == null ? null : rci[0],
                rci == null ? null : rci[1], null, null);
        List<String> notes = new ArrayList<>(built.notes());
        if (!fit.converged()) {
            notes.add("the REML optimiser stopped before its convergence test was met; estimates are the best found");
        }
        return new Fitted(new ModelResult(name, formula, fixed, comps, resid, fit.remlLogLik(), fit.converged(),
                d.rows(), tasks, intervalsLabel(o, reps), notes, null), fit, boot ? reps : null);
    }

    /** An estimate of a function of the fixed effects: Wald by the delta method (linear), interval by bootstrap. */
    static Estimate linear(String term, Fitted m, double[] w) {
        Lmm.Fit f = m.fit();
        int p = f.beta().length;
        double est = 0;
        double var = 0;
        for (int i = 0; i < p; i++) {
            est += w[i] * f.beta()[i];
            for (int j = 0; j < p; j++) {
                var += w[i] * f.cov()[i * p + j] * w[j];
            }
        }
        double se = Math.sqrt(Math.max(var, 0));
        if (m.reps() == null) {
            return new Estimate(term, est, se, est - Inference.Z975 * se, est + Inference.Z975 * se,
                    se > 0 ? Inference.pTwoSided(est / se) : null, null);
        }
        double[] r = new double[m.reps().ok()];
        for (int b = 0; b < r.length; b++) {
            double[] v = m.reps().values().get(b);
            for (int i = 0; i < p; i++) {
                r[b] += w[i] * v[i];
            }
        }
        double[] ci = Inference.percentile95(r);
        return new Estimate(term, est, se, ci[0], ci[1], se > 0 ? Inference.pTwoSided(est / se) : null,
                Inference.bootstrapP(r));
    }

    private static double[] weights(Lmm.Fit f, String... termsThenWeights) {
        double[] w = new double[f.beta().length];
        for (int i = 0; i < termsThenWeights.length; i += 2) {
            w[f.fixedNames().indexOf(termsThenWeights[i])] += Double.parseDouble(termsThenWeights[i + 1]);
        }
        return w;
    }

    private static List<Comparison> pairwise(Fitted m1, List<String> strategies) {
        List<Comparison> out = new ArrayList<>();
        if (m1.fit() == null) {
            return out;
        }
        List<String> have = strategies.stream().filter(s -> m1.fit().fixedNames().contains("is_" + s)).toList();
        List<Estimate> diffs = new ArrayList<>();
        List<String[]> pairs = new ArrayList<>();
        for (int i = have.size() - 1; i >= 0; i--) {
            for (int j = i - 1; j >= 0; j--) {
                String a = have.get(i);
                String b = have.get(j);
                diffs.add(linear("is_" + a + " - is_" + b, m1, weights(m1.fit(), "is_" + a, "1", "is_" + b, "-1")));
                pairs.add(new String[]{a, b});
            }
        }
        double[] p = new double[diffs.size()];
        for (int i = 0; i < p.length; i++) {
            Estimate e = diffs.get(i);
            // Holm on the Wald p-values: the bootstrap p-value cannot go below 2 / (B + 1), which a
            // family-wise adjustment over 15 pairs would turn into 1 at the usual B.
            p[i] = e.pWald() != null ? e.pWald() : 1;
        }
        double[] h = Inference.holm(p);
        for (int i = 0; i < p.length; i++) {
            out.add(new Comparison(pairs.get(i)[0], pairs.get(i)[1], diffs.get(i), h[i]));
        }
        return out;
    }

    static String verdict(Double lo, Double hi) {
        if (lo == null || hi == null) {
            return "cannot say";
        }
        return lo > 0 ? "supported" : hi < 0 ? "contradicted" : "inconclusive (the interval includes 0)";
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%+.3f", v);
    }

    static String ci(Estimate e) {
        return e.lo() == null ? "" : String.format(Locale.ROOT, " [%+.3f, %+.3f]", e.lo(), e.hi());
    }

    private static List<Finding> findings(Fitted m1, Fitted m2, SourceAnalysis src, List<String> strategies,
                                          Options o) {
        List<Finding> out = new ArrayList<>();
        List<String> ms = strategies.stream().filter(s -> !s.equals("ssr")).toList();
        // 1. Multi-source beats single-source: the mean multi-source intercept (n = 2) minus SS-R's.
        String c1 = "multi-source representations beat single-source ones";
        String p1 = "every multi-source strategy above SS-R (Fig. 11, left)";
        if (m1.fit() == null || !strategies.contains("ssr") || ms.isEmpty()) {
            out.add(new Finding("multi_vs_single", c1, p1, "mean(beta_0r, r multi-source) - beta_0,SS-R (model 1)",
                    null, null, null, "cannot say", m1.fit() == null ? "model 1 could not be fitted: "
                    + m1.result().error() : "needs SS-R runs and multi-source runs; this study has " + strategies));
        } else {
            String[] tw = new String[2 * ms.size() + 2];
            for (int i = 0; i < ms.size(); i++) {
                tw[2 * i] = "is_" + ms.get(i);
                tw[2 * i + 1] = Double.toString(1.0 / ms.size());
            }
            tw[2 * ms.size()] = "is_ssr";
            tw[2 * ms.size() + 1] = "-1";
            Estimate e = linear("multi - single", m1, weights(m1.fit(), tw));
            long above = ms.stream().filter(s -> m1.result().fixed("is_" + s).estimate() > m1.result().fixed("is_ssr").estimate()).count();
            // a strategy without a slope (runs at one n only) has its intercept at that n, not at n = 2
            boolean oneN = ms.stream().anyMatch(s -> !m1.fit().fixedNames().contains("ns_" + s));
            String at = oneN ? "at n = 2 (a strategy run at one n only: at that n; see the notes)" : "at n = 2";
            out.add(new Finding("multi_vs_single", c1, p1, "mean(beta_0r, r multi-source) - beta_0,SS-R (model 1)",
                    e.estimate(), e.lo(), e.hi(), verdict(e.lo(), e.hi()), String.format(Locale.ROOT,
                    "multi-source strategies %s score %s sd%s above SS-R on average; %d of %d multi-source "
                            + "intercepts are above SS-R's", at, f3(e.estimate()), ci(e), above, ms.size())));
        }
        // 2. More sources help: the mean slope on n* over the multi-source strategies (model 1).
        String c2 = "more learning sources help";
        String p2 = "about +0.16 sd per additional source in the best strategies (Fig. 11, right)";
        List<String> slopes = m1.fit() == null ? List.of()
                : ms.stream().filter(s -> m1.fit().fixedNames().contains("ns_" + s)).toList();
        if (slopes.isEmpty()) {
            out.add(new Finding("more_sources", c2, p2, "mean(beta_1r) (model 1)", null, null, null, "cannot say",
                    m1.fit() == null ? "model 1 could not be fitted" : "no multi-source strategy has runs with "
                            + "different numbers of sources"));
        } else {
            String[] tw = new String[2 * slopes.size()];
            for (int i = 0; i < slopes.size(); i++) {
                tw[2 * i] = "ns_" + slopes.get(i);
                tw[2 * i + 1] = Double.toString(1.0 / slopes.size());
            }
            Estimate e = linear("mean slope", m1, weights(m1.fit(), tw));
            StringBuilder per = new StringBuilder();
            for (String s : slopes) {
                Estimate es = m1.result().fixed("ns_" + s);
                per.append(String.format(Locale.ROOT, "; %s %s%s", s, f3(es.estimate()), ci(es)));
            }
            out.add(new Finding("more_sources", c2, p2, "mean(beta_1r) over " + slopes + " (model 1)", e.estimate(),
                    e.lo(), e.hi(), verdict(e.lo(), e.hi()), String.format(Locale.ROOT,
                    "each additional source changes the standardised score by %s sd%s on average (paper: +0.16)%s",
                    f3(e.estimate()), ci(e), per)));
        }
        // 3. Less sharing helps: r* (network size) in model 2, and the order of model 1's intercepts.
        String c3 = "less sharing helps (MSS-CR ~ MS-CR@2 > MS-CR@6 > MS-SR@FC > SS-R)";
        String p3 = "positive effect of network size r* (Fig. 12); that order of the model 1 intercepts";
        Estimate r = m2.fit() == null ? null : m2.result().fixed("rstar");
        String order = "";
        if (m1.fit() != null) {
            List<String> sorted = new ArrayList<>(strategies.stream().filter(s -> m1.result().fixed("is_" + s) != null).toList());
            sorted.sort(Comparator.comparingDouble((String s) -> m1.result().fixed("is_" + s).estimate()).reversed());
            StringBuilder sb = new StringBuilder("; intercepts in this study: ");
            for (int i = 0; i < sorted.size(); i++) {
                sb.append(i == 0 ? "" : " > ").append(sorted.get(i)).append(String.format(Locale.ROOT, " (%+.2f)",
                        m1.result().fixed("is_" + sorted.get(i)).estimate()));
            }
            order = sb.toString();
        }
        if (r == null) {
            out.add(new Finding("less_sharing", c3, p3, "beta_10, the slope of r* (model 2)", null, null, null,
                    "cannot say", (m2.fit() == null ? "model 2 could not be fitted" : "r* does not vary (one strategy)")
                    + order));
        } else {
            out.add(new Finding("less_sharing", c3, p3, "beta_10, the slope of r* (model 2)", r.estimate(), r.lo(),
                    r.hi(), verdict(r.lo(), r.hi()), String.format(Locale.ROOT, "going from SS-R (r* = 0) to MSS-CR "
                    + "(r* = 1) %s changes the standardised score by %s sd%s%s",
                    m2.fit().fixedNames().contains("rstar:nstar") ? "at n = 2" : "(no r*:n* term here: at any n)",
                    f3(r.estimate()), ci(r), order)));
        }
        out.add(src.tempoFinding(o));
        return out;
    }

    /** Utility for writers: a value or null when not finite (JSON and CSV never see NaN). */
    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static <T> double[] column(List<T> l, ToDoubleFunction<T> f) {
        return l.stream().mapToDouble(f).toArray();
    }
}
