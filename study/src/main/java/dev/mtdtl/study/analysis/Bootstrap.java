package dev.mtdtl.study.analysis;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * The parametric bootstrap of a REML fit (as lme4's bootMer, which the paper's group uses): B times,
 * draw y from the fitted model (fixed effects plus fresh random effects and residuals with the fitted
 * variances), refit by REML from the fitted theta, keep the fixed effects and the variance components.
 * Intervals are percentiles of the replicates (see {@link Inference#percentile95}).
 *
 * <p>Why parametric rather than resampling runs or datasets: the tasks are few (5 in the quickstart, 7 in
 * the paper), so resampling them gives a degenerate distribution of the per-task random effects, and
 * resampling runs within tasks would treat the tasks as fixed, which the hierarchical model does not.
 * Replicate b draws from {@code Rng(Rng.hash(seed, b))}, and replicates run in parallel into their own
 * slots, so the result depends on the seed only, not on the thread count.
 */
public final class Bootstrap {

    /** Replicates of one model: values[b] = [beta (p) | components (K) | residual variance], failures left out. */
    public record Replicates(List<double[]> values, int requested, int failed) {
        public int ok() {
            return values.size();
        }

        /** The replicates of one coordinate. */
        public double[] column(int c) {
            double[] v = new double[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = values.get(i)[c];
            }
            return v;
        }
    }

    private Bootstrap() {}

    /** B parametric replicates of the fit of {@code design}; seed tags this model's stream. */
    public static Replicates run(Lmm.Design design, Lmm.Fit fit, int b, long seed) {
        double[][] out = new double[b][];
        double[] start = Lmm.theta(fit);
        Parallel.forEach(b, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                Rng rng = new Rng(Rng.hash(seed, i));
                double[] y = Lmm.simulate(design, fit, rng);
                try {
                    Lmm.Fit f = Lmm.fit(design, y, start);
                    int p = f.beta().length;
                    int k = f.vc().length;
                    double[] v = new double[p + k + 1];
                    System.arraycopy(f.beta(), 0, v, 0, p);
                    System.arraycopy(f.vc(), 0, v, p, k);
                    v[p + k] = f.residualVariance();
                    out[i] = v;
                } catch (IllegalArgumentException | IllegalStateException e) {
                    out[i] = null;      // counted as a failed refit; the interval says how many
                }
            }
        });
        List<double[]> ok = new ArrayList<>();
        int failed = 0;
        for (double[] v : out) {
            if (v == null) {
                failed++;
            } else {
                ok.add(v);
            }
        }
        return new Replicates(ok, b, failed);
    }
}
