package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.ref.GlobalAvgPoolRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.FiniteDiff;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Threads;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.mtdtl.tensor.test.Fixtures.f32;
import static dev.mtdtl.tensor.test.Fixtures.f64;
import static dev.mtdtl.tensor.test.Fixtures.toDouble;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlobalAvgPoolCpuTest {

    @Test
    void matchesTorchFixture() {
        int n = 3;
        int c = 256;
        int s = 12;
        float[] y = new float[n * c];
        float[] dx = new float[n * c * s];
        GlobalAvgPoolCpu.forward(y, f32("global_avg_pool/x.npy"), n, c, s);
        GlobalAvgPoolCpu.backward(dx, f32("global_avg_pool/grad_y.npy"), n, c, s);
        Close.assertRelL2(f64("global_avg_pool/y_f64.npy"), y, Tol.FIXTURE_DEFAULT, "y");
        Close.assertRelL2(f64("global_avg_pool/grad_x_f64.npy"), dx, Tol.FIXTURE_DEFAULT, "grad_x");
    }

    @ParameterizedTest
    @CsvSource({"2, 3, 25", "4, 7, 1", "2, 5, 4099", "32, 256, 12"})
    void matchesDoubleReference(int n, int c, int s) {
        float[] x = Fixtures.uniform(1, n * c * s, -1f, 3f);
        float[] dy = Fixtures.uniform(2, n * c, -1f, 1f);
        float[] y = new float[n * c];
        float[] dx = new float[n * c * s];
        GlobalAvgPoolCpu.forward(y, x, n, c, s);
        GlobalAvgPoolCpu.backward(dx, dy, n, c, s);
        Close.assertRelL2(GlobalAvgPoolRef.forward(toDouble(x), n, c, s), y, Tol.F32_ELEMENTWISE, "y");
        Close.assertRelL2(GlobalAvgPoolRef.backward(toDouble(dy), n, c, s), dx, Tol.F32_ELEMENTWISE, "dx");
    }

    @Test
    void referenceBackwardMatchesFiniteDifferences() {
        int n = 2;
        int c = 3;
        int s = 25;
        double[] x = toDouble(Fixtures.uniform(3, n * c * s, -1f, 1f));
        double[] w = toDouble(Fixtures.uniform(4, n * c, -1f, 1f));
        double[] fd = FiniteDiff.gradient(v -> FiniteDiff.dot(GlobalAvgPoolRef.forward(v, n, c, s), w), x, 1e-6);
        Close.assertRelL2(fd, GlobalAvgPoolRef.backward(w, n, c, s), Tol.FINITE_DIFF, "dx");
    }

    @Test
    void oneAndThreeThreadsAreBitIdentical() {
        int n = 32;
        int c = 64;
        int s = 208;   // 2048 planes, 157 per chunk -> 14 chunks
        float[] x = Fixtures.uniform(5, n * c * s, -1f, 3f);
        float[] dy = Fixtures.uniform(6, n * c, -1f, 1f);
        float[][] y = new float[2][n * c];
        float[][] dx = new float[2][n * c * s];
        for (int r = 0; r < 2; r++) {
            int k = r;
            Threads.with(r == 0 ? 1 : 3, () -> {
                GlobalAvgPoolCpu.forward(y[k], x, n, c, s);
                GlobalAvgPoolCpu.backward(dx[k], dy, n, c, s);
            });
        }
        Close.assertExact(y[0], y[1], "y");
        Close.assertExact(dx[0], dx[1], "dx");
    }

    @Test
    void badArgumentsNameTheShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                GlobalAvgPoolCpu.forward(new float[5], new float[150], 2, 3, 25));
        assertTrue(e.getMessage().contains("y: length 5") && e.getMessage().contains("(2, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                GlobalAvgPoolCpu.backward(new float[149], new float[6], 2, 3, 25));
        assertTrue(e.getMessage().contains("dx: length 149") && e.getMessage().contains("(2, 3, 25)"), e.getMessage());
    }
}
