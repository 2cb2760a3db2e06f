package dev.mtdtl.cuda;

import static dev.mtdtl.cuda.Dev.down;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mtdtl.tensor.cpu.KlReduction;
import dev.mtdtl.tensor.ref.BatchNormRef;
import dev.mtdtl.tensor.ref.SoftmaxRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Batch norm (train/eval, forward/backward) and softmax + KL / cross-entropy on the GPU vs the double references. */
@Tag("gpu")
class NormLossCudaTest {

    @BeforeAll
    static void gpu() {
        assumeTrue(Cuda.isAvailable(), () -> "no GPU: " + Cuda.unavailableReason());
    }

    /** (N, C, S, offset of the data): tiny, BatchNorm1d at batch 128, conv1 at batch 8, |mean| >> std. */
    static final int[][] BN_SHAPES = {{2, 3, 25, 0}, {128, 256, 1, 0}, {8, 16, 108 * 128, 0}, {4, 5, 300, 1700}};

    @Test
    void batchNormTrainMatchesReference() {
        for (int[] sh : BN_SHAPES) {
            int n = sh[0], c = sh[1], s = sh[2], len = n * c * s;
            float[] x = Fixtures.uniform(len, len, -1f, 1f);
            for (int i = 0; i < len; i++) {
                x[i] += sh[3];
            }
            float[] dy = Fixtures.uniform(len + 1, len, -1f, 1f);
            float[] gamma = Fixtures.uniform(2, c, 0.5f, 1.5f), beta = Fixtures.uniform(3, c, -0.5f, 0.5f);
            float[] rm = Fixtures.uniform(4, c, -0.1f, 0.1f), rv = Fixtures.uniform(5, c, 0.9f, 1.1f);
            float[] dg0 = Fixtures.uniform(6, c, -1f, 1f), db0 = Fixtures.uniform(7, c, -1f, 1f);
            float eps = 1e-5f, mom = 0.1f;
            double[] xd = Fixtures.toDouble(x);
            BatchNormRef.Train ref = BatchNormRef.forwardTrain(xd, Fixtures.toDouble(gamma), Fixtures.toDouble(beta),
                    Fixtures.toDouble(rm), Fixtures.toDouble(rv), n, c, s, mom, eps);
            BatchNormRef.Grads g = BatchNormRef.backwardTrain(Fixtures.toDouble(dy), xd, Fixtures.toDouble(gamma), n, c, s, eps);
            String what = "batchnorm train " + java.util.Arrays.toString(sh);
            try (Dev d = new Dev()) {
                DeviceBuffer gy = d.poisoned(len), gmean = d.poisoned(c), ginv = d.poisoned(c), gx = d.up(x),
                        ggam = d.up(gamma), gbet = d.up(beta), grm = d.up(rm), grv = d.up(rv),
                        gdx = d.poisoned(len), gdy = d.up(dy), gdg = d.up(dg0), gdb = d.up(db0);
                BatchNormCuda.forwardTrain(gy, gmean, ginv, gx, ggam, gbet, grm, grv, n, c, s, mom, eps);
                BatchNormCuda.backwardTrain(gdx, gdg, gdb, gdy, gx, gmean, ginv, ggam, n, c, s);
                int cnt = n * s;
                Close.assertRelL2(ref.y(), down(gy, len), Tol.reduction(cnt), what + " y");
                Close.assertRelL2(ref.mean(), down(gmean, c), Tol.reduction(cnt), what + " mean");
                Close.assertRelL2(ref.invstd(), down(ginv, c), Tol.reduction(cnt), what + " invstd");
                Close.assertRelL2(ref.runningMean(), down(grm, c), Tol.reduction(cnt), what + " running mean");
                Close.assertRelL2(ref.runningVar(), down(grv, c), Tol.reduction(cnt), what + " running var");
                if (sh[3] != 0) {
                    // The backward reads the SAVED float mean, |mean| * 2^-24 off the true one; with |mean| >> std that
                    // bias dominates dgamma (CPU and GPU alike), so a large mean is checked in the forward only, as
                    // BatchNormCpuTest.largeMeanDoesNotCancel does.
                    continue;
                }
                Close.assertRelL2(g.dx(), down(gdx, len), Tol.reduction(cnt), what + " dx");
                Close.assertRelL2(plus(dg0, g.dgamma()), down(gdg, c), Tol.reduction(cnt), what + " dgamma (accumulated)");
                Close.assertRelL2(plus(db0, g.dbeta()), down(gdb, c), Tol.reduction(cnt), what + " dbeta (accumulated)");
            }
        }
    }

