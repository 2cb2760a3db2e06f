package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.ref.SoftmaxRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.FiniteDiff;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Threads;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.mtdtl.tensor.test.Fixtures.f32;
import static dev.mtdtl.tensor.test.Fixtures.f64;
import static dev.mtdtl.tensor.test.Fixtures.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoftmaxCpuTest {

    /** Row 0 of the fixture's logits is offset by +90: exp would overflow without the max shift. */
    @Test
    void klMatchesTorchFixture() {
        int n = 4;
        int k = 50;
        float[] logits = f32("softmax_kl/logits.npy");
        float[] z = f32("softmax_kl/z.npy");
        float[] p = new float[n * k];
        float[] lp = new float[n * k];
        float[] d = new float[n * k];
        float loss = SoftmaxCpu.klForward(p, logits, z, n, k, KlReduction.BATCHMEAN);
        SoftmaxCpu.logSoftmax(lp, logits, n, k);
        SoftmaxCpu.klBackward(d, p, z, n, k, KlReduction.BATCHMEAN);
        double tol = Tol.FIXTURE_DEFAULT;   // manifest: 1e-5 for all four outputs
        Close.assertRelL2(f64("softmax_kl/probs_f64.npy"), p, tol, "probs");
        Close.assertRelL2(f64("softmax_kl/log_probs_f64.npy"), lp, tol, "log_probs");
        Close.assertRelL2(f64("softmax_kl/loss_f64.npy"), new float[]{loss}, tol, "loss");
        Close.assertRelL2(f64("softmax_kl/grad_logits_f64.npy"), d, tol, "grad_logits");
        float[] p2 = new float[n * k];
        SoftmaxCpu.softmax(p2, logits, n, k);
        Close.assertExact(p, p2, "softmax() equals the probabilities klForward writes");
        // MEAN divides the same sum by N*K instead of N.
        float lossMean = SoftmaxCpu.klForward(p, logits, z, n, k, KlReduction.MEAN);
        assertEquals(loss / k, lossMean, 1e-6 * loss);
    }

    @Test
    void crossEntropyMatchesTorchFixture() {
        int n = 6;
        int k = 2;
        float[] logits = f32("cross_entropy_2class/logits.npy");
        int[] t = Fixtures.npy("cross_entropy_2class/target.npy").toInt();
        float[] p = new float[n * k];
        float[] d = new float[n * k];
        float loss = SoftmaxCpu.crossEntropyForward(p, logits, t, n, k);
        SoftmaxCpu.crossEntropyBackward(d, p, t, n, k);
        double tol = Tol.FIXTURE_DEFAULT;   // manifest: 1e-5
        Close.assertRelL2(f64("cross_entropy_2class/probs_f64.npy"), p, tol, "probs");
        Close.assertRelL2(f64("cross_entropy_2class/loss_f64.npy"), new float[]{loss}, tol, "loss");
        Close.assertRelL2(f64("cross_entropy_2class/grad_logits_f64.npy"), d, tol, "grad_logits");
    }

    /** Rows of z that do NOT sum to 1 exercise the general p*rowsum(z) - z form; some z are exactly 0. */
    private static float[] targets(int n, int k, long seed) {
        float[] z = Fixtures.uniform(seed, n * k, -0.5f, 1f);
        for (int i = 0; i < z.length; i++) {
            z[i] = Math.max(z[i], 0f);
        }
        return z;
    }

    @ParameterizedTest
    @EnumSource(KlReduction.class)
    void klReferenceBackwardMatchesFiniteDifferences(KlReduction r) {
        int n = 2;
        int k = 5;
        double[] l = toDouble(Fixtures.uniform(1, n * k, -3f, 3f));
        double[] z = toDouble(targets(n, k, 2));
        double denom = r.denominator(n, k);
        double[] fd = FiniteDiff.gradient(v -> SoftmaxRef.kl(v, z, n, k, denom), l, 1e-6);
        Close.assertRelL2(fd, SoftmaxRef.klGrad(l, z, n, k, denom), Tol.FINITE_DIFF, "dlogits " + r);
    }

    @Test
    void crossEntropyReferenceBackwardMatchesFiniteDifferences() {
        int n = 3;
        int k = 4;
        double[] l = toDouble(Fixtures.uniform(3, n * k, -3f, 3f));
        int[] t = {0, 3, 2};
        double[] fd = FiniteDiff.gradient(v -> SoftmaxRef.crossEntropy(v, t, n, k), l, 1e-6);
        Close.assertRelL2(fd, SoftmaxRef.crossEntropyGrad(l, t, n, k), Tol.FINITE_DIFF, "dlogits");
    }

    @ParameterizedTest
    @EnumSource(KlReduction.class)
    void matchesDoubleReference(KlReduction r) {
        int n = 7;
        int k = 50;
        float[] logits = Fixtures.uniform(4, n * k, -20f, 20f);
        logits[3] += 500f;   // far beyond exp's float range
        float[] z = targets(n, k, 5);
        double[] ld = toDouble(logits);
        double[] zd = toDouble(z);
        float[] p = new float[n * k];
        float[] lp = new float[n * k];
        float[] d = new float[n * k];
        float loss = SoftmaxCpu.klForward(p, logits, z, n, k, r);
        SoftmaxCpu.klBackward(d, p, z, n, k, r);
        SoftmaxCpu.logSoftmax(lp, logits, n, k);
        double tol = Tol.F32_ELEMENTWISE;
        Close.assertRelL2(SoftmaxRef.softmax(ld, n, k), p, tol, "p");
        Close.assertRelL2(SoftmaxRef.logSoftmax(ld, n, k), lp, tol, "log p");
        Close.assertRelL2(new double[]{SoftmaxRef.kl(ld, zd, n, k, r.denominator(n, k))}, new float[]{loss}, tol, "loss");
        Close.assertRelL2(SoftmaxRef.klGrad(ld, zd, n, k, r.denominator(n, k)), d, tol, "dlogits");
        int[] t = {0, 49, 3, 17, 25, 1, 2};
        float ce = SoftmaxCpu.crossEntropyForward(p, logits, t, n, k);
        SoftmaxCpu.crossEntropyBackward(d, p, t, n, k);
        Close.assertRelL2(new double[]{SoftmaxRef.crossEntropy(ld, t, n, k)}, new float[]{ce}, tol, "ce loss");
        Close.assertRelL2(SoftmaxRef.crossEntropyGrad(ld, t, n, k), d, tol, "ce dlogits");
    }

    @Test
    void zeroTargetsContributeNothingEvenWhereTheProbabilityUnderflows() {
        float[] logits = {0f, -200f, 0f};   // p[1] = exp(-200) underflows float
        float[] z = {0.5f, 0f, 0.5f};
        float loss = SoftmaxCpu.klForward(new float[3], logits, z, 1, 3, KlReduction.BATCHMEAN);
        assertTrue(Float.isFinite(loss) && Math.abs(loss) < 1e-6, "loss " + loss);
    }

    @Test
    void oneAndThreeThreadsAreBitIdentical() {
        int n = 128;
        int k = 50;
        float[] logits = Fixtures.uniform(6, n * k, -5f, 5f);
        float[] z = targets(n, k, 7);
        float[][] p = new float[2][n * k];
        float[][] d = new float[2][n * k];
        float[] loss = new float[2];
        for (int r = 0; r < 2; r++) {
            int i = r;
            Threads.with(r == 0 ? 1 : 3, () -> {
                loss[i] = SoftmaxCpu.klForward(p[i], logits, z, n, k, KlReduction.MEAN);
                SoftmaxCpu.klBackward(d[i], p[i], z, n, k, KlReduction.MEAN);
            });
        }
        Close.assertExact(p[0], p[1], "p");
        Close.assertExact(d[0], d[1], "dlogits");
        assertEquals(Float.floatToRawIntBits(loss[0]), Float.floatToRawIntBits(loss[1]), "loss");
    }

    @Test
    void badArgumentsNameTheShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                SoftmaxCpu.klForward(new float[200], new float[200], new float[199], 4, 50, KlReduction.MEAN));
        assertTrue(e.getMessage().contains("z: length 199") && e.getMessage().contains("(4, 50)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                SoftmaxCpu.crossEntropyForward(new float[12], new float[12], new int[]{0, 1, 2, 0, 1, 0}, 6, 2));
        assertTrue(e.getMessage().contains("target[2] = 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                SoftmaxCpu.crossEntropyBackward(new float[12], new float[12], new int[5], 6, 2));
        assertTrue(e.getMessage().contains("target: length 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SoftmaxCpu.softmax(new float[1], new float[1], 0, 1));
        assertTrue(e.getMessage().contains("(0, 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () ->
                SoftmaxCpu.klBackward(new float[4], new float[4], new float[4], 2, 2, null));
    }
}
