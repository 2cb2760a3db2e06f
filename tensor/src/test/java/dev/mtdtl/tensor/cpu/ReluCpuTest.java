package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.ref.ReluRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.FiniteDiff;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Threads;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.mtdtl.tensor.test.Fixtures.f32;
import static dev.mtdtl.tensor.test.Fixtures.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReluCpuTest {

    @Test
    void matchesTorchFixtureExactly() {
        float[] x = f32("relu/x.npy");
        float[] dy = f32("relu/grad_y.npy");
        float[] y = new float[x.length];
        float[] dx = new float[x.length];
        ReluCpu.forward(y, x, x.length);
        ReluCpu.backward(dx, dy, y, x.length);
        Close.assertExact(f32("relu/y.npy"), y, "y");
        Close.assertExact(f32("relu/grad_x.npy"), dx, "grad_x (x == 0 -> 0)");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1023, 4099, 200_003})
    void matchesDoubleReferenceExactlyAndInPlace(int len) {
        float[] x = Fixtures.uniform(len, len, -1f, 1f);
        x[0] = 0f;
        float[] dy = Fixtures.uniform(len + 1, len, -1f, 1f);
        float[] y = new float[len];
        ReluCpu.forward(y, x, len);
        Close.assertRelL2(ReluRef.forward(toDouble(x)), y, 0.0, "y");
        float[] inPlace = x.clone();
        ReluCpu.forward(inPlace, inPlace, len);
        Close.assertExact(y, inPlace, "in-place y");
        float[] dx = new float[len];
        ReluCpu.backward(dx, dy, y, len);
        Close.assertRelL2(ReluRef.backward(toDouble(dy), toDouble(x)), dx, 0.0, "dx");
        float[] dyInPlace = dy.clone();
        ReluCpu.backward(dyInPlace, dyInPlace, y, len);
        Close.assertExact(dx, dyInPlace, "in-place dx");
    }

    @Test
    void specialValues() {
        float[] x = {-0f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.MIN_VALUE};
        float[] y = new float[x.length];
        ReluCpu.forward(y, x, x.length);
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(y[0]), "-0 -> +0 (Math.max)");
        assertTrue(Float.isNaN(y[1]), "NaN propagates");
        assertEquals(0f, y[2]);
        assertEquals(Float.POSITIVE_INFINITY, y[3]);
        assertEquals(Float.MIN_VALUE, y[4]);
    }

    /** |x| >= 0.1 so the kink at 0 is never inside [x - h, x + h]. */
    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        float[] xf = Fixtures.uniform(3, 2 * 3 * 5 * 5, 0.1f, 2f);
        for (int i = 0; i < xf.length; i += 2) {
            xf[i] = -xf[i];
        }
        double[] x = toDouble(xf);
        double[] w = toDouble(Fixtures.uniform(4, x.length, -1f, 1f));
        double[] fd = FiniteDiff.gradient(v -> FiniteDiff.dot(ReluRef.forward(v), w), x, 1e-6);
        Close.assertRelL2(fd, ReluRef.backward(w, x), Tol.FINITE_DIFF, "dx");
    }

    @Test
    void oneAndThreeThreadsAreBitIdentical() {
        int len = 300_001;
        float[] x = Fixtures.uniform(5, len, -1f, 1f);
        float[] dy = Fixtures.uniform(6, len, -1f, 1f);
        float[][] y = new float[2][len];
        float[][] dx = new float[2][len];
        for (int r = 0; r < 2; r++) {
            int k = r;
            Threads.with(r == 0 ? 1 : 3, () -> {
                ReluCpu.forward(y[k], x, len);
                ReluCpu.backward(dx[k], dy, y[k], len);
            });
        }
        Close.assertExact(y[0], y[1], "y");
        Close.assertExact(dx[0], dx[1], "dx");
    }

    @Test
    void badArgumentsNameTheLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                ReluCpu.forward(new float[10], new float[9], 10));
        assertTrue(e.getMessage().contains("x: length 9 < len = 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReluCpu.backward(new float[10], new float[10], new float[3], 10));
        assertTrue(e.getMessage().contains("y: length 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReluCpu.forward(new float[1], new float[1], -1));
    }
}
