package dev.mtdtl.tensor.cpu;

/**
 * Row-wise softmax and log-softmax, and the two losses built on them: KL divergence to a target
 * distribution (the learning sources' 50-topic vectors) and cross-entropy with a class index (the
 * Siamese self-source head, 2 classes).
 *
 * <p>Letters: N rows (batch), K classes. logits, p, lp, z, dlogits are (N, K) row-major; target is (N).
 *
 * <p>Stability: every row is shifted by its maximum m, and log-sum-exp {@code lse = m + log sum exp(l - m)}
 * is formed in double; then {@code p = exp(l - m) / sum} (one exp per element) and
 * {@code log p = l - lse} (no log of a rounded p, so log p stays accurate for tiny probabilities, and
 * logits of +90 do not overflow).
 * Losses are accumulated in double, row by row in order.
 *
 * <p>References: {@code torch.softmax}, {@code torch.log_softmax},
 * {@code F.kl_div(log_softmax(l), z, reduction=...)} with {@code 0 log 0 = 0}, {@code F.cross_entropy}
 * (fixtures {@code softmax_kl}, {@code cross_entropy_2class}).
 *
 * <p>Serial on purpose: the largest call is N*K = 128*50 = 6,400 elements (~10 microseconds), less than
 * the cost of waking the pool. Omitted: label smoothing, class weights, ignore_index, other axes.
 */
public final class SoftmaxCpu {

    private SoftmaxCpu() {}

    /** p[n, :] = softmax(logits[n, :]).  p (N, K): written; logits (N, K): read. */
    public static void softmax(float[] p, float[] logits, int n, int k) {
        check(n, k, "logits", logits);
        Args.len("p", p, (long) n * k, "N*K " + Args.shape(n, k));
        for (int r = 0; r < n; r++) {
            softmaxRow(p, logits, r * k, k);
        }
    }

    /** lp[n, :] = log softmax(logits[n, :]).  lp (N, K): written; logits (N, K): read. */
    public static void logSoftmax(float[] lp, float[] logits, int n, int k) {
        check(n, k, "logits", logits);
        Args.len("lp", lp, (long) n * k, "N*K " + Args.shape(n, k));
        for (int r = 0; r < n; r++) {
            int off = r * k;
            double lse = logSumExp(logits, off, k);
            for (int j = off; j < off + k; j++) {
                lp[j] = (float) (logits[j] - lse);
            }
        }
    }

    /**
     * KL(z || softmax(logits)) = sum_{n,k} z (log z - log p) / denom, with 0 log 0 = 0 (a zero target
     * contributes nothing whatever p is; a negative target gives NaN, as in torch).
     *
     * @param p      (N, K) written: softmax(logits), kept for {@link #klBackward}
     * @param logits (N, K) read
     * @param z      (N, K) read: target distributions (rows normally sum to 1)
     * @return the loss, summed in double
     */
    public static float klForward(float[] p, float[] logits, float[] z, int n, int k, KlReduction r) {
        check(n, k, "logits", logits);
        Args.len("p", p, (long) n * k, "N*K " + Args.shape(n, k));
        Args.len("z", z, (long) n * k, "N*K " + Args.shape(n, k));
        checkReduction(r);
        double loss = 0.0;
        for (int row = 0; row < n; row++) {
            int off = row * k;
            double lse = softmaxRow(p, logits, off, k);
            for (int j = off; j < off + k; j++) {
                double zj = z[j];
                if (zj != 0.0) {
                    loss += zj * (StrictLog.log(zj) - (logits[j] - lse));   // StrictMath.log's bits, inlined
                }
            }
        }
        return (float) (loss / r.denominator(n, k));
    }

