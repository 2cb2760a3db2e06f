package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.ref.BatchNormRef;
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

class BatchNormCpuTest {

    private static final float EPS = 1e-5f;
    private static final float MOMENTUM = 0.1f;

    /** Every output of one training step and one eval pass, from the float op. */
    private record Run(float[] y, float[] mean, float[] invstd, float[] rm, float[] rv, float[] dx, float[] dgamma,
                       float[] dbeta, float[] yEval, float[] dxEval, float[] dgammaEval, float[] dbetaEval) {}

    private static Run run(float[] x, float[] gamma, float[] beta, float[] rm0, float[] rv0, float[] dy, int n, int c, int s) {
        int len = n * c * s;
        float[] y = new float[len];
        float[] mean = new float[c];
        float[] invstd = new float[c];
        float[] rm = rm0.clone();
        float[] rv = rv0.clone();
        BatchNormCpu.forwardTrain(y, mean, invstd, x, gamma, beta, rm, rv, n, c, s, MOMENTUM, EPS);
        float[] dx = new float[len];
        float[] dgamma = new float[c];
        float[] dbeta = new float[c];
        BatchNormCpu.backwardTrain(dx, dgamma, dbeta, dy, x, mean, invstd, gamma, n, c, s);
        float[] yEval = new float[len];
        BatchNormCpu.forwardEval(yEval, x, gamma, beta, rm0, rv0, n, c, s, EPS);
        float[] dxEval = new float[len];
        float[] dgammaEval = new float[c];
        float[] dbetaEval = new float[c];
        BatchNormCpu.backwardEval(dxEval, dgammaEval, dbetaEval, dy, x, gamma, rm0, rv0, n, c, s, EPS);
        return new Run(y, mean, invstd, rm, rv, dx, dgamma, dbeta, yEval, dxEval, dgammaEval, dbetaEval);
    }

