package dev.mtdtl.study.analysis;

import java.util.Arrays;

/**
 * The small inferential tools of the analysis, written here (no statistics framework): the normal
 * distribution function, percentile intervals and percentile-inversion p-values from bootstrap
 * replicates, Holm's adjustment, Pearson's r with Fisher's interval, and a least-squares line with its
 * pointwise 95% confidence band.
 */
public final class Inference {

    /** The two-sided 95% normal quantile. */
    public static final double Z975 = 1.959963984540054;

    private Inference() {}

    /**
     * erfc(x) to about 1e-14: the Maclaurin series of erf for |x| < 2.5 (terms grow at most to
     * e^{x^2} ~ 500 before they shrink, so about 3 of 16 digits are lost to cancellation), and the
     * Laplace continued fraction erfc(x) = e^{-x^2}/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
     * beyond, evaluated by the modified Lentz method.
     */
    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < 0) {
            return 2 - erfc(-x);
        }
        if (x < 2.5) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double term = x;
            double sum = x;
            double x2 = x * x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        if (x > 27) {
            return 0;
        }
        // Continued fraction K = x + a1/(x + a2/(x + ...)) with a_k = k/2; erfc = e^{-x^2}/sqrt(pi) / K.
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int k = 1; k < 500; k++) {
            double a = k / 2.0;
            d = x + a * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return StrictMath.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    /** Standard normal distribution function. */
    public static double phi(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /** Two-sided p-value of a z statistic. */
    public static double pTwoSided(double z) {
        return Math.min(1, erfc(Math.abs(z) / Math.sqrt(2)));
    }

    /** Quantile (linear interpolation between order statistics, R's type 7) of sorted values. */
    public static double quantile(double[] sorted, double prob) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("quantile of no values");
        }
        double h = (sorted.length - 1) * prob;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The 95% percentile interval of bootstrap replicates. */
    public static double[] percentile95(double[] replicates) {
        double[] s = replicates.clone();
        Arrays.sort(s);
        return new double[]{quantile(s, 0.025), quantile(s, 0.975)};
    }

    /**
     * The percentile bootstrap p-value for "the quantity is 0": the smallest two-sided level at which
     * the percentile interval excludes 0, p = 2 min(#{v <= 0} + 1, #{v >= 0} + 1) / (B + 1), capped
     * at 1 (the +1 keeps it away from an impossible 0; its floor is 2 / (B + 1)).
     */
    public static double bootstrapP(double[] replicates) {
        int le = 0;
        int ge = 0;
        for (double v : replicates) {
            le += v <= 0 ? 1 : 0;
            ge += v >= 0 ? 1 : 0;
        }
        return Math.min(1, 2.0 * (Math.min(le, ge) + 1) / (replicates.length + 1));
    }

    /** Holm's step-down adjustment of p-values (family-wise error). */
    public static double[] holm(double[] p) {
        int m = p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[a], p[b]));
        double[] out = new double[m];
        double run = 0;
        for (int r = 0; r < m; r++) {
            run = Math.max(run, Math.min(1, (m - r) * p[order[r]]));
            out[order[r]] = run;
        }
        return out;
    }

    /** Pearson's r; NaN-free: null when either variable has no variance or there are fewer than 3 pairs. */
    public static double[] pearsonWithInterval(double[] x, double[] y) {
        int n = x.length;
        if (n < 3) {
            return null;
        }
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx <= 0 || syy <= 0) {
            return null;
        }
        double r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
        if (n < 4 || Math.abs(r) >= 1) {
            return new double[]{r, -1, 1};
        }
        // Fisher: atanh(r) ~ N(atanh(rho), 1/(n-3)).
        double z = 0.5 * StrictMath.log((1 + r) / (1 - r));
        double h = Z975 / Math.sqrt(n - 3);
        return new double[]{r, StrictMath.tanh(z - h), StrictMath.tanh(z + h)};
    }

    /** y = a + b x by least squares with the pointwise 95% band of the mean (normal quantile). */
    public record Line(double a, double b, double xbar, double sxx, double s, int n) {
        /** {fit, lower, upper} at x. */
        public double[] at(double x) {
            double f = a + b * x;
            double h = n > 2 ? Z975 * s * Math.sqrt(1.0 / n + (x - xbar) * (x - xbar) / sxx) : 0;
            return new double[]{f, f - h, f + h};
        }
    }

    /** Least-squares line; null when x does not vary or there are fewer than 2 points. */
    public static Line line(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return null;
        }
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        if (sxx < 1e-12) {
            return null;
        }
        double b = sxy / sxx;
        double a = my - b * mx;
        double rss = 0;
        for (int i = 0; i < n; i++) {
            double e = y[i] - a - b * x[i];
            rss += e * e;
        }
        double s = n > 2 ? Math.sqrt(rss / (n - 2)) : 0;
        return new Line(a, b, mx, sxx, s, n);
    }
}
