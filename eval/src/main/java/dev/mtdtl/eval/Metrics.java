package dev.mtdtl.eval;

/**
 * The evaluation metrics of the paper's classification and regression tasks, with scikit-learn's
 * semantics (accuracy_score, r2_score). Letters: N samples, K classes, D regression outputs.
 * Sums run in double, in index order.
 */
public final class Metrics {

    private Metrics() {}

    /** y_pred[i] = argmax_k scores[i, k] (the first maximum on ties, as numpy's argmax). scores: (N, K). */
    public static int[] argmax(float[] scores, int n, int k) {
        if (k < 1 || scores.length != (long) n * k) {
            throw new IllegalArgumentException("scores has " + scores.length + " values, expected N*K = " + n + "*" + k);
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (scores[i * k + j] > scores[i * k + best]) {
                    best = j;
                }
            }
            y[i] = best;
        }
        return y;
    }

    /** Fraction of i with yPred[i] == yTrue[i]. */
    public static double accuracy(int[] yTrue, int[] yPred) {
        if (yTrue.length != yPred.length || yTrue.length == 0) {
            throw new IllegalArgumentException("accuracy needs two non-empty label vectors of one length, got "
                    + yTrue.length + " and " + yPred.length);
        }
        int hit = 0;
        for (int i = 0; i < yTrue.length; i++) {
            if (yTrue[i] == yPred[i]) {
                hit++;
            }
        }
        return (double) hit / yTrue.length;
    }

    /**
     * Coefficient of determination per output column of (N, D) arrays: R^2 = 1 - SS_res / SS_tot with
     * SS_res = sum (y - yhat)^2 and SS_tot = sum (y - mean y)^2. A constant column (SS_tot = 0) scores
     * 1 if predicted exactly and 0 otherwise (scikit-learn's force_finite rule).
     */
    public static double[] r2Raw(float[] yTrue, float[] yPred, int n, int d) {
        if (yTrue.length != (long) n * d || yPred.length != yTrue.length || n < 1) {
            throw new IllegalArgumentException("r2: y_true has " + yTrue.length + " and y_pred " + yPred.length
                    + " values, expected N*D = " + n + "*" + d + " each");
        }
        double[] r = new double[d];
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += yTrue[i * d + j];
            }
            mean /= n;
            double res = 0;
            double tot = 0;
            for (int i = 0; i < n; i++) {
                double e = (double) yTrue[i * d + j] - yPred[i * d + j];
                double t = yTrue[i * d + j] - mean;
                res += e * e;
                tot += t * t;
            }
            r[j] = tot == 0 ? (res == 0 ? 1.0 : 0.0) : 1.0 - res / tot;
        }
        return r;
    }

    /** Mean over columns of {@link #r2Raw} (scikit-learn's default multioutput='uniform_average'). */
    public static double r2(float[] yTrue, float[] yPred, int n, int d) {
        double s = 0;
        for (double v : r2Raw(yTrue, yPred, n, d)) {
            s += v;
        }
        return s / d;
    }
}
