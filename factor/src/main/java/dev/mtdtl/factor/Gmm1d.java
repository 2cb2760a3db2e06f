package dev.mtdtl.factor;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.StrictLog;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * A Gaussian mixture on scalars fitted by EM: the bpm and year sources (digest section 2, decision 7),
 * i.e. scikit-learn's {@code GaussianMixture(n_components=50, max_iter=100)} with its defaults
 * (covariance 'full' = one variance in 1-D, tol 1e-3, reg_covar 1e-6, init 'kmeans', n_init 1); the
 * label z_t is {@link #predictProba}.
 *
 * <p>Letters: n values x (U distinct ones u with multiplicities w), K components with weight pi_k,
 * mean mu_k, variance var_k.
 * <pre>
 *   log N_k(x)   = -0.5 ln(2 pi var_k) - (x - mu_k)^2 / (2 var_k)
 *   lp_k(x)      = ln pi_k + log N_k(x)
 *   ln p(x)      = m + ln sum_k exp(lp_k - m),  m = max_k lp_k      (log space: no underflow when
 *                                                                     50 narrow components sit on
 *                                                                     discrete years)
 *   r_k(x)       = exp(lp_k - ln p(x))
 *   M-step       N_k = sum_x r_k + 10 eps;  mu_k = sum r_k x / N_k;
 *                var_k = sum r_k (x - mu_k)^2 / N_k + reg_covar;  pi_k = N_k / sum_j N_j
 * </pre>
 * Like sklearn, iteration t evaluates the mean log-likelihood L_t of the current parameters (the
 * E-step) and then updates them; EM stops when |L_t - L_{t-1}| < tol. The returned parameters are
 * those after the last M-step, and {@link Fit#avgLogLik} is their own mean log-likelihood (sklearn
 * {@code score}), one evaluation later than the last L_t.
 *
 * <p>Speed and determinism. EM runs on the distinct values with weights (identical sums up to the
 * order of additions; years have about 90 distinct values, so a fit of a million years costs as much
 * as one of 90 values). E- and M-step are fused: one pass over the values in fixed chunks of
 * {@link #GRAIN} accumulates per chunk sum r, sum r (x - mu_old) and sum r (x - mu_old)^2, and the chunks
 * are combined in chunk order, so the result is bit-identical for any thread count. The variance is
 * taken about the old mean and corrected, var = S2/N - (mu_new - mu_old)^2, which avoids both a second
 * pass and the cancellation of S(x^2)/N - mu^2 on values like 2000 +- 0.001. In the EM pass the
 * values share vectors (8 on AVX-512; the bits do not depend on the width) and the exps come from
 * {@link VecExp} (within 2 ulp of Math.exp; results under 2^-1022 flushed to 0); {@link #averageLogLik},
 * {@link #logDensity} and {@link #predictProba} use StrictMath.exp (the same bits on every platform and JDK:
 * docs/portability.md). Every log in a loop is {@link StrictLog}'s, StrictMath.log's bits as inlined Java code
 * or, in the EM pass, in vector lanes.
 *
 * <p>Omitted: other covariance types, n_init > 1, warm starts, the 'random' initialisations.
 */
public final class Gmm1d {

    /** Lane l takes lane l ^ (lanes / 2): {@link #emChunk}'s half swap at 8 lanes. */
    private static final VectorShuffle<Double> SWAP =
            VectorShuffle.fromOp(VecExp.S, l -> l ^ (VecExp.S.length() / 2));

    /** Values per parallel chunk (fixed: chunk boundaries, hence sums, do not depend on threads). */
    static final int GRAIN = 2048;
    /** Values of the EM pass whose log-likelihood terms wait for one call of the vector log. */
    private static final int LOG_BATCH = 64;
    private static final double LN_2PI = StrictMath.log(2 * Math.PI);
    private static final double EPS10 = 10 * Math.ulp(1.0);   // sklearn: nk += 10 * finfo(float64).eps

    private Gmm1d() {}

    /** The mixture: weights, means and variances (K each; variances include reg_covar). */
    public record Params(double[] weights, double[] means, double[] variances) {
        public int components() {
            return means.length;
        }

        /** The same mixture with components in ascending order of mean (stable). */
        public Params sortedByMean() {
            Integer[] o = new Integer[means.length];
            Arrays.setAll(o, i -> i);
            Arrays.sort(o, (a, b) -> Double.compare(means[a], means[b]));
            double[] w = new double[o.length];
            double[] m = new double[o.length];
            double[] v = new double[o.length];
            for (int i = 0; i < o.length; i++) {
                w[i] = weights[o[i]];
                m[i] = means[o[i]];
                v[i] = variances[o[i]];
            }
            return new Params(w, m, v);
        }
    }

    /** Settings; the defaults are the reference's. */
    public record Options(int components, int maxIter, double tol, double regCovar, long seed) {
        public static Options defaults() {
            return new Options(50, 100, 1e-3, 1e-6, 0L);
        }

        public Options withComponents(int k) {
            return new Options(k, maxIter, tol, regCovar, seed);
        }

        public Options withMaxIter(int m) {
            return new Options(components, m, tol, regCovar, seed);
        }

        public Options withTol(double t) {
            return new Options(components, maxIter, t, regCovar, seed);
        }

        public Options withSeed(long s) {
            return new Options(components, maxIter, tol, regCovar, s);
        }
    }

    /**
     * A fitted mixture. {@code lowerBounds[t]} is the mean log-likelihood evaluated in iteration t+1
     * (before its M-step); {@code avgLogLik} that of the returned parameters.
     */
    public record Fit(Params params, int iterations, boolean converged, double[] lowerBounds, double avgLogLik) {}

    /** Fit a K-component mixture to {@code x} (n >= 1 finite values). */
    public static Fit fit(double[] x, Options o) {
        int k = o.components();
        if (k < 1 || o.maxIter() < 1 || !(o.tol() >= 0) || !(o.regCovar() >= 0)) {
            throw new IllegalArgumentException("bad options " + o);
        }
        if (x.length == 0) {
            throw new IllegalArgumentException("no values to fit");
        }
        double[][] uw = distinct(x);   // distinct values and multiplicities
        double[] u = uw[0];
        double[] w = uw[1];
        int nu = u.length;
        double n = x.length;

        // Initialisation: hard k-means labels, then the M-step formulas (sklearn _initialize).
        int[] label = KMeans1d.fit(u, w, k, o.seed(), 300, 1e-4, new double[k]);
        double[] nk = new double[k];
        double[] mu = new double[k];
        double[] var = new double[k];
        for (int i = 0; i < nu; i++) {
            nk[label[i]] += w[i];
            mu[label[i]] += w[i] * u[i];
        }
        for (int j = 0; j < k; j++) {
            nk[j] += EPS10;
            mu[j] /= nk[j];
        }
        for (int i = 0; i < nu; i++) {
            double d = u[i] - mu[label[i]];
            var[label[i]] += w[i] * d * d;
        }
        double[] pi = new double[k];
        for (int j = 0; j < k; j++) {
            var[j] = var[j] / nk[j] + o.regCovar();
            pi[j] = nk[j] / n;
        }
        Params p = new Params(pi, mu, var);

        double[] lb = new double[Math.min(o.maxIter(), 1024)];   // grown as needed: the cap may be 2^31 - 1
        double prev = Double.NEGATIVE_INFINITY;
        boolean converged = false;
        int it = 0;
        while (it < o.maxIter()) {
            Step st = emStep(u, w, p, o.regCovar());
            if (it == lb.length) {
                lb = Arrays.copyOf(lb, (int) Math.min(2L * lb.length, o.maxIter()));
            }
            lb[it++] = st.avgLogLik;
            p = st.next;
            double change = st.avgLogLik - prev;
            prev = st.avgLogLik;
            if (Math.abs(change) < o.tol()) {
                converged = true;
                break;
            }
        }
        double ll = emStep(u, w, p, o.regCovar()).avgLogLik;   // L of the returned parameters (vector pass)
        return new Fit(p, it, converged, Arrays.copyOf(lb, it), ll);
    }

    private record Step(Params next, double avgLogLik) {}

    /**
     * EM from given parameters, for step-wise callers and the benchmarks: the values are reduced to
     * distinct ones once, then each {@link #step} is one fused E+M pass.
     */
    public static final class Em {
        private final double[] u;
        private final double[] w;
        private final double regCovar;
        private Params params;

        private Em(double[] u, double[] w, Params start, double regCovar) {
            this.u = u;
            this.w = w;
            this.params = start;
            this.regCovar = regCovar;
        }

        /** One E+M iteration: returns the mean log-likelihood of the parameters it started from. */
        public double step() {
            Step s = emStep(u, w, params, regCovar);
            params = s.next;
            return s.avgLogLik;
        }

        public Params params() {
            return params;
        }
    }

    /** An EM state over {@code x} starting from {@code start}. */
    public static Em em(double[] x, Params start, double regCovar) {
        double[][] uw = distinct(x);
        return new Em(uw[0], uw[1], start, regCovar);
    }

    /** Sorted distinct values and their multiplicities. */
    private static double[][] distinct(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        if (!Double.isFinite(s[0]) || !Double.isFinite(s[s.length - 1])) {
            throw new IllegalArgumentException("values must be finite");
        }
        int nu = 0;
        for (int i = 0; i < s.length; i++) {
            if (i == 0 || s[i] != s[i - 1]) {
                nu++;
            }
        }
        double[] u = new double[nu];
        double[] w = new double[nu];
        for (int i = 0, j = -1; i < s.length; i++) {
            if (i == 0 || s[i] != s[i - 1]) {
                u[++j] = s[i];
            }
            w[j] += 1;
        }
        return new double[][] {u, w};
    }

    /** One fused E+M pass: the mean log-likelihood of {@code p} and the parameters after the M-step. */
    private static Step emStep(double[] u, double[] w, Params p, double regCovar) {
        int k = p.components();
        int chunks = Parallel.chunkCount(u.length, GRAIN);
        double[][] part = new double[chunks][];   // per chunk: [N_k | S1_k | S2_k | loglik]
        double[] a = logCoefficients(p);          // ln pi_k - 0.5 ln(2 pi var_k)
        double[] b = new double[k];               // 1 / (2 var_k)
        for (int j = 0; j < k; j++) {
            b[j] = 0.5 / p.variances()[j];
        }
        double[] mu = p.means();
        Parallel.forChunks(u.length, GRAIN, (c, from, to) -> part[c] = emChunk(u, w, mu, a, b, from, to));
        double[] tot = new double[3 * k + 1];
        for (double[] acc : part) {
            for (int j = 0; j < tot.length; j++) {
                tot[j] += acc[j];
            }
        }
        double wsum = 0;
        for (double x : w) {
            wsum += x;
        }
        double[] nk = new double[k];
        double[] nmu = new double[k];
        double[] nvar = new double[k];
        double[] npi = new double[k];
        double nsum = 0;
        for (int j = 0; j < k; j++) {
            nk[j] = tot[j] + EPS10;
            nsum += nk[j];
        }
        for (int j = 0; j < k; j++) {
            double shift = tot[k + j] / nk[j];                 // mu_new - mu_old
            nmu[j] = mu[j] + shift;
            double v = tot[2 * k + j] / nk[j] - shift * shift;  // about the new mean
            nvar[j] = Math.max(v, 0.0) + regCovar;
            npi[j] = nk[j] / nsum;   // sklearn: weights = nk / n, then weights /= weights.sum()
        }
        return new Step(new Params(npi, nmu, nvar), tot[3 * k] / wsum);
    }

    /**
     * E+M sufficient statistics of values [from, to): [N_k | S1_k | S2_k | loglik] (3K+1), S1 and S2 about
     * the old means. The bits are defined by four partial sums per statistic: value i of the first
     * {@code (to-from) - (to-from) % 4} goes to partial (i - from) mod 4, in order; the partials are added as
     * (p_0 + p_1) + (p_2 + p_3), then the last {@code (to-from) % 4} values continue the sum one by one. The
     * log-likelihood is one sum over the values in order.
     *
     * <p>How: the values run in vector lanes (lanes over values, a loop over components: no horizontal work
     * until the end of the chunk), exp by {@link VecExp}. At 4 lanes a vector is one step of the four
     * partials; at 2 lanes, half of one; at 8 lanes, two steps: the lower half added first, then the upper
     * half swapped into the lower lanes (the upper lanes of the partials' vectors are scratch). Values that
     * a whole vector does not cover (at 8 lanes, a last group of four) go through {@link #emValue}, which
     * does each lane's operations in scalar code, VecExp's twin included: the same bits.
     */
    private static double[] emChunk(double[] u, double[] w, double[] mu, double[] a, double[] b, int from, int to) {
        int k = mu.length;
        VectorSpecies<Double> s = VecExp.S;
        int nl = s.length();
        int wd = Math.max(nl, 4);                      // slots per statistic: p_0..p_3, scratch above
        double[] e = new double[wd * k];               // (K, wd) per-lane log-probabilities, then exps
        double[] lane = new double[3 * k * wd];        // (3K, wd) partial N, S1, S2
        int pendCap = Math.max(LOG_BATCH, nl);
        double[] mx = new double[pendCap];             // per pending value of the vector loop: max log-probability,
        double[] lsum = new double[pendCap];           // sum of exps (then its ln)
        int pend = 0;                                  // values since the log-likelihood's last catch-up
        double ll = 0;
        int grouped = from + (to - from) / 4 * 4;     // values in the partials; the rest are the tail
        int i = from;
        for (; nl <= 8 && i + nl <= grouped; i += nl) {
            DoubleVector x = DoubleVector.fromArray(s, u, i);
            DoubleVector m = DoubleVector.broadcast(s, Double.NEGATIVE_INFINITY);
            for (int j = 0; j < k; j++) {
                DoubleVector d = x.sub(mu[j]);
                DoubleVector lp = DoubleVector.broadcast(s, a[j]).sub(d.mul(d).mul(b[j]));
                lp.intoArray(e, wd * j);
                m = m.max(lp);
            }
            DoubleVector sum = DoubleVector.zero(s);
            for (int j = 0; j < k; j++) {
                DoubleVector ev = VecExp.expNonPositive(DoubleVector.fromArray(s, e, wd * j).sub(m));
                ev.intoArray(e, wd * j);
                sum = sum.add(ev);
            }
            if (pend + nl > pendCap) {
                ll = logLikTerms(ll, w, i - pend, mx, lsum, pend);
                pend = 0;
            }
            m.intoArray(mx, pend);
            sum.intoArray(lsum, pend);
            pend += nl;
            DoubleVector scale = DoubleVector.fromArray(s, w, i).div(sum);
            int slot = nl < 4 ? (i - from) % 4 : 0;
            for (int j = 0; j < k; j++) {
                DoubleVector r = DoubleVector.fromArray(s, e, wd * j).mul(scale);
                DoubleVector d = x.sub(mu[j]);
                DoubleVector rd = r.mul(d);
                DoubleVector rdd = rd.mul(d);
                int o = wd * j + slot;
                int o1 = o + wd * k;
                int o2 = o + 2 * wd * k;
                DoubleVector n0 = DoubleVector.fromArray(s, lane, o).add(r);
                DoubleVector n1 = DoubleVector.fromArray(s, lane, o1).add(rd);
                DoubleVector n2 = DoubleVector.fromArray(s, lane, o2).add(rdd);
                if (nl == 8) {
                    n0 = n0.add(r.rearrange(SWAP));
                    n1 = n1.add(rd.rearrange(SWAP));
                    n2 = n2.add(rdd.rearrange(SWAP));
                }
                n0.intoArray(lane, o);
                n1.intoArray(lane, o1);
                n2.intoArray(lane, o2);
            }
        }
        ll = logLikTerms(ll, w, i - pend, mx, lsum, pend);
        for (; i < grouped; i++) {
            ll += emValue(u[i], w[i], mu, a, b, e, lane, wd, (i - from) % 4);
        }
        double[] acc = new double[3 * k + 1];
        for (int t = 0; t < 3 * k; t++) {
            acc[t] = (lane[wd * t] + lane[wd * t + 1]) + (lane[wd * t + 2] + lane[wd * t + 3]);
        }
        for (; i < to; i++) {   // tail
            ll += emValue(u[i], w[i], mu, a, b, e, acc, 1, 0);
        }
        acc[3 * k] = ll;
        return acc;
    }

    /**
     * {@code ll} plus w_i (m_i + ln sum_i) for the n values from {@code first}, added in value order; the logs in
     * vector lanes ({@link StrictLog}: StrictMath's bits, in place in {@code sum}).
     */
    private static double logLikTerms(double ll, double[] w, int first, double[] m, double[] sum, int n) {
        StrictLog.log(sum, 0, sum, 0, n);
        for (int v = 0; v < n; v++) {
            ll += w[first + v] * (m[v] + sum[v]);
        }
        return ll;
    }

    /**
     * One value of {@link #emChunk} in scalar code: adds r, r d and r d^2 of component j to
     * {@code dst[stride * t + slot]} for t = j, K + j, 2K + j, and returns the value's log-likelihood term.
     * {@code e} is scratch (K).
     */
    private static double emValue(double x, double wi, double[] mu, double[] a, double[] b, double[] e, double[] dst,
                                  int stride, int slot) {
        int k = mu.length;
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            double d = x - mu[j];
            double lp = a[j] - d * d * b[j];
            e[j] = lp;
            m = Math.max(m, lp);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            double v = VecExp.expNonPositive(e[j] - m);
            e[j] = v;
            sum += v;
        }
        double scale = wi / sum;
        for (int j = 0; j < k; j++) {
            double r = e[j] * scale;
            double d = x - mu[j];
            double rd = r * d;
            dst[stride * j + slot] += r;
            dst[stride * (k + j) + slot] += rd;
            dst[stride * (2 * k + j) + slot] += rd * d;
        }
        return wi * (m + StrictLog.log(sum));
    }

    private static double[] logCoefficients(Params p) {
        int k = p.components();
        double[] a = new double[k];
        for (int j = 0; j < k; j++) {
            a[j] = StrictMath.log(p.weights()[j]) - 0.5 * (LN_2PI + StrictMath.log(p.variances()[j]));
        }
        return a;
    }

    /** Sum of w_i ln p(u_i), in fixed chunks. */
    private static double weightedLogLik(double[] u, double[] w, Params p) {
        int chunks = Parallel.chunkCount(u.length, GRAIN);
        double[] part = new double[chunks];
        double[] a = logCoefficients(p);
        Parallel.forChunks(u.length, GRAIN, (c, from, to) -> {
            double s = 0;
            for (int i = from; i < to; i++) {
                s += (w == null ? 1.0 : w[i]) * logDensity(a, p, u[i]);
            }
            part[c] = s;
        });
        double t = 0;
        for (double s : part) {
            t += s;
        }
        return t;
    }

    private static double logDensity(double[] a, Params p, double x) {
        int k = a.length;
        double[] mu = p.means();
        double[] var = p.variances();
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            double d = x - mu[j];
            m = Math.max(m, a[j] - d * d / (2 * var[j]));
        }
        double s = 0;
        for (int j = 0; j < k; j++) {
            double d = x - mu[j];
            s += StrictMath.exp(a[j] - d * d / (2 * var[j]) - m);
        }
        return m + StrictLog.log(s);
    }

    /** ln p(x_i) for each value (n) into {@code out} (n). */
    public static void logDensity(double[] out, Params p, double[] x) {
        double[] a = logCoefficients(p);
        Parallel.forChunks(x.length, GRAIN, (c, from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = logDensity(a, p, x[i]);
            }
        });
    }

    /** Mean of ln p(x_i) (sklearn {@code score}). */
    public static double averageLogLik(Params p, double[] x) {
        return weightedLogLik(x, null, p) / x.length;
    }

    /**
     * Posterior responsibilities (sklearn {@code predict_proba}): {@code out[i*K + k] = r_k(x_i)}, rows sum
     * to 1. out: (n, K) written.
     */
    public static void predictProba(double[] out, Params p, double[] x) {
        int k = p.components();
        double[] a = logCoefficients(p);
        double[] mu = p.means();
        double[] var = p.variances();
        Parallel.forChunks(x.length, GRAIN, (c, from, to) -> {
            for (int i = from; i < to; i++) {
                double lpx = logDensity(a, p, x[i]);
                for (int j = 0; j < k; j++) {
                    double d = x[i] - mu[j];
                    out[i * k + j] = StrictMath.exp(a[j] - d * d / (2 * var[j]) - lpx);
                }
            }
        });
    }

    /** {@link #predictProba} as float32, the form the networks' targets take. out: (n, K). */
    public static float[] predictProbaFloat(Params p, double[] x) {
        double[] d = new double[x.length * p.components()];
        predictProba(d, p, x);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
