package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.test.Threads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Inference through a pooled block in one op must give exactly the bits of the conv's forward followed by the fused
 * batch norm + ReLU + pool in evaluation mode (nn's inference path relies on it: the vectors of extraction must not
 * depend on which path ran). The base CNN's conv1 (5 x 5, row stride 2, 2 input channels) and conv2-conv4 shapes,
 * an odd output plane (the pool floors), no bias, and batches and thread counts that take both of
 * {@link ConvImages}'s ways: a thread per image (N >= 2T) and groups of images with the loops inside parallel.
 */
class ConvPoolEvalCpuTest {

    @ParameterizedTest
    @CsvSource({
            "3, 2, 216, 128, 16, 5, 2, 2, true, 1",     // conv1
            "5, 2, 216, 128, 16, 5, 2, 2, true, 2",
            "1, 2, 216, 128, 16, 5, 2, 2, true, 3",     // one image: a group
            "4, 16, 54, 64, 32, 3, 1, 1, true, 2",     // conv2
            "3, 32, 27, 32, 64, 3, 1, 1, true, 3",     // conv3 (odd H), 3 images on 3 threads: a group
            "6, 64, 13, 16, 64, 3, 1, 1, true, 2",     // conv4
            "4, 3, 11, 35, 8, 3, 1, 1, false, 2",      // odd H and W, no bias
            "4, 64, 6, 8, 128, 3, 1, 1, true, 2",      // conv5: direct (so here) only at 8 lanes
    })
    void sameBitsAsConvThenBatchNormReluPool(int n, int c, int h, int w, int oc, int k, int sh, int pad, boolean bias,
                                             int threads) {
        ConvGeom g = new ConvGeom(n, c, h, w, oc, k, k, sh, 1, pad, pad);
        assumeTrue(w >= Gemm.VL, "rows narrower than a vector take im2col, not this op");
        assertTrue(ConvPoolEvalCpu.applies(g), g.toString());
        Rng rng = new Rng(n * 31 + c * 7 + h + oc);
        float[] x = gaussian(rng, (int) g.xSize(), 1.0);
        float[] wt = gaussian(rng, (int) g.wSize(), 0.2);
        float[] b = bias ? gaussian(rng, oc, 0.1) : null;
        float[] gamma = new float[oc];
        float[] beta = new float[oc];
        float[] mean = new float[oc];
        float[] var = new float[oc];
        for (int i = 0; i < oc; i++) {
            gamma[i] = (float) (i % 5 == 0 ? -0.7 : 0.5 + rng.nextDouble());   // a negative gamma flips the max
            beta[i] = (float) (0.3 * rng.nextGaussian());
            mean[i] = (float) (0.2 * rng.nextGaussian());
            var[i] = (float) (0.5 + rng.nextDouble());
        }
        int pooled = n * oc * (g.ho() / 2) * (g.wo() / 2);
        float[] want = new float[pooled];
        float[] got = new float[pooled];
        Threads.with(threads, () -> {
            float[] y = new float[(int) g.ySize()];
            Conv2dCpu.forward(y, x, wt, b, g, null);
            int[] argmax = new int[BatchNormPoolCpu.argmaxLength(n, oc, g.ho(), g.wo())];
            BatchNormPoolCpu.forwardEval(want, argmax, y, gamma, beta, mean, var, n, oc, g.ho(), g.wo(), 1e-5f);
            float[] ws = new float[(int) ConvPoolEvalCpu.workspaceFloats(g) + 7];   // longer is fine
            java.util.Arrays.fill(ws, Float.NaN);   // scratch: nothing may be read before it is written
            ConvPoolEvalCpu.forward(got, x, wt, b, gamma, beta, mean, var, 1e-5f, g, ws);
        });
        assertArrayEquals(want, got, 0f, g + " on " + threads + " threads");
        boolean positive = false;
        for (float v : got) {
            positive |= v > 0;
        }
        assertTrue(positive, "some windows pass the ReLU");
    }

    @Test
    void refusesWhatTheDirectPathDoesNotTakeAndShortBuffers() {
        ConvGeom narrow = new ConvGeom(2, 64, 6, 40, 128, 3, 3, 1, 2, 1, 1);   // column stride 2: never direct
        assertFalse(ConvPoolEvalCpu.applies(narrow));
        float[] c = new float[128];
        assertThrows(IllegalArgumentException.class, () -> ConvPoolEvalCpu.forward(new float[2 * 128 * 3 * 10],
                new float[(int) narrow.xSize()], new float[(int) narrow.wSize()], null, c, c, c, c, 1e-5f, narrow,
                null));
        ConvGeom g = new ConvGeom(2, 16, 54, 64, 32, 3, 3, 1, 1, 1, 1);
        float[] k = new float[32];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvPoolEvalCpu.forward(
                new float[10], new float[(int) g.xSize()], new float[(int) g.wSize()], null, k, k, k, k, 1e-5f, g,
                null));
        assertTrue(e.getMessage().contains("y"), e.getMessage());
    }

    private static float[] gaussian(Rng rng, int len, double sd) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) (sd * rng.nextGaussian());
        }
        return a;
    }
}
