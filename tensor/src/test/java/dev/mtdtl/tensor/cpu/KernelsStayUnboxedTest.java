package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.test.Allocation;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Kernels that JDK 17's C2 once compiled into the Vector API's boxed fallback, run until they are compiled: then
 * a call must allocate (almost) nothing. A boxed kernel allocates a float[] and a vector object per vector operation,
 * megabytes per call at these shapes. What this guards against (bench/RESULTS.md, session 26): a loop variable that
 * starts as a {@code static final} vector (conv5's pooling allocated 2.3 MB a call), or any other change that leaves
 * these kernels boxed for good. (The other cause found, a kernel too big for C2's inlining budget, depends on what
 * was compiled before and does not show in every JVM; TrainStepTimer's alloc_mb_per_step and the profiler's alloc
 * column watch for it.)
 */
class KernelsStayUnboxedTest {

    /** Bytes a compiled call may allocate: lambdas, per-chunk LaneSum and Codes objects, a few KB in all. */
    private static final long LIMIT = 64 << 10;
    /** How long a kernel may take to be compiled (C2 needs a few thousand calls or loop trips: well under 1 s). */
    private static final long DEADLINE_NS = 30_000_000_000L;

    private final int threads0 = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads0);
    }

    private static void assertSettlesUnboxed(String what, Runnable op) {
        Allocation.assertSettles(what, LIMIT, DEADLINE_NS, op);
    }

    @Test
    void fusedBatchNormPoolOnConv5sNarrowPlanes() {
        Parallel.setThreads(1);
        int n = 32, c = 128, h = 6, w = 8;                     // conv5's output: the quarter-plane kernels
        float[] x = Fixtures.uniform(1, n * c * h * w, -2, 2), dy = Fixtures.uniform(2, n * c * (h / 2) * (w / 2), -1, 1);
        float[] y = new float[dy.length], dx = new float[x.length];
        int[] argmax = new int[BatchNormPoolCpu.argmaxLength(n, c, h, w)];
        float[] gamma = Fixtures.uniform(3, c, 0.5f, 1.5f), beta = Fixtures.uniform(4, c, -1, 1);
        float[] mean = new float[c], invstd = new float[c], rm = new float[c], rv = new float[c], dg = new float[c],
                db = new float[c];
        java.util.Arrays.fill(rv, 1f);
        assertSettlesUnboxed("batch norm + ReLU + pool forward (train) at (32, 128, 6, 8)", () ->
                BatchNormPoolCpu.forwardTrain(y, argmax, mean, invstd, x, gamma, beta, rm, rv, n, c, h, w, 0.1f, 1e-5f));
        assertSettlesUnboxed("batch norm + ReLU + pool forward (eval) at (32, 128, 6, 8)", () ->
                BatchNormPoolCpu.forwardEval(y, argmax, x, gamma, beta, rm, rv, n, c, h, w, 1e-5f));
        assertSettlesUnboxed("batch norm + ReLU + pool backward at (32, 128, 6, 8)", () ->
                BatchNormPoolCpu.backwardTrain(dx, dg, db, dy, argmax, y, x, mean, invstd, gamma, n, c, h, w));
    }

    @Test
    void fusedBatchNormPoolOnWideRows() {
        Parallel.setThreads(1);
        int n = 4, c = 8, h = 20, w = 64;
        float[] x = Fixtures.uniform(5, n * c * h * w, -2, 2), dy = Fixtures.uniform(6, n * c * (h / 2) * (w / 2), -1, 1);
        float[] y = new float[dy.length], dx = new float[x.length];
        int[] argmax = new int[BatchNormPoolCpu.argmaxLength(n, c, h, w)];
        float[] gamma = Fixtures.uniform(7, c, 0.5f, 1.5f), beta = Fixtures.uniform(8, c, -1, 1);
        float[] mean = new float[c], invstd = new float[c], rm = new float[c], rv = new float[c], dg = new float[c],
                db = new float[c];
        java.util.Arrays.fill(rv, 1f);
        assertSettlesUnboxed("batch norm + ReLU + pool forward at (4, 8, 20, 64)", () ->
                BatchNormPoolCpu.forwardTrain(y, argmax, mean, invstd, x, gamma, beta, rm, rv, n, c, h, w, 0.1f, 1e-5f));
        assertSettlesUnboxed("batch norm + ReLU + pool backward at (4, 8, 20, 64)", () ->
                BatchNormPoolCpu.backwardTrain(dx, dg, db, dy, argmax, y, x, mean, invstd, gamma, n, c, h, w));
    }

    @Test
    void filterGradientKernels() {
        Assumptions.assumeTrue(Gemm.VL >= 8, "the channel-last filter kernel needs 8 lanes or more");
        Parallel.setThreads(1);
        ConvGeom[] geoms = {new ConvGeom(2, 2, 40, 64, 16, 5, 5, 2, 1, 2, 2),   // oc-lanes (conv1-like; 16 lanes)
            ConvGeom.same(2, 16, 12, 32, 32, 3)};                                  // channel-last (conv2-like)
        for (ConvGeom g : geoms) {
            if (!ConvFilterOc.applies(g) && !Conv2dCpu.channelLastFilter(g)) {
                continue;       // conv1-like below 16 lanes: the row tile, which the tests above do not cover either
            }
            float[] x = Fixtures.uniform(9, g.xSize(), -1, 1), dy = Fixtures.uniform(10, g.ySize(), -1, 1);
            float[] dw = new float[g.wSize()], db = new float[g.oc()];
            float[] ws = new float[(int) Conv2dCpu.workspaceFloats(g)];
            assertSettlesUnboxed("filter gradient (" + Conv2dCpu.paths(g) + ") of " + g, () ->
                    Conv2dCpu.backwardFilter(dw, db, dy, x, g, ws));
        }
    }

    /**
     * The GEMM's micro-kernels, whichever height this JVM takes ({@link Gemm#MR}: 6 at 16 lanes, 4 at 8): the packed
     * kernel (C wider than {@link Gemm#IN_PLACE_MAX_N}), and op(A) read in place by rows and by columns (a narrow C).
     */
    @Test
    void gemmKernels() {
        Parallel.setThreads(1);
        int m = 64, k = 300, wide = Gemm.IN_PLACE_MAX_N + Gemm.NR, narrow = Gemm.NR * 3;
        float[] a = Fixtures.uniform(11, m * k, -1, 1), b = Fixtures.uniform(12, k * wide, -1, 1);
        float[] c = new float[m * wide];
        float[] ws = new float[(int) Gemm.workspaceFloats(m, wide, k)];
        assertSettlesUnboxed("GEMM, packed op(A), " + m + " x " + wide + " x " + k, () ->
                Gemm.sgemm(false, false, m, wide, k, 1f, a, 0, k, b, 0, wide, 0f, c, 0, wide, ws, 0));
        assertSettlesUnboxed("GEMM, op(A) in place by rows, " + m + " x " + narrow + " x " + k, () ->
                Gemm.sgemm(false, false, m, narrow, k, 1f, a, 0, k, b, 0, wide, 0f, c, 0, wide, ws, 0));
        assertSettlesUnboxed("GEMM, op(A) = A^T in place by columns, " + m + " x " + narrow + " x " + k, () ->
                Gemm.sgemm(true, false, m, narrow, k, 1f, a, 0, m, b, 0, wide, 0f, c, 0, wide, ws, 0));
    }

    /**
     * The training batch norm on planes shorter than a vector, channels in lanes ({@link BatchNormShort}): its first
     * version carried its double accumulators through a loop nest and allocated 3.5 MB a call (bench/RESULTS.md,
     * session 35). conv61's and conv62's output, and the head's BatchNorm1d.
     */
    @Test
    void shortPlaneBatchNorm() {
        Parallel.setThreads(1);
        for (int s : new int[]{12, 1}) {
            int n = 32, c = 256;
            float[] x = Fixtures.uniform(11, n * c * s, -2, 2), dy = Fixtures.uniform(12, n * c * s, -1, 1);
            float[] y = new float[x.length], dx = new float[x.length];
            float[] gamma = Fixtures.uniform(13, c, 0.5f, 1.5f), beta = Fixtures.uniform(14, c, -1, 1);
            float[] mean = new float[c], invstd = new float[c], rm = new float[c], rv = new float[c];
            float[] dg = new float[c], db = new float[c];
            java.util.Arrays.fill(rv, 1f);
            assertSettlesUnboxed("batch norm forward (train) at (32, 256, " + s + ")", () ->
                    BatchNormCpu.forwardTrain(y, mean, invstd, x, gamma, beta, rm, rv, n, c, s, 0.1f, 1e-5f));
            assertSettlesUnboxed("batch norm backward (train) at (32, 256, " + s + ")", () ->
                    BatchNormCpu.backwardTrain(dx, dg, db, dy, x, mean, invstd, gamma, n, c, s));
        }
    }

    @Test
    void finiteCheck() {
        float[] a = Fixtures.uniform(9, 300_000, -1, 1);
        assertSettlesUnboxed("finite check of 300,000 floats", () -> {
            if (!FiniteCpu.allFinite(a, a.length)) {
                throw new AssertionError("finite input reported non-finite");
            }
        });
    }
}