    @ParameterizedTest
    @CsvSource({"batchnorm2d, 3, 8, 35", "batchnorm1d, 8, 256, 1"})
    void matchesTorchFixture(String cs, int n, int c, int s) {
        Run r = run(f32(cs + "/x.npy"), f32(cs + "/gamma.npy"), f32(cs + "/beta.npy"), f32(cs + "/running_mean.npy"),
                f32(cs + "/running_var.npy"), f32(cs + "/grad_y.npy"), n, c, s);
        double tol = Tol.FIXTURE_DEFAULT;   // manifest: 1e-5 for every output of both cases
        Close.assertRelL2(f64(cs + "/batch_mean_f64.npy"), r.mean(), tol, cs + " batch_mean");
        double[] var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            var[ch] = 1.0 / ((double) r.invstd()[ch] * r.invstd()[ch]) - EPS;
        }
        Close.assertRelL2(f64(cs + "/batch_var_biased_f64.npy"), var, tol, cs + " batch_var_biased (from invstd)");
        Close.assertRelL2(f64(cs + "/y_f64.npy"), r.y(), tol, cs + " y");
        Close.assertRelL2(f64(cs + "/running_mean_new_f64.npy"), r.rm(), tol, cs + " running_mean_new");
        Close.assertRelL2(f64(cs + "/running_var_new_f64.npy"), r.rv(), tol, cs + " running_var_new");
        Close.assertRelL2(f64(cs + "/grad_x_f64.npy"), r.dx(), tol, cs + " grad_x");
        Close.assertRelL2(f64(cs + "/grad_gamma_f64.npy"), r.dgamma(), tol, cs + " grad_gamma");
        Close.assertRelL2(f64(cs + "/grad_beta_f64.npy"), r.dbeta(), tol, cs + " grad_beta");
        Close.assertRelL2(f64(cs + "/y_eval_f64.npy"), r.yEval(), tol, cs + " y_eval");
        Close.assertRelL2(f64(cs + "/grad_x_eval_f64.npy"), r.dxEval(), tol, cs + " grad_x_eval");
        Close.assertRelL2(f64(cs + "/grad_gamma_eval_f64.npy"), r.dgammaEval(), tol, cs + " grad_gamma_eval");
        Close.assertRelL2(f64(cs + "/grad_beta_eval_f64.npy"), r.dbetaEval(), tol, cs + " grad_beta_eval");
    }

    /** Shapes with vector tails (S = 561), BatchNorm1d (S = 1), a single plane per channel (N = 1). */
    @ParameterizedTest
    @CsvSource({"2, 3, 25", "4, 5, 561", "16, 64, 1", "1, 3, 4099", "3, 2, 16"})
    void matchesDoubleReference(int n, int c, int s) {
        int len = n * c * s;
        float[] x = Fixtures.uniform(11, len, -2f, 3f);
        float[] gamma = Fixtures.uniform(12, c, 0.5f, 1.5f);
        float[] beta = Fixtures.uniform(13, c, -0.5f, 0.5f);
        float[] rm = Fixtures.uniform(14, c, -0.2f, 0.2f);
        float[] rv = Fixtures.uniform(15, c, 0.5f, 2f);
        float[] dy = Fixtures.uniform(16, len, -1f, 1f);
        Run r = run(x, gamma, beta, rm, rv, dy, n, c, s);
        double[] xd = toDouble(x);
        double[] gd = toDouble(gamma);
        BatchNormRef.Train t = BatchNormRef.forwardTrain(xd, gd, toDouble(beta), toDouble(rm), toDouble(rv), n, c, s, MOMENTUM, EPS);
        BatchNormRef.Grads g = BatchNormRef.backwardTrain(toDouble(dy), xd, gd, n, c, s, EPS);
        BatchNormRef.Grads ge = BatchNormRef.backwardEval(toDouble(dy), xd, gd, toDouble(rm), toDouble(rv), n, c, s, EPS);
        double tol = Tol.F32_ELEMENTWISE;
        Close.assertRelL2(t.y(), r.y(), tol, "y");
        Close.assertRelL2(t.mean(), r.mean(), tol, "mean");
        Close.assertRelL2(t.invstd(), r.invstd(), tol, "invstd");
        Close.assertRelL2(t.runningMean(), r.rm(), tol, "running mean");
        Close.assertRelL2(t.runningVar(), r.rv(), tol, "running var");
        Close.assertRelL2(g.dx(), r.dx(), tol, "dx");
        Close.assertRelL2(g.dgamma(), r.dgamma(), tol, "dgamma");
        Close.assertRelL2(g.dbeta(), r.dbeta(), tol, "dbeta");
        Close.assertRelL2(BatchNormRef.forwardEval(xd, gd, toDouble(beta), toDouble(rm), toDouble(rv), n, c, s, EPS),
                r.yEval(), tol, "y eval");
        Close.assertRelL2(ge.dx(), r.dxEval(), tol, "dx eval");
        Close.assertRelL2(ge.dgamma(), r.dgammaEval(), tol, "dgamma eval");
        Close.assertRelL2(ge.dbeta(), r.dbetaEval(), tol, "dbeta eval");
    }

    /** |mean| = 1000 * std: the shifted sums and the split mean keep float accuracy. */
    @Test
    void largeMeanDoesNotCancel() {
        int n = 4;
        int c = 2;
        int s = 300;
        float[] x = Fixtures.uniform(21, n * c * s, 999f, 1001f);
        float[] gamma = {1f, 2f};
        float[] beta = {0f, 1f};
        float[] y = new float[x.length];
        float[] mean = new float[c];
        float[] invstd = new float[c];
        BatchNormCpu.forwardTrain(y, mean, invstd, x, gamma, beta, new float[c], new float[c], n, c, s, MOMENTUM, EPS);
        BatchNormRef.Train t = BatchNormRef.forwardTrain(toDouble(x), toDouble(gamma), toDouble(beta), new double[c],
                new double[c], n, c, s, MOMENTUM, EPS);
        Close.assertRelL2(t.y(), y, Tol.F32_ELEMENTWISE, "y");
        Close.assertRelL2(t.invstd(), invstd, Tol.F32_ELEMENTWISE, "invstd");
    }

    /**
     * The statistics' shift comes from a subsample (16 evenly spaced values a plane). Here exactly those values are
     * 1000 and the rest are in [-1, 1]: the shift misses the mean (~1) by ~30 standard deviations, about the worst a
     * plane of 16,000 values allows (a biased subsample is itself part of the variance). The statistics must still be
     * accurate (the second pass from the mean runs here; without it this case measured within tolerance too, the
     * float partials of 16 vectors being short).
     */
    @Test
    void unrepresentativeSubsampleStillGivesAccurateStatistics() {
        int n = 2;
        int c = 1;
        int s = 16_000;
        float[] x = Fixtures.uniform(41, n * c * s, -1f, 1f);
        int m = BatchNormCpu.SAMPLE;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < m; k++) {
                x[i * s + k * s / m] = 1000f;
            }
        }
        float[] y = new float[x.length];
        float[] mean = new float[c];
        float[] invstd = new float[c];
        float[] gamma = {1f};
        float[] beta = {0f};
        BatchNormCpu.forwardTrain(y, mean, invstd, x, gamma, beta, new float[c], new float[c], n, c, s, MOMENTUM, EPS);
        BatchNormRef.Train t = BatchNormRef.forwardTrain(toDouble(x), toDouble(gamma), toDouble(beta), new double[c],
                new double[c], n, c, s, MOMENTUM, EPS);
        Close.assertRelL2(t.invstd(), invstd, Tol.F32_ELEMENTWISE, "invstd");
        Close.assertRelL2(t.y(), y, Tol.F32_ELEMENTWISE, "y");
    }

    /** Central differences of L = <y, w> check the reference's training-mode backward (x, gamma, beta). */
    @Test
    void referenceTrainBackwardMatchesFiniteDifferences() {
        int n = 2;
        int c = 3;
        int s = 25;
        double[] x = toDouble(Fixtures.uniform(31, n * c * s, -2f, 2f));
        double[] gamma = toDouble(Fixtures.uniform(32, c, 0.5f, 1.5f));
        double[] beta = toDouble(Fixtures.uniform(33, c, -1f, 1f));
        double[] w = toDouble(Fixtures.uniform(34, n * c * s, -1f, 1f));
        double[] zeros = new double[c];
        BatchNormRef.Grads g = BatchNormRef.backwardTrain(w, x, gamma, n, c, s, EPS);
        double h = 1e-6;
        double[] fdx = FiniteDiff.gradient(v -> FiniteDiff.dot(
                BatchNormRef.forwardTrain(v, gamma, beta, zeros, zeros, n, c, s, MOMENTUM, EPS).y(), w), x, h);
        double[] fdg = FiniteDiff.gradient(v -> FiniteDiff.dot(
                BatchNormRef.forwardTrain(x, v, beta, zeros, zeros, n, c, s, MOMENTUM, EPS).y(), w), gamma, h);
        double[] fdb = FiniteDiff.gradient(v -> FiniteDiff.dot(
                BatchNormRef.forwardTrain(x, gamma, v, zeros, zeros, n, c, s, MOMENTUM, EPS).y(), w), beta, h);
        Close.assertRelL2(fdx, g.dx(), Tol.FINITE_DIFF, "dx");
        Close.assertRelL2(fdg, g.dgamma(), Tol.FINITE_DIFF, "dgamma");
        Close.assertRelL2(fdb, g.dbeta(), Tol.FINITE_DIFF, "dbeta");
    }

    @Test
    void referenceEvalBackwardMatchesFiniteDifferences() {
        int n = 2;
        int c = 3;
        int s = 25;
        double[] x = toDouble(Fixtures.uniform(41, n * c * s, -2f, 2f));
        double[] gamma = toDouble(Fixtures.uniform(42, c, 0.5f, 1.5f));
        double[] beta = toDouble(Fixtures.uniform(43, c, -1f, 1f));
        double[] rm = toDouble(Fixtures.uniform(44, c, -0.5f, 0.5f));
        double[] rv = toDouble(Fixtures.uniform(45, c, 0.5f, 2f));
        double[] w = toDouble(Fixtures.uniform(46, n * c * s, -1f, 1f));
        BatchNormRef.Grads g = BatchNormRef.backwardEval(w, x, gamma, rm, rv, n, c, s, EPS);
        double h = 1e-6;
        double[] fdx = FiniteDiff.gradient(v -> FiniteDiff.dot(BatchNormRef.forwardEval(v, gamma, beta, rm, rv, n, c, s, EPS), w), x, h);
        double[] fdg = FiniteDiff.gradient(v -> FiniteDiff.dot(BatchNormRef.forwardEval(x, v, beta, rm, rv, n, c, s, EPS), w), gamma, h);
        double[] fdb = FiniteDiff.gradient(v -> FiniteDiff.dot(BatchNormRef.forwardEval(x, gamma, v, rm, rv, n, c, s, EPS), w), beta, h);
        Close.assertRelL2(fdx, g.dx(), Tol.FINITE_DIFF, "dx");
        Close.assertRelL2(fdg, g.dgamma(), Tol.FINITE_DIFF, "dgamma");
        Close.assertRelL2(fdb, g.dbeta(), Tol.FINITE_DIFF, "dbeta");
    }

    @Test
    void parameterGradientsAccumulate() {
        int n = 2;
        int c = 3;
        int s = 25;
        float[] x = Fixtures.uniform(51, n * c * s, -2f, 2f);
        float[] dy = Fixtures.uniform(52, n * c * s, -1f, 1f);
        float[] gamma = {1f, 1f, 1f};
        float[] mean = new float[c];
        float[] invstd = new float[c];
        BatchNormCpu.forwardTrain(new float[x.length], mean, invstd, x, gamma, new float[c], new float[c], new float[c],
                n, c, s, MOMENTUM, EPS);
        float[] dg1 = new float[c];
        float[] db1 = new float[c];
        BatchNormCpu.backwardTrain(new float[x.length], dg1, db1, dy, x, mean, invstd, gamma, n, c, s);
        float[] dg2 = {10f, 10f, 10f};
        float[] db2 = {-10f, -10f, -10f};
        BatchNormCpu.backwardTrain(new float[x.length], dg2, db2, dy, x, mean, invstd, gamma, n, c, s);
        for (int ch = 0; ch < c; ch++) {
            assertTrue(Math.abs(dg2[ch] - (10f + dg1[ch])) < 1e-5, "dgamma accumulates");
            assertTrue(Math.abs(db2[ch] - (-10f + db1[ch])) < 1e-5, "dbeta accumulates");
        }
    }

    @Test
    void oneAndThreeThreadsAreBitIdentical() {
        int n = 4;
        int c = 12;
        int s = 37 * 29;   // 4 channels' worth of chunks at the 2^14 grain, vector tails
        float[] x = Fixtures.uniform(61, n * c * s, -1f, 4f);
        float[] gamma = Fixtures.uniform(62, c, 0.5f, 1.5f);
        float[] beta = Fixtures.uniform(63, c, -1f, 1f);
        float[] rm = Fixtures.uniform(64, c, -1f, 1f);
        float[] rv = Fixtures.uniform(65, c, 0.5f, 1.5f);
        float[] dy = Fixtures.uniform(66, n * c * s, -1f, 1f);
        Run[] runs = new Run[2];
        Threads.with(1, () -> runs[0] = run(x, gamma, beta, rm, rv, dy, n, c, s));
        Threads.with(3, () -> runs[1] = run(x, gamma, beta, rm, rv, dy, n, c, s));
        Run a = runs[0];
        Run b = runs[1];
        Close.assertExact(a.y(), b.y(), "y");
        Close.assertExact(a.mean(), b.mean(), "mean");
        Close.assertExact(a.invstd(), b.invstd(), "invstd");
        Close.assertExact(a.rm(), b.rm(), "running mean");
        Close.assertExact(a.rv(), b.rv(), "running var");
        Close.assertExact(a.dx(), b.dx(), "dx");
        Close.assertExact(a.dgamma(), b.dgamma(), "dgamma");
        Close.assertExact(a.dbeta(), b.dbeta(), "dbeta");
        Close.assertExact(a.yEval(), b.yEval(), "y eval");
        Close.assertExact(a.dxEval(), b.dxEval(), "dx eval");
        Close.assertExact(a.dgammaEval(), b.dgammaEval(), "dgamma eval");
        Close.assertExact(a.dbetaEval(), b.dbetaEval(), "dbeta eval");
    }

    /** The first (interpreted) call and a call after C2 compiled the vector kernels give the same bits. */
    @Test
    void interpretedAndCompiledCodeAreBitIdentical() {
        int n = 4;
        int c = 6;
        int s = 1000;
        float[] x = Fixtures.uniform(71, n * c * s, -1f, 4f);
        float[] gamma = Fixtures.uniform(72, c, 0.5f, 1.5f);
        float[] beta = Fixtures.uniform(73, c, -1f, 1f);
        float[] rm = new float[c];
        float[] rv = new float[c];
        java.util.Arrays.fill(rv, 1f);
        float[] dy = Fixtures.uniform(74, n * c * s, -1f, 1f);
        Run first = run(x, gamma, beta, rm, rv, dy, n, c, s);
        Run last = first;
        for (int rep = 0; rep < 300; rep++) {
            last = run(x, gamma, beta, rm, rv, dy, n, c, s);
        }
        Close.assertExact(first.y(), last.y(), "y");
        Close.assertExact(first.invstd(), last.invstd(), "invstd");
        Close.assertExact(first.dx(), last.dx(), "dx");
        Close.assertExact(first.dgamma(), last.dgamma(), "dgamma");
        Close.assertExact(first.dxEval(), last.dxEval(), "dx eval");
        Close.assertExact(first.dgammaEval(), last.dgammaEval(), "dgamma eval");
    }

    @Test
    void badArgumentsNameTheShapes() {
        float[] ok = new float[2 * 3 * 25];
        float[] c3 = new float[3];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                BatchNormCpu.forwardTrain(ok, c3, c3, new float[100], c3, c3, c3, c3, 2, 3, 25, MOMENTUM, EPS));
        assertTrue(e.getMessage().contains("x: length 100") && e.getMessage().contains("(2, 3, 25)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                BatchNormCpu.backwardTrain(ok, c3, new float[2], ok, ok, c3, c3, c3, 2, 3, 25));
        assertTrue(e.getMessage().contains("dbeta: length 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                BatchNormCpu.forwardEval(ok, ok, c3, c3, c3, c3, 2, 0, 25, EPS));
        assertTrue(e.getMessage().contains("(2, 0, 25)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                BatchNormCpu.forwardTrain(new float[3], c3, c3, new float[3], c3, c3, c3, c3, 1, 3, 1, MOMENTUM, EPS));
        assertTrue(e.getMessage().contains("N*S > 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                BatchNormCpu.backwardEval(ok, c3, c3, ok, ok, c3, c3, c3, 2, 3, 25, -1f));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
    }
}