    @Test
    void batchNormEvalMatchesReference() {
        for (int[] sh : BN_SHAPES) {
            int n = sh[0], c = sh[1], s = sh[2], len = n * c * s;
            float[] x = Fixtures.uniform(len + 9, len, -1f, 1f);
            float[] dy = Fixtures.uniform(len + 10, len, -1f, 1f);
            float[] gamma = Fixtures.uniform(2, c, 0.5f, 1.5f), beta = Fixtures.uniform(3, c, -0.5f, 0.5f);
            float[] rm = Fixtures.uniform(4, c, -0.1f, 0.1f), rv = Fixtures.uniform(5, c, 0.5f, 2f);
            float eps = 1e-5f;
            double[] xd = Fixtures.toDouble(x);
            double[] y = BatchNormRef.forwardEval(xd, Fixtures.toDouble(gamma), Fixtures.toDouble(beta), Fixtures.toDouble(rm),
                    Fixtures.toDouble(rv), n, c, s, eps);
            BatchNormRef.Grads g = BatchNormRef.backwardEval(Fixtures.toDouble(dy), xd, Fixtures.toDouble(gamma),
                    Fixtures.toDouble(rm), Fixtures.toDouble(rv), n, c, s, eps);
            String what = "batchnorm eval " + java.util.Arrays.toString(sh);
            try (Dev d = new Dev()) {
                DeviceBuffer gy = d.poisoned(len), gx = d.up(x), ggam = d.up(gamma), gbet = d.up(beta), grm = d.up(rm),
                        grv = d.up(rv), gdx = d.poisoned(len), gdy = d.up(dy), gdg = d.up(new float[c]), gdb = d.up(new float[c]);
                BatchNormCuda.forwardEval(gy, gx, ggam, gbet, grm, grv, n, c, s, eps);
                BatchNormCuda.backwardEval(gdx, gdg, gdb, gdy, gx, ggam, grm, grv, n, c, s, eps);
                Close.assertRelL2(y, down(gy, len), Tol.F32_ELEMENTWISE * 4, what + " y");
                Close.assertRelL2(g.dx(), down(gdx, len), Tol.F32_ELEMENTWISE * 4, what + " dx");
                Close.assertRelL2(g.dgamma(), down(gdg, c), Tol.reduction(n * s), what + " dgamma");
                Close.assertRelL2(g.dbeta(), down(gdb, c), Tol.reduction(n * s), what + " dbeta");
            }
        }
    }

    @Test
    void softmaxKlAndCrossEntropyMatchReference() {
        int[][] shapes = {{1, 2}, {3, 50}, {128, 50}, {128, 2}, {5, 77}};
        for (int[] sh : shapes) {
            int n = sh[0], k = sh[1], len = n * k;
            float[] logits = Fixtures.uniform(len, len, -6f, 6f);
            if (len > 4) {
                logits[3] = 90f;          // would overflow exp without the max shift
            }
            float[] z = Fixtures.uniform(len + 1, len, 0f, 1f);
            for (int r = 0; r < n; r++) {  // rows of z: distributions with a zero entry (0 log 0 = 0)
                double sum = 0;
                z[r * k] = 0f;
                for (int j = 0; j < k; j++) {
                    sum += z[r * k + j];
                }
                for (int j = 0; j < k; j++) {
                    z[r * k + j] = (float) (z[r * k + j] / sum);
                }
            }
            int[] target = new int[n];
            for (int r = 0; r < n; r++) {
                target[r] = (r * 7 + 3) % k;
            }
            double[] ld = Fixtures.toDouble(logits), zd = Fixtures.toDouble(z);
            String what = "softmax (" + n + ", " + k + ")";
            try (Dev d = new Dev()) {
                DeviceBuffer gl = d.up(logits), gz = d.up(z), gt = d.up(target), gp = d.poisoned(len), gd = d.poisoned(len);
                SoftmaxCuda.softmax(gp, gl, n, k);
                Close.assertRelL2(SoftmaxRef.softmax(ld, n, k), down(gp, len), Tol.F32_ELEMENTWISE, what + " p");
                for (KlReduction r : KlReduction.values()) {
                    double denom = r.denominator(n, k);
                    float loss = SoftmaxCuda.klForward(gp, gl, gz, n, k, r);
                    double ref = SoftmaxRef.kl(ld, zd, n, k, denom);
                    assertEquals(ref, loss, Math.abs(ref) * Tol.reduction(len) + 1e-7, what + " KL " + r);
                    SoftmaxCuda.klBackward(gd, gp, gz, n, k, r);
                    Close.assertRelL2(SoftmaxRef.klGrad(ld, zd, n, k, denom), down(gd, len), Tol.reduction(k), what + " dKL " + r);
                }
                float ce = SoftmaxCuda.crossEntropyForward(gp, gl, gt, n, k);
                double ceRef = SoftmaxRef.crossEntropy(ld, target, n, k);
                assertEquals(ceRef, ce, Math.abs(ceRef) * Tol.reduction(n) + 1e-7, what + " CE");
                SoftmaxCuda.crossEntropyBackward(gd, gp, gt, n, k);
                Close.assertRelL2(SoftmaxRef.crossEntropyGrad(ld, target, n, k), down(gd, len), Tol.F32_ELEMENTWISE, what + " dCE");
            }
        }
    }

    static double[] plus(float[] a, double[] b) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i] + b[i];
        }
        return o;
    }
}
