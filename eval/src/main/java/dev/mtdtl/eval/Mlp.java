package dev.mtdtl.eval;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.cpu.Gemm;

/**
 * The downstream model of the paper's evaluation (decision 15): scikit-learn's MLPClassifier/MLPRegressor
 * with hidden_layer_sizes=(256, 256) and every other setting at its default, reimplemented.
 *
 * <p>ReLU hidden layers; softmax + log-loss (classifier) or identity + half squared error (regressor);
 * Glorot-uniform init of weights and biases (bound sqrt(6 / (fan_in + fan_out)), as sklearn); Adam (lr 1e-3,
 * β 0.9/0.999, ε 1e-8, sklearn's bias-corrected step size); L2 α = 1e-4 added as α·W/batch to the weight
 * gradients (sklearn's 0.5·α·‖W‖²/batch in the loss); minibatches of min(200, n) over a fresh seeded shuffle
 * each epoch; at most 200 epochs, stopping when the epoch's mean training loss has not improved on the best by
 * more than tol = 1e-4 for more than 10 epochs in a row (sklearn ≥ 0.20's rule, no validation split).
 * Optional input standardisation (fitted on the training rows; the paper code's default is off).
 * Matrix products go through the engine's SGEMM kernel; float32 throughout, as sklearn with float32 input,
 * except Adam's step size, which is formed in double. Training runs in {@link MlpStep} (one parallel region
 * an epoch, two passes per minibatch, over operands kept in the kernel's packed layout or read in place); prediction through {@code Gemm.sgemm}.
 * Results do not depend on the thread count ({@code MlpBitsTest}).
 */
public final class Mlp {

    public static final int HIDDEN = 256;

    /** Settings; {@link #sklearn(long)} is the paper's. */
    public record Options(int hidden, double lr, double alpha, int maxBatch, int maxEpochs, double tol,
                          int patience, boolean standardize, long seed) {
        public static Options sklearn(long seed) {
            return new Options(HIDDEN, 1e-3, 1e-4, 200, 200, 1e-4, 10, false, seed);
        }

        public Options withStandardize(boolean s) {
            return new Options(hidden, lr, alpha, maxBatch, maxEpochs, tol, patience, s, seed);
        }

        public Options withMaxEpochs(int e) {
            return new Options(hidden, lr, alpha, maxBatch, e, tol, patience, standardize, seed);
        }
    }

    private final boolean classifier;
    private final int in;
    private final int out;
    private final Options o;
    private final float[][] w = new float[3][];
    private final float[][] b = new float[3][];
    private final int[] dimsIn;
    private final int[] dimsOut;
    private float[] mu;
    private float[] sd;
    private int epochs;
    private double finalLoss;

    private Mlp(boolean classifier, int in, int out, Options o) {
        this.classifier = classifier;
        this.in = in;
        this.out = out;
        this.o = o;
        dimsIn = new int[]{in, o.hidden(), o.hidden()};
        dimsOut = new int[]{o.hidden(), o.hidden(), out};
        Rng rng = new Rng(o.seed());
        for (int l = 0; l < 3; l++) {
            double bound = Math.sqrt(6.0 / (dimsIn[l] + dimsOut[l]));
            w[l] = new float[dimsIn[l] * dimsOut[l]];
            b[l] = new float[dimsOut[l]];
            for (int i = 0; i < w[l].length; i++) {
                w[l][i] = (float) rng.uniform(-bound, bound);
            }
            for (int i = 0; i < b[l].length; i++) {
                b[l][i] = (float) rng.uniform(-bound, bound);
            }
        }
    }

