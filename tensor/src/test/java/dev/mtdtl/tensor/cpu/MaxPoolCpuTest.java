package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.ref.MaxPoolRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.FiniteDiff;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Threads;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.mtdtl.tensor.test.Fixtures.f32;
import static dev.mtdtl.tensor.test.Fixtures.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaxPoolCpuTest {

    @ParameterizedTest
    @CsvSource({"maxpool2d_2x2_s2, 2, 4, 9, 7, grad_x", "maxpool2d_ties_info, 1, 1, 4, 6, grad_x_torch_first_max"})
    void matchesTorchFixtureExactly(String cs, int n, int c, int h, int w, String gradName) {
        float[] x = f32(cs + "/x.npy");
        float[] dy = f32(cs + "/grad_y.npy");
        float[] y = new float[n * c * (h / 2) * (w / 2)];
        int[] am = new int[y.length];
        MaxPoolCpu.forward(y, am, x, n, c, h, w);
        Close.assertExact(f32(cs + "/y.npy"), y, cs + " y");
        assertArrayEquals(Fixtures.npy(cs + "/argmax_flat.npy").toInt(), am, cs + " argmax_flat");
        float[] dx = new float[x.length];
        java.util.Arrays.fill(dx, Float.NaN);   // must be fully overwritten
        MaxPoolCpu.backward(dx, dy, am, n, c, h, w);
        Close.assertExact(f32(cs + "/" + gradName + ".npy"), dx, cs + " " + gradName);
    }

    @Test
    void tiesGoToTheFirstMaximumInRowMajorOrder() {
        float[] x = {1, 1, 0, 2,
                     1, 1, 2, 2};   // (1, 1, 2, 4): window 0 all ones, window 1 ties at (0,3), (1,2), (1,3)
        float[] y = new float[2];
        int[] am = new int[2];
        MaxPoolCpu.forward(y, am, x, 1, 1, 2, 4);
        assertArrayEquals(new int[]{0, 3}, am);
        // and a NaN wins like in torch (max pooling propagates NaN)
        x[5] = Float.NaN;
        MaxPoolCpu.forward(y, am, x, 1, 1, 2, 4);
        assertEquals(5, am[0]);
        assertTrue(Float.isNaN(y[0]));
    }

    /** Ties everywhere (values in {0, 1, 2}), rows wide enough for the vector path (W = 70, 2x 16 lanes + tail). */
    @ParameterizedTest
    @CsvSource({"2, 3, 6, 70", "1, 2, 9, 135", "1, 1, 4, 6"})
    void manyTiesFollowTheRowMajorFirstMaximum(int n, int c, int h, int w) {
        float[] x = Fixtures.uniform(9, n * c * h * w, 0f, 3f);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.floor(x[i]);
        }
        float[] y = new float[n * c * (h / 2) * (w / 2)];
        int[] am = new int[y.length];
        MaxPoolCpu.forward(y, am, x, n, c, h, w);
        MaxPoolRef.Out ref = MaxPoolRef.forward(toDouble(x), n, c, h, w);
        assertArrayEquals(ref.argmax(), am);
        Close.assertRelL2(ref.y(), y, 0.0, "y");
    }

    /** Same answer once C2 has compiled the vector path (the first calls run the Java fallback). */
    @Test
    void compiledVectorPathAgreesWithTheReference() {
        int n = 4;
        int c = 8;
        int h = 32;
        int w = 70;
        float[] x = Fixtures.uniform(11, n * c * h * w, 0f, 4f);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.floor(x[i]);   // ties
        }
        int[] ref = MaxPoolRef.forward(toDouble(x), n, c, h, w).argmax();
        float[] y = new float[ref.length];
        int[] am = new int[ref.length];
        for (int rep = 0; rep < 300; rep++) {
            MaxPoolCpu.forward(y, am, x, n, c, h, w);
            assertArrayEquals(ref, am, "repetition " + rep);
        }
    }

    /** NaN wins in the vector path as in the scalar one: the last NaN of the window in row-major order. */
    @Test
    void nanPropagatesInWideRows() {
        int w = 64;
        float[] x = Fixtures.uniform(10, 2 * w, -1f, 1f);
        x[2 * 5] = Float.NaN;              // window 5: (0,0) NaN
        x[2 * 7 + 1] = Float.NaN;          // window 7: (0,1) and (1,0) NaN -> (1,0)
        x[w + 2 * 7] = Float.NaN;
        float[] y = new float[w / 2];
        int[] am = new int[w / 2];
        MaxPoolCpu.forward(y, am, x, 1, 1, 2, w);
        assertTrue(Float.isNaN(y[5]) && Float.isNaN(y[7]));
        assertEquals(10, am[5]);
        assertEquals(w + 14, am[7]);
        assertTrue(!Float.isNaN(y[6]));
    }

    @ParameterizedTest
    @CsvSource({"2, 3, 5, 5", "3, 4, 8, 6", "2, 2, 17, 33", "1, 1, 2, 2", "2, 3, 12, 97"})
    void matchesDoubleReferenceExactly(int n, int c, int h, int w) {
        float[] x = Fixtures.uniform(7, n * c * h * w, -3f, 3f);
        float[] dy = Fixtures.uniform(8, n * c * (h / 2) * (w / 2), -1f, 1f);
        float[] y = new float[dy.length];
        int[] am = new int[dy.length];
        MaxPoolCpu.forward(y, am, x, n, c, h, w);
        MaxPoolRef.Out ref = MaxPoolRef.forward(toDouble(x), n, c, h, w);
        assertArrayEquals(ref.argmax(), am);
        Close.assertRelL2(ref.y(), y, 0.0, "y");
        float[] dx = new float[x.length];
        MaxPoolCpu.backward(dx, dy, am, n, c, h, w);
        Close.assertRelL2(MaxPoolRef.backward(toDouble(dy), ref.argmax(), n, c, h, w), dx, 0.0, "dx");
    }

    /** Odd H and W (5 x 5): the dropped last row/column get zero gradient in the finite differences too. */
    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        int n = 2;
        int c = 3;
        int h = 5;
        int w = 5;
        double[] x = toDouble(Fixtures.uniform(17, n * c * h * w, -2f, 2f));   // no ties, gaps >> h
        double[] wt = toDouble(Fixtures.uniform(18, n * c * 2 * 2, -1f, 1f));
        MaxPoolRef.Out out = MaxPoolRef.forward(x, n, c, h, w);
        double[] fd = FiniteDiff.gradient(v -> FiniteDiff.dot(MaxPoolRef.forward(v, n, c, h, w).y(), wt), x, 1e-6);
        Close.assertRelL2(fd, MaxPoolRef.backward(wt, out.argmax(), n, c, h, w), Tol.FINITE_DIFF, "dx");
    }

    @Test
    void oneAndThreeThreadsAreBitIdentical() {
        int n = 4;
        int c = 16;
        int h = 54;
        int w = 64;   // 64 planes of 3456: 7 planes per chunk at the 2^15 grain -> 10 chunks
        float[] x = Fixtures.uniform(27, n * c * h * w, -3f, 3f);
        float[] dy = Fixtures.uniform(28, n * c * (h / 2) * (w / 2), -1f, 1f);
        float[][] y = new float[2][dy.length];
        int[][] am = new int[2][dy.length];
        float[][] dx = new float[2][x.length];
        for (int r = 0; r < 2; r++) {
            int k = r;
            Threads.with(r == 0 ? 1 : 3, () -> {
                MaxPoolCpu.forward(y[k], am[k], x, n, c, h, w);
                MaxPoolCpu.backward(dx[k], dy, am[k], n, c, h, w);
            });
        }
        Close.assertExact(y[0], y[1], "y");
        assertArrayEquals(am[0], am[1], "argmax");
        Close.assertExact(dx[0], dx[1], "dx");
    }

    @Test
    void badArgumentsNameTheShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                MaxPoolCpu.forward(new float[12], new int[12], new float[100], 2, 3, 5, 5));
        assertTrue(e.getMessage().contains("x: length 100") && e.getMessage().contains("(2, 3, 5, 5)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                MaxPoolCpu.forward(new float[24], new int[23], new float[150], 2, 3, 5, 5));
        assertTrue(e.getMessage().contains("argmax: length 23") && e.getMessage().contains("(2, 3, 2, 2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                MaxPoolCpu.backward(new float[3], new float[0], new int[0], 1, 3, 1, 1));
        assertTrue(e.getMessage().contains("(1, 3, 1, 1)"), e.getMessage());
        int[] bad = new int[4];
        bad[2] = 25;
        e = assertThrows(IllegalArgumentException.class, () ->
                MaxPoolCpu.backward(new float[25], new float[4], bad, 1, 1, 5, 5));
        assertTrue(e.getMessage().contains("argmax[2] = 25"), e.getMessage());
    }
}
