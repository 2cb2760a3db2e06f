package dev.mtdtl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.io.Npy;
import dev.mtdtl.tensor.ref.Conv2dRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Conv2dCpu against Conv2dRef (double) on awkward geometries and every base-CNN layer shape, against
 * the PyTorch fixtures, thread-count independence, and argument checks. Both paths are covered: the
 * direct kernels (rows at least a vector wide, unit column stride) and im2col + GEMM (the rest).
 */
class Conv2dCpuTest {

    private static final long SEED = 77L;
    private final int threads0 = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads0);
    }

    /** n, c, h, w, oc, kh, kw, sh, sw, ph, pw. */
    private static final int[][] AWKWARD = {
        {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
        {2, 3, 5, 5, 4, 3, 3, 1, 1, 1, 1},
        {1, 3, 7, 17, 7, 3, 3, 1, 1, 1, 1},      // direct, OC not a multiple of 8, partial last vector
        {2, 2, 9, 33, 9, 5, 5, 2, 1, 2, 2},      // direct forward/filter with row stride 2; generic data
        {1, 5, 6, 40, 3, 3, 1, 1, 1, 0, 0},      // 3x1 kernel, no padding
        {1, 2, 8, 20, 5, 1, 4, 1, 1, 0, 3},      // pad > k-1 on W: generic data gradient
        {2, 3, 11, 13, 6, 3, 3, 2, 2, 1, 1},     // column stride 2: generic everywhere
        {1, 4, 5, 7, 10, 5, 3, 1, 1, 2, 1},      // narrow rows: generic
        {3, 6, 4, 31, 17, 2, 2, 1, 1, 0, 0},     // even kernel
        {1, 2, 3, 1, 3, 3, 1, 1, 1, 1, 0},
        {2, 5, 7, 18, 5, 1, 3, 2, 1, 0, 1},      // KH < SH: a class of dx rows no kernel row reaches
        {1, 4, 6, 17, 3, 2, 3, 3, 1, 2, 3},      // SH 3, padding larger than the kernel
        {1, 4, 9, 33, 9, 5, 5, 2, 1, 2, 2},      // conv1-like with C >= 4: direct strided data gradient
        {2, 3, 4, 6, 5, 2, 2, 1, 1, 3, 4},       // padding wider than the kernel on narrow rows: im2col edges
        {2, 16, 5, 9, 11, 3, 5, 1, 1, 1, 2},     // channel-last filter: 11 channels (edge block), 5 taps = 3 + 2
        {3, 32, 8, 20, 8, 3, 4, 2, 1, 0, 1},     // channel-last filter: row stride 2, 4 taps = 3 + 1, 2 lane groups
    };

    /** The base CNN's layers (paper, Table 3) at a small batch. */
    private static final int[][] CNN = {
        {1, 2, 216, 128, 16, 5, 5, 2, 1, 2, 2},
        {1, 16, 54, 64, 32, 3, 3, 1, 1, 1, 1},
        {1, 32, 27, 32, 64, 3, 3, 1, 1, 1, 1},
        {2, 64, 13, 16, 64, 3, 3, 1, 1, 1, 1},
        {2, 64, 6, 8, 128, 3, 3, 1, 1, 1, 1},
        {2, 128, 3, 4, 256, 3, 3, 1, 1, 1, 1},
        {2, 256, 3, 4, 256, 1, 1, 1, 1, 0, 0},
    };

    @Test
    void matchesDoubleReferenceOnAwkwardGeometries() {
        long seed = SEED;
        for (int[] p : AWKWARD) {
            checkAgainstRef(geom(p), seed++);
        }
    }

    @Test
    void matchesDoubleReferenceOnEveryBaseCnnLayer() {
        long seed = SEED + 50;
        for (int[] p : CNN) {
            checkAgainstRef(geom(p), seed++);
        }
    }

    @Test
    void matchesPyTorchFixtures() {
        fixture("conv2d_a_5x5_s2x1", 2, 1, 2, 2);
        fixture("conv2d_b_3x3_s1", 1, 1, 1, 1);
        fixture("conv2d_c_1x1", 1, 1, 0, 0);
    }

    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        // L = sum(y * r): dL/dx = backwardData(r), dL/dw = backwardFilter(r), dL/db = sum(r)
        int[][] geoms = {{2, 3, 5, 5, 2, 3, 3, 1, 1, 1, 1}, {2, 3, 5, 5, 2, 3, 2, 2, 1, 1, 0}};
        for (int[] p : geoms) {
            ConvGeom g = geom(p);
            double[] x = Fixtures.toDouble(Fixtures.uniform(1, g.xSize(), -1, 1));
            double[] w = Fixtures.toDouble(Fixtures.uniform(2, g.wSize(), -1, 1));
            double[] b = Fixtures.toDouble(Fixtures.uniform(3, g.oc(), -1, 1));
            double[] r = Fixtures.toDouble(Fixtures.uniform(4, g.ySize(), -1, 1));
            double[] dx = Conv2dRef.backwardData(r, w, p);
            double[] dw = Conv2dRef.backwardFilter(r, x, p);
            double[] db = Conv2dRef.backwardBias(r, g.n(), g.oc(), g.ho(), g.wo());
            java.util.function.DoubleSupplier loss = () -> loss(x, w, b, r, p);
            Close.assertRelL2(fd(x, loss), dx, Tol.FINITE_DIFF, "conv dx vs finite differences " + g);
            Close.assertRelL2(fd(w, loss), dw, Tol.FINITE_DIFF, "conv dw vs finite differences " + g);
            Close.assertRelL2(fd(b, loss), db, Tol.FINITE_DIFF, "conv db vs finite differences " + g);
        }
    }

    /**
     * The bias gradient runs eight batch items' float chains side by side; each must keep the order of
     * the one-plane-at-a-time loop it replaced (float sum over q, then a double sum over n), bit for bit,
     * for batch sizes below, at and past multiples of eight.
     */
    @Test
    void biasGradientKeepsTheOnePlaneAtATimeBits() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(SEED);
        for (int n : new int[] {1, 3, 8, 9, 17, 32}) {
            int oc = 3, p = 37;
            float[] dy = new float[n * oc * p];
            for (int i = 0; i < dy.length; i++) {
                dy[i] = (float) (r.nextDouble(-1, 1) * Math.exp(r.nextDouble(-8, 8)));
            }
            for (int o = 0; o < oc; o++) {
                double s = 0;
                for (int bi = 0; bi < n; bi++) {
                    float t = 0f;
                    for (int q = 0; q < p; q++) {
                        t += dy[(bi * oc + o) * p + q];
                    }
                    s += t;
                }
                double got = Conv2dCpu.planeSums(dy, n, oc, o, p);
                assertTrue(Double.doubleToRawLongBits(s) == Double.doubleToRawLongBits(got),
                        "bias gradient of channel " + o + " at batch " + n + ": " + got + " instead of " + s);
            }
        }
    }

    @Test
    void bitIdenticalForOneAndFourThreads() {
        int[][] geoms = {CNN[0], CNN[2], CNN[4], AWKWARD[3], AWKWARD[6], AWKWARD[11]};
        for (int[] p : geoms) {
            ConvGeom g = geom(new int[] {3, p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10]});
            float[][] one = runAll(g, 1);
            float[][] four = runAll(g, 4);
            String[] names = {"y", "dx", "dw", "db"};
            for (int i = 0; i < one.length; i++) {
                Close.assertExact(one[i], four[i], "conv " + names[i] + " threads 1 vs 4 " + g);
            }
        }
    }

    /**
     * The direct forward and data gradient walk the batch image by image (ConvImages): one participant per thread
     * when there are at least two images a thread, else groups of up to 16 images (batch 20 on 11 threads: 16,
     * then 4). Either way, the same bits as one thread, in the workspace workspaceFloats sizes (checked by every
     * call): a stride-1 layer and a conv1-like one (stride 2, two row classes, the narrow data kernel).
     */
    @Test
    void directLayersByParticipantsOrByGroupsGiveTheSameBits() {
        ConvGeom[] geoms = {ConvGeom.same(20, 4, 5, 2 * Gemm.VL, 8, 3),
            new ConvGeom(20, 2, 10, Gemm.VL + 3, 16, 5, 5, 2, 1, 2, 2)};
        String[] names = {"y", "dx", "dw", "db"};
        for (ConvGeom g : geoms) {
            assertTrue(Conv2dCpu.paths(g).startsWith("forward=direct data="), Conv2dCpu.paths(g));
            float[][] one = runAll(g, 1);
            for (int t : new int[] {2, 3, 11}) {
                Parallel.setThreads(t);
                assertEquals(t < 11, ConvImages.byParticipants(g.n()), "participants at " + t + " threads");
                float[][] many = runAllIn(g, t, new float[(int) Conv2dCpu.workspaceFloats(g, true)]);
                for (int i = 0; i < one.length; i++) {
                    Close.assertExact(one[i], many[i], "conv " + names[i] + " threads 1 vs " + t + " " + g);
                }
            }
        }
    }

    /**
     * conv5-, conv61- and conv62-like layers (im2col forward and data gradient) split the batch into one task per
     * thread on 2 to 4 threads (ConvIm2col.tasks): the same bits as one thread, with uneven tasks (batch 7), in the
     * workspace Conv2dCpu.workspaceFloats sizes (checked by every call); and a batch of more than one lowered group
     * (with 16 lanes 80 conv5-sized images, 75 a group), whose tasks lower their share in sub-groups. Rows at most
     * half a vector wide (conv5's 8 columns with 16 lanes, 4 with 8; conv61's 4), because a row a whole vector wide
     * takes the direct kernels (Conv2dCpu.directForward).
     */
    @Test
    void smallLayersSplitTheBatchWithTheSameBits() {
        int half = Gemm.VL / 2;
        ConvGeom big = ConvGeom.same(ConvIm2col.COL_CAP / (64 * 9 * 6 * half) + 5, 64, 6, half, 16, 3);
        assertTrue(ConvIm2col.group(big) < big.n(), "more than one group: " + ConvIm2col.group(big));
        int quarter = Math.min(4, half);
        ConvGeom[] geoms = {ConvGeom.same(7, 16, 6, half, 32, 3), ConvGeom.same(7, 32, 3, quarter, 64, 3),
            ConvGeom.same(7, 64, 3, quarter, 64, 1), big};
        String[] names = {"y", "dx", "dw", "db"};
        for (ConvGeom g : geoms) {
            assertTrue(Conv2dCpu.paths(g).startsWith("forward=im2col data=im2col"), Conv2dCpu.paths(g));
            float[][] one = runAll(g, 1);
            for (int t = 2; t <= 4; t++) {
                Parallel.setThreads(t);
                assertEquals(t, ConvIm2col.tasks(g), "tasks at " + t + " threads for " + g);
                float[][] many = runAllIn(g, t, new float[(int) Conv2dCpu.workspaceFloats(g, true)]);
                for (int i = 0; i < one.length; i++) {
                    Close.assertExact(one[i], many[i], "conv " + names[i] + " threads 1 vs " + t + " " + g);
                }
            }
        }
    }

    /**
     * conv61- and conv62-like filter gradients (im2col) split dW's columns into one task per thread on 2 to 4
     * threads (ConvIm2col.filterByColumns): the same bits as one thread's unsplit GEMM, added onto a dW that is
     * not zero, with column ranges that end inside a GEMM panel (CKK = 288 on 3 threads: 96, 96, 96; CKK = 54 on 4:
     * one range of 32, one of 22), in the workspace Conv2dCpu.workspaceFloats sizes.
     */
    @Test
    void smallLayersFilterGradientSplitsItsColumnsWithTheSameBits() {
        ConvGeom[] geoms = {ConvGeom.same(7, 32, 3, 4, 64, 3), ConvGeom.same(5, 64, 3, 4, 48, 1),
            ConvGeom.same(6, 6, 3, 4, 40, 3)};
        for (ConvGeom g : geoms) {
            assertTrue(Conv2dCpu.paths(g).endsWith("filter=im2col") && ConvIm2col.splitsFilter(g),
                    Conv2dCpu.paths(g) + " " + g);
            float[] x = Fixtures.uniform(21, g.xSize(), -1, 1);
            float[] dy = Fixtures.uniform(22, g.ySize(), -1, 1);
            float[] dw0 = Fixtures.uniform(23, g.wSize(), -1, 1);
            float[][] got = new float[5][];
            for (int t = 1; t <= 4; t++) {
                Parallel.setThreads(t);
                float[] dw = dw0.clone();
                Conv2dCpu.backwardFilter(dw, null, dy, x, g, new float[(int) Conv2dCpu.workspaceFloats(g, true)]);
                got[t] = dw;
                if (t > 1) {
                    assertEquals(t, ConvIm2col.tasks(g), "tasks at " + t + " threads for " + g);
                    Close.assertExact(got[1], dw, "dw threads 1 vs " + t + " " + g);
                }
            }
        }
    }

    @Test
    void rejectsImpossibleGeometryAndWrongLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConvGeom(1, 2, 3, 3, 4, 5, 5, 1, 1, 0, 0));
        assertTrue(e.getMessage().contains("kernel 5x5 does not fit input 3x3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvGeom(1, 0, 3, 3, 4, 1, 1, 1, 1, 0, 0));
        assertTrue(e.getMessage().contains("x (1, 0, 3, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ConvGeom(1, 1, 3, 3, 4, 1, 1, 0, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeom(1, 1, 3, 3, 4, 1, 1, 1, 1, -1, 0));
        ConvGeom g = ConvGeom.same(2, 3, 8, 8, 4, 3);
        float[] x = new float[g.xSize()], w = new float[g.wSize()], y = new float[g.ySize()];
        e = assertThrows(IllegalArgumentException.class,
                () -> Conv2dCpu.forward(y, new float[g.xSize() - 1], w, null, g, null));
        assertTrue(e.getMessage().contains("x has 383 elements, expected 384")
                && e.getMessage().contains("(2, 3, 8, 8)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Conv2dCpu.forward(y, x, w, new float[3], g, null));
        assertThrows(IllegalArgumentException.class, () -> Conv2dCpu.backwardData(x, new float[5], w, g, null));
        assertThrows(IllegalArgumentException.class, () -> Conv2dCpu.backwardFilter(new float[1], null, y, x, g, null));
        assertThrows(IllegalArgumentException.class, () -> Conv2dCpu.forward(y, x, w, null, g, new float[1]));
    }

    // ---------------------------------------------------------------------------------------------

    private static ConvGeom geom(int[] p) {
        return new ConvGeom(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10]);
    }

    /** Forward, data and filter gradients (accumulating onto non-zero dw, db) vs the double reference. */
    private static void checkAgainstRef(ConvGeom g, long seed) {
        float[] x = Fixtures.uniform(seed, g.xSize(), -1, 1);
        float[] w = Fixtures.uniform(seed + 1, g.wSize(), -1, 1);
        float[] b = Fixtures.uniform(seed + 2, g.oc(), -1, 1);
        float[] dy = Fixtures.uniform(seed + 3, g.ySize(), -1, 1);
        float[] dw0 = Fixtures.uniform(seed + 4, g.wSize(), -1, 1);
        float[] db0 = Fixtures.uniform(seed + 5, g.oc(), -1, 1);
        double[] xd = Fixtures.toDouble(x), wd = Fixtures.toDouble(w), dyd = Fixtures.toDouble(dy);
        int[] a = {g.n(), g.c(), g.h(), g.w(), g.oc(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw()};
        float[] ws = new float[(int) Conv2dCpu.workspaceFloats(g)];
        java.util.Arrays.fill(ws, Float.NaN);   // the ops must not read scratch they did not write

        float[] y = new float[g.ySize()];
        java.util.Arrays.fill(y, Float.NaN);
        Conv2dCpu.forward(y, x, w, b, g, ws);
        double[] yr = Conv2dRef.forward(xd, wd, Fixtures.toDouble(b), a);
        int kRed = g.c() * g.kh() * g.kw();
        Close.assertRelL2(yr, y, Tol.reduction(kRed), "conv forward " + g);

        float[] dx = new float[g.xSize()];
        java.util.Arrays.fill(dx, Float.NaN);   // written, not accumulated
        Conv2dCpu.backwardData(dx, dy, w, g, ws);
        double[] dxr = Conv2dRef.backwardData(dyd, wd, a);
        Close.assertRelL2(dxr, dx, Tol.reduction(g.oc() * g.kh() * g.kw()), "conv backwardData " + g);

        float[] dw = dw0.clone(), db = db0.clone();
        Conv2dCpu.backwardFilter(dw, db, dy, x, g, ws);
        double[] dwr = Conv2dRef.backwardFilter(dyd, xd, a);
        double[] dbr = Conv2dRef.backwardBias(dyd, g.n(), g.oc(), g.ho(), g.wo());
        for (int i = 0; i < dwr.length; i++) {
            dwr[i] += dw0[i];
        }
        for (int i = 0; i < dbr.length; i++) {
            dbr[i] += db0[i];
        }
        int kFilter = g.n() * g.ho() * g.wo();
        Close.assertRelL2(dwr, dw, Tol.reduction(kFilter), "conv backwardFilter dw " + g);
        Close.assertRelL2(dbr, db, Tol.reduction(kFilter), "conv backwardFilter db " + g);
    }

    private static void fixture(String dir, int sh, int sw, int ph, int pw) {
        Npy.Array xa = Fixtures.npy(dir + "/x.npy");
        Npy.Array wa = Fixtures.npy(dir + "/weight.npy");
        int[] xs = xa.shape(), wsh = wa.shape();
        ConvGeom g = new ConvGeom(xs[0], xs[1], xs[2], xs[3], wsh[0], wsh[2], wsh[3], sh, sw, ph, pw);
        float[] x = xa.toFloat(), w = wa.toFloat();
        float[] b = Fixtures.f32(dir + "/bias.npy"), dy = Fixtures.f32(dir + "/grad_y.npy");
        float[] y = new float[g.ySize()], dx = new float[g.xSize()], dw = new float[g.wSize()], db = new float[g.oc()];
        Conv2dCpu.forward(y, x, w, b, g, null);
        Conv2dCpu.backwardData(dx, dy, w, g, null);
        Conv2dCpu.backwardFilter(dw, db, dy, x, g, null);
        Close.assertRelL2(Fixtures.f64(dir + "/y_f64.npy"), y, Tol.FIXTURE_DEFAULT, dir + " y");
        Close.assertRelL2(Fixtures.f64(dir + "/grad_x_f64.npy"), dx, Tol.FIXTURE_DEFAULT, dir + " grad_x");
        Close.assertRelL2(Fixtures.f64(dir + "/grad_weight_f64.npy"), dw, Tol.FIXTURE_DEFAULT, dir + " grad_weight");
        Close.assertRelL2(Fixtures.f64(dir + "/grad_bias_f64.npy"), db, Tol.FIXTURE_DEFAULT, dir + " grad_bias");
    }

    private static float[][] runAll(ConvGeom g, int threads) {
        return runAllIn(g, threads, null);
    }

    private static float[][] runAllIn(ConvGeom g, int threads, float[] ws) {
        Parallel.setThreads(threads);
        float[] x = Fixtures.uniform(11, g.xSize(), -1, 1);
        float[] w = Fixtures.uniform(12, g.wSize(), -1, 1);
        float[] b = Fixtures.uniform(13, g.oc(), -1, 1);
        float[] dy = Fixtures.uniform(14, g.ySize(), -1, 1);
        float[] y = new float[g.ySize()], dx = new float[g.xSize()], dw = new float[g.wSize()], db = new float[g.oc()];
        Conv2dCpu.forward(y, x, w, b, g, ws);
        Conv2dCpu.backwardData(dx, dy, w, g, ws);
        Conv2dCpu.backwardFilter(dw, db, dy, x, g, ws);
        return new float[][] {y, dx, dw, db};
    }

    private static double loss(double[] x, double[] w, double[] b, double[] r, int[] geom) {
        double[] y = Conv2dRef.forward(x, w, b, geom);
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += y[i] * r[i];
        }
        return s;
    }

    /** Central differences of f with respect to every entry of p (perturbed in place, then restored). */
    static double[] fd(double[] p, java.util.function.DoubleSupplier f) {
        double h = 1e-6;
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double v = p[i];
            p[i] = v + h;
            double fp = f.getAsDouble();
            p[i] = v - h;
            double fm = f.getAsDouble();
            p[i] = v;
            g[i] = (fp - fm) / (2 * h);
        }
        return g;
    }
}
