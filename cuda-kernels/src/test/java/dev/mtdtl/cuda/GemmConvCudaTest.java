package dev.mtdtl.cuda;

import static dev.mtdtl.cuda.Dev.down;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mtdtl.tensor.cpu.ConvGeom;
import dev.mtdtl.tensor.ref.Conv2dRef;
import dev.mtdtl.tensor.ref.GemmRef;
import dev.mtdtl.tensor.ref.LinearRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** SGEMM (every transpose, edges, offsets, split-K), linear and conv2d in every direction vs the double references. */
@Tag("gpu")
class GemmConvCudaTest {

    @BeforeAll
    static void gpu() {
        assumeTrue(Cuda.isAvailable(), () -> "no GPU: " + Cuda.unavailableReason());
    }

    @Test
    void sgemmMatchesReference() {
        int[][] mnk = {{1, 1, 1}, {63, 65, 17}, {130, 7, 300}, {16, 50, 20_000}, {256, 256, 256}, {5, 3, 0}};
        for (int[] s : mnk) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                int m = s[0], n = s[1], k = s[2];
                int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2, aOff = 5, bOff = 2, cOff = 7;
                int aLen = aOff + (ta ? k : m) * lda, bLen = bOff + (tb ? n : k) * ldb, cLen = cOff + m * ldc;
                float[] a = Fixtures.uniform(1 + t, aLen, -1f, 1f), b = Fixtures.uniform(2 + t, bLen, -1f, 1f);
                float[] c = Fixtures.uniform(3 + t, cLen, -1f, 1f);
                for (float beta : new float[] {0f, 0.5f}) {
                    double[] ref = Fixtures.toDouble(c);
                    GemmRef.gemm(ta, tb, m, n, k, 1.5, Fixtures.toDouble(a), aOff, lda, Fixtures.toDouble(b), bOff, ldb, beta, ref, cOff, ldc);
                    try (Dev d = new Dev()) {
                        DeviceBuffer ga = d.up(a), gb = d.up(b), gc = d.up(c);
                        GemmCuda.sgemm(ta, tb, m, n, k, 1.5f, ga, aOff, lda, gb, bOff, ldb, beta, gc, cOff, ldc);
                        Close.assertRelL2(ref, down(gc, cLen), Tol.reduction(k), "sgemm " + (ta ? "T" : "N") + (tb ? "T" : "N")
                                + " m=" + m + " n=" + n + " k=" + k + " beta=" + beta);
                    }
                }
            }
        }
    }

    @Test
    void linearMatchesReference() {
        int n = 128, in = 256, out = 50;
        float[] x = Fixtures.uniform(1, n * in, -1f, 1f), w = Fixtures.uniform(2, out * in, -0.1f, 0.1f);
        float[] b = Fixtures.uniform(3, out, -0.1f, 0.1f), dy = Fixtures.uniform(4, n * out, -1f, 1f);
        float[] dw0 = Fixtures.uniform(5, out * in, -1f, 1f), db0 = Fixtures.uniform(6, out, -1f, 1f);
        double[] xd = Fixtures.toDouble(x), wd = Fixtures.toDouble(w), dyd = Fixtures.toDouble(dy);
        try (Dev d = new Dev()) {
            DeviceBuffer gx = d.up(x), gw = d.up(w), gb = d.up(b), gy = d.poisoned(n * out), gdy = d.up(dy),
                    gdx = d.poisoned(n * in), gdw = d.up(dw0), gdb = d.up(db0);
            LinearCuda.forward(gy, gx, gw, gb, n, in, out);
            LinearCuda.backward(gdx, gdw, gdb, gdy, gx, gw, n, in, out);
            Close.assertRelL2(LinearRef.forward(xd, wd, Fixtures.toDouble(b), n, in, out), down(gy, n * out), Tol.reduction(in), "linear y");
            Close.assertRelL2(LinearRef.backwardData(dyd, wd, n, in, out), down(gdx, n * in), Tol.reduction(out), "linear dx");
            Close.assertRelL2(NormLossCudaTest.plus(dw0, LinearRef.backwardWeight(dyd, xd, n, in, out)), down(gdw, out * in),
                    Tol.reduction(n), "linear dw");
            Close.assertRelL2(NormLossCudaTest.plus(db0, LinearRef.backwardBias(dyd, n, out)), down(gdb, out), Tol.reduction(n), "linear db");
        }
    }

    /** {n, c, h, w, oc, kh, kw, sh, sw, ph, pw}: 3x3 same, conv1's 5x5 stride (2,1), 1x1, odd sizes, a split-K case. */
    static final int[][] GEOMS = {
        {2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1},
        {2, 2, 17, 12, 5, 5, 5, 2, 1, 2, 2},
        {3, 8, 4, 5, 6, 1, 1, 1, 1, 0, 0},
        {1, 3, 9, 8, 2, 3, 3, 2, 2, 0, 1},
        {8, 4, 40, 40, 8, 3, 3, 1, 1, 1, 1},
    };

    @Test
    void conv2dMatchesReferenceInEveryDirection() {
        for (int[] gg : GEOMS) {
            ConvGeom g = new ConvGeom(gg[0], gg[1], gg[2], gg[3], gg[4], gg[5], gg[6], gg[7], gg[8], gg[9], gg[10]);
            float[] x = Fixtures.uniform(1, g.xSize(), -1f, 1f), w = Fixtures.uniform(2, g.wSize(), -0.5f, 0.5f);
            float[] b = Fixtures.uniform(3, g.oc(), -0.1f, 0.1f), dy = Fixtures.uniform(4, g.ySize(), -1f, 1f);
            float[] dw0 = Fixtures.uniform(5, g.wSize(), -1f, 1f), db0 = Fixtures.uniform(6, g.oc(), -1f, 1f);
            double[] xd = Fixtures.toDouble(x), wd = Fixtures.toDouble(w), dyd = Fixtures.toDouble(dy);
            int red = g.c() * g.kh() * g.kw();
            int q = g.n() * g.ho() * g.wo();
            try (Dev d = new Dev()) {
                DeviceBuffer gx = d.up(x), gw = d.up(w), gb = d.up(b), gy = d.poisoned(g.ySize()), gdy = d.up(dy),
                        gdx = d.poisoned(g.xSize()), gdw = d.up(dw0), gdb = d.up(db0);
                DeviceBuffer ws = gg[0] == 1 ? null : d.poisoned(Conv2dCuda.workspaceFloats(g));   // both scratch paths
                Conv2dCuda.forward(gy, gx, gw, gb, g, ws);
                Conv2dCuda.backwardData(gdx, gdy, gw, g, ws);
                Conv2dCuda.backwardFilter(gdw, gdb, gdy, gx, g, ws);
                Close.assertRelL2(Conv2dRef.forward(xd, wd, Fixtures.toDouble(b), gg), down(gy, g.ySize()), Tol.reduction(red), "conv y " + g);
                Close.assertRelL2(Conv2dRef.backwardData(dyd, wd, gg), down(gdx, g.xSize()), Tol.reduction(g.oc() * g.kh() * g.kw()),
                        "conv dx " + g);
                Close.assertRelL2(NormLossCudaTest.plus(dw0, Conv2dRef.backwardFilter(dyd, xd, gg)), down(gdw, g.wSize()),
                        Tol.reduction(q), "conv dw " + g);
                Close.assertRelL2(NormLossCudaTest.plus(db0, Conv2dRef.backwardBias(dyd, g.n(), g.oc(), g.ho(), g.wo())),
                        down(gdb, g.oc()), Tol.reduction(q), "conv db " + g);
            }
        }
    }
}
