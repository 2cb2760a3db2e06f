package dev.mtdtl.tensor.ref;

/**
 * Softmax, log-softmax, KL(z || softmax) and cross-entropy in double on (N, K) row-major arrays.
 * The KL divisor is passed explicitly (N*K for 'mean', N for 'batchmean').
 */
public final class SoftmaxRef {

    private SoftmaxRef() {}

    public static double[] logSoftmax(double[] l, int n, int k) {
        double[] lp = new double[n * k];
        for (int r = 0; r < n; r++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                m = Math.max(m, l[r * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(l[r * k + j] - m);
            }
            double lse = m + Math.log(sum);
            for (int j = 0; j < k; j++) {
                lp[r * k + j] = l[r * k + j] - lse;
            }
        }
        return lp;
    }

    public static double[] softmax(double[] l, int n, int k) {
        double[] p = logSoftmax(l, n, k);
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(p[i]);
        }
        return p;
    }

    /** sum z (log z - log p) / denom, with 0 log 0 = 0. */
    public static double kl(double[] l, double[] z, int n, int k, double denom) {
        double[] lp = logSoftmax(l, n, k);
        double s = 0;
        for (int i = 0; i < n * k; i++) {
            if (z[i] != 0) {
                s += z[i] * (Math.log(z[i]) - lp[i]);
            }
        }
        return s / denom;
    }

    /** d kl / d logits = (p * rowsum(z) - z) / denom. */
    public static double[] klGrad(double[] l, double[] z, int n, int k, double denom) {
        double[] p = softmax(l, n, k);
        double[] d = new double[n * k];
        for (int r = 0; r < n; r++) {
            double zs = 0;
            for (int j = 0; j < k; j++) {
                zs += z[r * k + j];
            }
            for (int j = 0; j < k; j++) {
                d[r * k + j] = (p[r * k + j] * zs - z[r * k + j]) / denom;
            }
        }
        return d;
    }

    /** -(1/N) sum_n log softmax(l)[n, t_n]. */
    public static double crossEntropy(double[] l, int[] t, int n, int k) {
        double[] lp = logSoftmax(l, n, k);
        double s = 0;
        for (int r = 0; r < n; r++) {
            s -= lp[r * k + t[r]];
        }
        return s / n;
    }

    /** (p - onehot(t)) / N. */
    public static double[] crossEntropyGrad(double[] l, int[] t, int n, int k) {
        double[] d = softmax(l, n, k);
        for (int r = 0; r < n; r++) {
            d[r * k + t[r]] -= 1.0;
        }
        for (int i = 0; i < d.length; i++) {
            d[i] /= n;
        }
        return d;
    }
}
