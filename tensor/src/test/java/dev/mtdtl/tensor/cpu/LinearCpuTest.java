package dev.mtdtl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.io.Npy;
import dev.mtdtl.tensor.ref.LinearRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LinearCpu against LinearRef (double), the PyTorch fixture, finite differences and thread counts. */
class LinearCpuTest {

    private final int threads0 = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads0);
    }

    /** n, in, out: awkward sizes and the base CNN's fc layers at batch 32 and 128. */
    private static final int[][] SIZES = {
        {1, 1, 1}, {1, 7, 3}, {7, 1, 5}, {3, 17, 33}, {5, 100, 7}, {32, 256, 256}, {32, 256, 50}, {128, 256, 50},
    };

    @Test
    void matchesDoubleReference() {
        long seed = 5;
        for (int[] s : SIZES) {
            int n = s[0], in = s[1], out = s[2];
            float[] x = Fixtures.uniform(seed++, n * in, -1, 1);
            float[] w = Fixtures.uniform(seed++, out * in, -1, 1);
            float[] b = Fixtures.uniform(seed++, out, -1, 1);
            float[] dy = Fixtures.uniform(seed++, n * out, -1, 1);
            float[] dw0 = Fixtures.uniform(seed++, out * in, -1, 1);
            float[] db0 = Fixtures.uniform(seed++, out, -1, 1);
            double[] xd = Fixtures.toDouble(x), wd = Fixtures.toDouble(w), dyd = Fixtures.toDouble(dy);
            String what = "linear n=" + n + " in=" + in + " out=" + out;

            float[] y = new float[n * out];
            LinearCpu.forward(y, x, w, b, n, in, out);
            Close.assertRelL2(LinearRef.forward(xd, wd, Fixtures.toDouble(b), n, in, out), y, Tol.reduction(in), what + " y");
            LinearCpu.forward(y, x, w, null, n, in, out);
            Close.assertRelL2(LinearRef.forward(xd, wd, null, n, in, out), y, Tol.reduction(in), what + " y no bias");

            float[] dx = new float[n * in];
            java.util.Arrays.fill(dx, Float.NaN);
            float[] dw = dw0.clone(), db = db0.clone();
            LinearCpu.backward(dx, dw, db, dy, x, w, n, in, out);
            double[] dwr = LinearRef.backwardWeight(dyd, xd, n, in, out);
            double[] dbr = LinearRef.backwardBias(dyd, n, out);
            for (int i = 0; i < dwr.length; i++) {
                dwr[i] += dw0[i];
            }
            for (int i = 0; i < dbr.length; i++) {
                dbr[i] += db0[i];
            }
            Close.assertRelL2(LinearRef.backwardData(dyd, wd, n, in, out), dx, Tol.reduction(out), what + " dx");
            Close.assertRelL2(dwr, dw, Tol.reduction(n), what + " dw");
            Close.assertRelL2(dbr, db, Tol.reduction(n), what + " db");
            LinearCpu.backward(null, dw, null, dy, x, w, n, in, out);   // dx and db optional

            // caller scratch (NaN-filled: must be written before read) gives the same bits
            float[] ws = new float[(int) LinearCpu.workspaceFloats(n, in, out)];
            java.util.Arrays.fill(ws, Float.NaN);
            float[] y2 = new float[n * out], dx2 = new float[n * in];
            LinearCpu.forward(y, x, w, b, n, in, out);
            LinearCpu.forward(y2, x, w, b, n, in, out, ws);
            Close.assertExact(y, y2, what + " y with caller workspace");
            float[] dwA = dw0.clone(), dwB = dw0.clone();
            LinearCpu.backward(dx, dwA, null, dy, x, w, n, in, out);
            LinearCpu.backward(dx2, dwB, null, dy, x, w, n, in, out, ws);
            Close.assertExact(dx, dx2, what + " dx with caller workspace");
            Close.assertExact(dwA, dwB, what + " dw with caller workspace");
        }
    }

    @Test
    void matchesPyTorchFixture() {
        Npy.Array xa = Fixtures.npy("linear/x.npy"), wa = Fixtures.npy("linear/weight.npy");
        int n = xa.shape()[0], in = xa.shape()[1], out = wa.shape()[0];
        float[] x = xa.toFloat(), w = wa.toFloat(), b = Fixtures.f32("linear/bias.npy"), dy = Fixtures.f32("linear/grad_y.npy");
        float[] y = new float[n * out], dx = new float[n * in], dw = new float[out * in], db = new float[out];
        LinearCpu.forward(y, x, w, b, n, in, out);
        LinearCpu.backward(dx, dw, db, dy, x, w, n, in, out);
        Close.assertRelL2(Fixtures.f64("linear/y_f64.npy"), y, Tol.FIXTURE_DEFAULT, "linear y");
        Close.assertRelL2(Fixtures.f64("linear/grad_x_f64.npy"), dx, Tol.FIXTURE_DEFAULT, "linear grad_x");
        Close.assertRelL2(Fixtures.f64("linear/grad_weight_f64.npy"), dw, Tol.FIXTURE_DEFAULT, "linear grad_weight");
        Close.assertRelL2(Fixtures.f64("linear/grad_bias_f64.npy"), db, Tol.FIXTURE_DEFAULT, "linear grad_bias");
    }

    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        int n = 3, in = 4, out = 5;
        double[] x = Fixtures.toDouble(Fixtures.uniform(1, n * in, -1, 1));
        double[] w = Fixtures.toDouble(Fixtures.uniform(2, out * in, -1, 1));
        double[] b = Fixtures.toDouble(Fixtures.uniform(3, out, -1, 1));
        double[] r = Fixtures.toDouble(Fixtures.uniform(4, n * out, -1, 1));
        java.util.function.DoubleSupplier loss = () -> {
            double[] y = LinearRef.forward(x, w, b, n, in, out);
            double s = 0;
            for (int i = 0; i < y.length; i++) {
                s += y[i] * r[i];
            }
            return s;
        };
        Close.assertRelL2(Conv2dCpuTest.fd(x, loss), LinearRef.backwardData(r, w, n, in, out), Tol.FINITE_DIFF, "linear dx fd");
        Close.assertRelL2(Conv2dCpuTest.fd(w, loss), LinearRef.backwardWeight(r, x, n, in, out), Tol.FINITE_DIFF, "linear dw fd");
        Close.assertRelL2(Conv2dCpuTest.fd(b, loss), LinearRef.backwardBias(r, n, out), Tol.FINITE_DIFF, "linear db fd");
    }

    @Test
    void bitIdenticalForOneAndFourThreads() {
        int n = 128, in = 256, out = 256;
        float[][] r1 = run(1, n, in, out), r4 = run(4, n, in, out);
        for (int i = 0; i < r1.length; i++) {
            Close.assertExact(r1[i], r4[i], "linear output " + i + " threads 1 vs 4");
        }
    }

    @Test
    void rejectsWrongLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinearCpu.forward(new float[6], new float[5], new float[6], null, 2, 3, 3));
        assertTrue(e.getMessage().contains("x has 5 elements, expected 6") && e.getMessage().contains("w (3, 3)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> LinearCpu.forward(new float[6], new float[6], new float[9], new float[2], 2, 3, 3));
        assertThrows(IllegalArgumentException.class,
                () -> LinearCpu.backward(null, new float[8], null, new float[6], new float[6], new float[9], 2, 3, 3));
        assertThrows(IllegalArgumentException.class,
                () -> LinearCpu.forward(new float[0], new float[0], new float[0], null, 0, 3, 3));
    }

    private static float[][] run(int threads, int n, int in, int out) {
        Parallel.setThreads(threads);
        float[] x = Fixtures.uniform(1, n * in, -1, 1), w = Fixtures.uniform(2, out * in, -1, 1);
        float[] b = Fixtures.uniform(3, out, -1, 1), dy = Fixtures.uniform(4, n * out, -1, 1);
        float[] y = new float[n * out], dx = new float[n * in], dw = new float[out * in], db = new float[out];
        LinearCpu.forward(y, x, w, b, n, in, out);
        LinearCpu.backward(dx, dw, db, dy, x, w, n, in, out);
        return new float[][] {y, dx, dw, db};
    }
}