    /**
     * dlogits = (p * rowsum(z) - z) / denom. From d/dl_j of -sum_i z_i log p_i with
     * d log p_i / d l_j = delta_ij - p_j; equals (p - z)/denom when rows of z sum to 1.
     *
     * @param dlogits (N, K) written; p (N, K) read: from {@link #klForward}; z (N, K) read
     */
    public static void klBackward(float[] dlogits, float[] p, float[] z, int n, int k, KlReduction r) {
        check(n, k, "p", p);
        Args.len("dlogits", dlogits, (long) n * k, "N*K " + Args.shape(n, k));
        Args.len("z", z, (long) n * k, "N*K " + Args.shape(n, k));
        checkReduction(r);
        double denom = r.denominator(n, k);
        for (int row = 0; row < n; row++) {
            int off = row * k;
            double zs = 0.0;
            for (int j = off; j < off + k; j++) {
                zs += z[j];
            }
            for (int j = off; j < off + k; j++) {
                dlogits[j] = (float) (((double) p[j] * zs - z[j]) / denom);
            }
        }
    }

    /**
     * Mean over the batch of -log softmax(logits)[target].
     *
     * @param p      (N, K) written: softmax(logits), kept for {@link #crossEntropyBackward}
     * @param logits (N, K) read
     * @param target (N) read: class indices in [0, K)
     */
    public static float crossEntropyForward(float[] p, float[] logits, int[] target, int n, int k) {
        check(n, k, "logits", logits);
        Args.len("p", p, (long) n * k, "N*K " + Args.shape(n, k));
        checkTargets(target, n, k);
        double loss = 0.0;
        for (int row = 0; row < n; row++) {
            int off = row * k;
            double lse = softmaxRow(p, logits, off, k);
            loss -= logits[off + target[row]] - lse;
        }
        return (float) (loss / n);
    }

    /** dlogits = (p - onehot(target)) / N.  dlogits (N, K): written; p (N, K), target (N): read. */
    public static void crossEntropyBackward(float[] dlogits, float[] p, int[] target, int n, int k) {
        check(n, k, "p", p);
        Args.len("dlogits", dlogits, (long) n * k, "N*K " + Args.shape(n, k));
        checkTargets(target, n, k);
        for (int row = 0; row < n; row++) {
            int off = row * k;
            for (int j = 0; j < k; j++) {
                double d = p[off + j] - (j == target[row] ? 1.0 : 0.0);
                dlogits[off + j] = (float) (d / n);
            }
        }
    }

    /** lse = m + log sum_j exp(l_j - m), m = max_j l_j, in double. */
    private static double logSumExp(float[] l, int off, int k) {
        float m = rowMax(l, off, k);
        double sum = 0.0;
        for (int j = off; j < off + k; j++) {
            sum += StrictMath.exp((double) l[j] - m);
        }
        return m + StrictMath.log(sum);
    }

    /**
     * p = softmax of one row, returning lse. One exp per element: e_j = exp(l_j - m) is parked in p
     * (as float), then scaled by 1/sum; the extra rounding costs at most one ulp of p.
     */
    private static double softmaxRow(float[] p, float[] l, int off, int k) {
        float m = rowMax(l, off, k);
        double sum = 0.0;
        for (int j = off; j < off + k; j++) {
            double e = StrictMath.exp((double) l[j] - m);
            sum += e;
            p[j] = (float) e;
        }
        double inv = 1.0 / sum;
        for (int j = off; j < off + k; j++) {
            p[j] = (float) (p[j] * inv);
        }
        return m + StrictMath.log(sum);
    }

    private static float rowMax(float[] l, int off, int k) {
        float m = l[off];
        for (int j = off + 1; j < off + k; j++) {
            m = Math.max(m, l[j]);
        }
        return m;
    }

    private static void check(int n, int k, String name, float[] a) {
        if (n < 1 || k < 1) {
            throw new IllegalArgumentException("dims must be >= 1, got (N, K) = " + Args.shape(n, k));
        }
        if ((long) n * k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("N*K of " + Args.shape(n, k) + " exceeds int range");
        }
        Args.len(name, a, (long) n * k, "N*K " + Args.shape(n, k));
    }

    private static void checkReduction(KlReduction r) {
        if (r == null) {
            throw new IllegalArgumentException("reduction must not be null");
        }
    }

    private static void checkTargets(int[] target, int n, int k) {
        Args.len("target", target, n, "N (" + n + ")");
        for (int i = 0; i < n; i++) {
            if (target[i] < 0 || target[i] >= k) {
                throw new IllegalArgumentException("target[" + i + "] = " + target[i] + " outside [0, K = " + k + ")");
            }
        }
    }
}