    /** Fit a classifier on x (n, d) with labels y in [0, classes). */
    public static Mlp classifier(float[] x, int n, int d, int[] y, int classes, Options o) {
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        }
        float[] t = new float[n * classes];
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= classes) {
                throw new IllegalArgumentException("label " + y[i] + " of row " + i + " is outside [0, " + classes + ")");
            }
            t[i * classes + y[i]] = 1;
        }
        Mlp m = new Mlp(true, d, classes, o);
        m.fit(x, n, t);
        return m;
    }

    /** Fit a regressor on x (n, d) with targets y (n, k). */
    public static Mlp regressor(float[] x, int n, int d, float[] y, int k, Options o) {
        Mlp m = new Mlp(false, d, k, o);
        m.fit(x, n, y.clone());
        return m;
    }

    public int epochs() {
        return epochs;
    }

    public double finalLoss() {
        return finalLoss;
    }

    private void fit(float[] x0, int n, float[] t) {
        if (n < 1) {
            throw new IllegalArgumentException("no training rows");
        }
        if (x0.length != (long) n * in) {
            throw new IllegalArgumentException("x has " + x0.length + " values, expected " + n + " × " + in);
        }
        float[] x = x0;
        if (o.standardize()) {
            mu = new float[in];
            sd = new float[in];
            for (int j = 0; j < in; j++) {
                double s = 0;
                double s2 = 0;
                for (int i = 0; i < n; i++) {
                    double v = x0[i * in + j];
                    s += v;
                    s2 += v * v;
                }
                double m = s / n;
                double var = Math.max(0, s2 / n - m * m);
                mu[j] = (float) m;
                sd[j] = var < 1e-20 ? 1f : (float) Math.sqrt(var);   // sklearn: zero variance -> scale 1
            }
            x = scale(x0, n);
        }
        int bs = Math.min(o.maxBatch(), n);
        MlpStep trainer = new MlpStep(classifier, in, o.hidden(), out, bs, o.alpha(), w, b);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Rng rng = new Rng(Rng.hash(o.seed(), 1));
        double best = Double.POSITIVE_INFINITY;
        int noImprove = 0;
        long step = 0;
        int batches = (n + bs - 1) / bs;
        double[] lrs = new double[batches];
        double[] losses = new double[batches];
        for (epochs = 0; epochs < o.maxEpochs(); ) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            for (int k = 0; k < batches; k++) {
                step++;
                lrs[k] = o.lr() * Math.sqrt(1 - StrictMath.pow(0.999, step)) / (1 - StrictMath.pow(0.9, step));
            }
            trainer.epoch(x, t, order, n, lrs, losses);
            double lossSum = 0;
            for (int k = 0; k < batches; k++) {
                lossSum += losses[k] * Math.min(bs, n - k * bs);
            }
            epochs++;
            finalLoss = lossSum / n;
            if (!Double.isFinite(finalLoss)) {
                throw new IllegalStateException("MLP training diverged (loss " + finalLoss + ") at epoch " + epochs);
            }
            if (finalLoss > best - o.tol()) {
                noImprove++;
            } else {
                noImprove = 0;
            }
            best = Math.min(best, finalLoss);
            if (noImprove > o.patience()) {
                break;
            }
        }
    }

    private float[] scale(float[] x, int n) {
        float[] s = new float[x.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < in; j++) {
                s[i * in + j] = (x[i * in + j] - mu[j]) / sd[j];
            }
        }
        return s;
    }

    private void forward(float[] x, int m, float[] h1, float[] h2, float[] ob) {
        int h = o.hidden();
        affine(x, m, in, h, w[0], b[0], h1);
        relu(h1, m * h);
        affine(h1, m, h, h, w[1], b[1], h2);
        relu(h2, m * h);
        affine(h2, m, h, out, w[2], b[2], ob);
    }

    private static void affine(float[] x, int m, int k, int n, float[] wl, float[] bl, float[] y) {
        for (int i = 0; i < m; i++) {
            System.arraycopy(bl, 0, y, i * n, n);
        }
        Gemm.sgemm(false, false, m, n, k, 1f, x, 0, k, wl, 0, n, 1f, y, 0, n);
    }

    private static void relu(float[] a, int len) {
        for (int i = 0; i < len; i++) {
            if (a[i] < 0) {
                a[i] = 0;
            }
        }
    }

    /** Outputs (n, out): logits for a classifier, predictions for a regressor. */
    public float[] predictRaw(float[] x0, int n) {
        if (x0.length != (long) n * in) {
            throw new IllegalArgumentException("x has " + x0.length + " values, expected " + n + " × " + in);
        }
        float[] x = mu == null ? x0 : scale(x0, n);
        int h = o.hidden();
        float[] h1 = new float[n * h];
        float[] h2 = new float[n * h];
        float[] y = new float[n * out];
        forward(x, n, h1, h2, y);
        return y;
    }

    /** Class indices (classifier). */
    public int[] predictClass(float[] x, int n) {
        return Metrics.argmax(predictRaw(x, n), n, out);
    }
}
