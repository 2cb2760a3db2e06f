package dev.mtdtl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.ref.Conv2dRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The filter and bias gradients with lanes along the output channels ({@link ConvFilterOc}): which layers take it,
 * its transpose, its values against the double reference, and that its bits do not depend
 * on the thread count. Conv2dCpuTest checks it too (conv1 at batch 1 and 3, and an awkward shape).
 */
class ConvFilterOcTest {

    private final int threads0 = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads0);
    }

    /** conv1 of the base CNN at batch n. */
    private static ConvGeom conv1(int n) {
        return new ConvGeom(n, 2, 216, 128, 16, 5, 5, 2, 1, 2, 2);
    }

    @Test
    void takesConv1OfTheBaseCnnOnly() {
        Assumptions.assumeTrue(Gemm.VL == 16 || Gemm.VL == 8,
                "the kernel needs 8- or 16-lane vectors");
        assertEquals(true, ConvFilterOc.applies(conv1(32)));
        assertEquals("forward=direct data=narrow filter=oc-lanes", Conv2dCpu.paths(conv1(32)));
        ConvGeom[] others = {ConvGeom.same(32, 16, 54, 64, 32, 3), ConvGeom.same(32, 32, 27, 32, 64, 3),
            ConvGeom.same(32, 64, 13, 16, 64, 3), ConvGeom.same(32, 64, 6, 8, 128, 3),
            ConvGeom.same(32, 128, 3, 4, 256, 3), ConvGeom.same(32, 256, 3, 4, 256, 1)};
        for (ConvGeom g : others) {
            assertEquals(false, ConvFilterOc.applies(g), "oc-lanes path of " + g);
        }
        // 15 output channels: not whole vectors; a 3x3 kernel; column stride 2
        assertEquals(false, ConvFilterOc.applies(new ConvGeom(2, 2, 40, 40, 15, 5, 5, 2, 1, 2, 2)));
        assertEquals(false, ConvFilterOc.applies(new ConvGeom(2, 2, 40, 40, 16, 3, 3, 1, 1, 1, 1)));
        assertEquals(false, ConvFilterOc.applies(new ConvGeom(2, 2, 40, 40, 16, 5, 5, 1, 2, 2, 2)));
        // padded rows longer than the kernel's compiled pitch (132 = 128 + 2 x 2) take ConvFilter
        assertEquals(false, ConvFilterOc.applies(new ConvGeom(2, 2, 40, 129, 16, 5, 5, 2, 1, 2, 2)));
        assertEquals(true, ConvFilterOc.applies(new ConvGeom(2, 2, 40, 127, 16, 5, 5, 2, 1, 2, 2)));
    }

    /**
     * The three tilings of conv1's row kernel, {@code row} (26 accumulators, 16 lanes), {@code rowLo} + {@code rowHi}
     * (8 lanes, JDK 17-20) and {@link ConvFilterOcRows}' four passes (8 lanes, JDK 21+), give the same sums bit for bit
     * (each accumulator the same chain); run at this JVM's width, which the code does not depend on.
     */
    @Test
    void everyTilingOfTheRowGivesTheSameBits() {
        int vl = Gemm.VL, wo = 37, pitch = ConvFilterOc.PITCH;
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        float[] dyT = new float[wo * vl];
        float[] xp = new float[5 * pitch];
        for (int i = 0; i < dyT.length; i++) {
            dyT[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < xp.length; i++) {
            xp[i] = (float) (r.nextDouble() * 2 - 1);
        }
        int slots = ConvFilterOc.ACC * vl;
        float[] one = new float[slots], halves = new float[slots], quarters = new float[slots];
        ConvFilterOc.row(one, 0, dyT, 0, xp, 0, wo);
        ConvFilterOc.rowLo(halves, 0, dyT, 0, xp, 0, wo);
        ConvFilterOc.rowHi(halves, 0, dyT, 0, xp, 0, wo);
        ConvFilterOcRows.row(quarters, 0, dyT, 0, xp, 0, wo);
        for (int i = 0; i < slots; i++) {
            assertEquals(Float.floatToRawIntBits(one[i]), Float.floatToRawIntBits(halves[i]), "halves, slot " + i);
            assertEquals(Float.floatToRawIntBits(one[i]), Float.floatToRawIntBits(quarters[i]), "passes, slot " + i);
        }
    }

    @Test
    void transposeRowMovesEveryElementIncludingThePositionTail() {
        Assumptions.assumeTrue(Gemm.VL == 16 || Gemm.VL == 8, "the transposes need 8- or 16-lane vectors");
        int vl = Gemm.VL;
        int n = 2, oc = 32, ho = 3, wo = 37, p = ho * wo;     // whole blocks of VL positions + 5, several channel vectors
        float[] dy = new float[n * oc * p];
        for (int i = 0; i < dy.length; i++) {
            dy[i] = i + 1;
        }
        int src = (1 * oc + vl) * p + 1 * wo;                 // image 1, the second channel vector, row 1
        float[] t = new float[5 + wo * vl + 3];
        java.util.Arrays.fill(t, Float.NaN);
        ConvFilterOc.transposeRow(t, 5, dy, src, wo, p);
        float[] expected = t.clone();
        for (int q = 0; q < wo; q++) {
            for (int o = 0; o < vl; o++) {
                expected[5 + q * vl + o] = dy[src + o * p + q];
            }
        }
        assertArrayEquals(expected, t);
    }

    /**
     * conv1 at batch 17, and a shape with two output-channel vectors, positions that are not whole blocks of 16 and an
     * odd input size, against the double reference, in a workspace of NaNs (the kernel must not read scratch it did
     * not write). dw and db accumulate onto non-zero values.
     */
    @Test
    void matchesTheDoubleReference() {
        Assumptions.assumeTrue(Gemm.VL == 16 || Gemm.VL == 8,
                "the kernel needs 8- or 16-lane vectors");
        ConvGeom[] geoms = {conv1(17), new ConvGeom(5, 3, 13, 19, 32, 5, 5, 2, 1, 2, 1)};
        long seed = 900;
        for (ConvGeom g : geoms) {
            Assumptions.assumeTrue(ConvFilterOc.applies(g), "path of " + g);
            float[] x = Fixtures.uniform(seed++, g.xSize(), -1, 1), dy = Fixtures.uniform(seed++, g.ySize(), -1, 1);
            float[] dw0 = Fixtures.uniform(seed++, g.wSize(), -1, 1), db0 = Fixtures.uniform(seed++, g.oc(), -1, 1);
            float[] ws = new float[(int) Conv2dCpu.workspaceFloats(g)];
            java.util.Arrays.fill(ws, Float.NaN);   // the kernel must not read scratch it did not write
            float[] dw = dw0.clone(), db = db0.clone();
            Conv2dCpu.backwardFilter(dw, db, dy, x, g, ws);
            int[] a = {g.n(), g.c(), g.h(), g.w(), g.oc(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw()};
            double[] dwr = Conv2dRef.backwardFilter(Fixtures.toDouble(dy), Fixtures.toDouble(x), a);
            double[] dbr = Conv2dRef.backwardBias(Fixtures.toDouble(dy), g.n(), g.oc(), g.ho(), g.wo());
            for (int i = 0; i < dwr.length; i++) {
                dwr[i] += dw0[i];
            }
            for (int i = 0; i < dbr.length; i++) {
                dbr[i] += db0[i];
            }
            int k = g.n() * g.ho() * g.wo();
            Close.assertRelL2(dwr, dw, Tol.reduction(k), "oc-lanes dw of " + g);
            Close.assertRelL2(dbr, db, Tol.reduction(k), "oc-lanes db of " + g);
        }
    }

    /**
     * The same bits on 1 thread (image after image), on 2 and 3 (one participant per thread: conv1 at batch 17, and
     * the second shape at batch 5 on 2 threads) and in groups (batch 5 on 3 threads, batch 17 on 11: 16 + 1 images).
     */
    @Test
    void bitIdenticalForAnyThreadCountByParticipantsOrGroups() {
        Assumptions.assumeTrue(Gemm.VL == 16 || Gemm.VL == 8,
                "the kernel needs 8- or 16-lane vectors");
        ConvGeom[] geoms = {conv1(17), new ConvGeom(5, 3, 13, 19, 32, 5, 5, 2, 1, 2, 1)};
        for (ConvGeom g : geoms) {
            float[] x = Fixtures.uniform(21, g.xSize(), -1, 1), dy = Fixtures.uniform(22, g.ySize(), -1, 1);
            float[] dw0 = Fixtures.uniform(23, g.wSize(), -1, 1), db0 = Fixtures.uniform(24, g.oc(), -1, 1);
            float[][] first = null;
            for (int t : new int[] {1, 2, 3, 11}) {
                Parallel.setThreads(t);
                float[] dw = dw0.clone(), db = db0.clone();
                Conv2dCpu.backwardFilter(dw, db, dy, x, g, null);
                if (first == null) {
                    first = new float[][] {dw, db};
                } else {
                    Close.assertExact(first[0], dw, "oc-lanes dw of " + g + ", " + t + " threads against 1");
                    Close.assertExact(first[1], db, "oc-lanes db of " + g + ", " + t + " threads against 1");
                }
            }
        }
    }
}
