package dev.mtdtl.cuda;

import jcuda.driver.CUfunction;
import jcuda.driver.CUdeviceptr;

/**
 * SGEMM on device buffers (sgemm.cu), row-major like tensor's Gemm:
 * {@code C = alpha * op(A) * op(B) + beta * C}; offsets and leading dimensions in elements, as stored.
 * Products with few output tiles and a long K (the conv filter gradients) are split along K
 * ({@link LaunchConfig#splitK}) into slices whose partial results are added in a fixed order:
 * reproducible, no atomics. Omitted: TF32 tensor cores (kept for a bench/ variant first).
 */
public final class GemmCuda {

    private GemmCuda() {}

    private static final class K {
        static final PtxModule M = PtxModule.load("sgemm");
        static final CUfunction NN = M.function("sgemm_nn_f32");
        static final CUfunction NT = M.function("sgemm_nt_f32");
        static final CUfunction TN = M.function("sgemm_tn_f32");
        static final CUfunction TT = M.function("sgemm_tt_f32");
        static final CUfunction REDUCE = M.function("sgemm_splitk_reduce_f32");
    }

    /** The same contract as Gemm.sgemm (16-argument form), on device buffers. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             DeviceBuffer a, long aOff, int lda, DeviceBuffer b, long bOff, int ldb,
                             float beta, DeviceBuffer c, long cOff, int ldc) {
        check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        int splits = LaunchConfig.splitK(m, n, k);
        if (splits == 1) {
            launch(transA, transB, m, n, k, alpha, a.at(aOff), lda, 0, b.at(bOff), ldb, 0, beta, c.at(cOff), ldc, 0, 1, 0);
            return;
        }
        int kPer = LaunchConfig.kPerSlice(k, splits);
        splits = LaunchConfig.ceilDiv(k, kPer);
        long mn = (long) m * n;
        try (DeviceBuffer part = Cuda.context().alloc(splits * mn)) {
            // each slice applies alpha; the reduce adds the slices in order and applies beta
            launch(transA, transB, m, n, k, alpha, a.at(aOff), lda, 0, b.at(bOff), ldb, 0, 0f, part.ptr(), n, mn, splits, kPer);
            splitKReduce(c.at(cOff), part.ptr(), m, n, ldc, splits, beta);
        }
    }

    /**
     * Raw launch: gz = batch count or split-K slices (kPer > 0). Strides in elements. Used by
     * {@link Conv2dCuda} for batched products; no checks beyond the driver's.
     */
    static void launch(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       CUdeviceptr a, int lda, long strideA, CUdeviceptr b, int ldb, long strideB,
                       float beta, CUdeviceptr c, int ldc, long strideC, int gz, int kPer) {
        CUfunction f = transA ? (transB ? K.TT : K.TN) : (transB ? K.NT : K.NN);
        int[] g = LaunchConfig.gemmGrid(m, n);
        Launch.kernel(f, g[0], g[1], gz, LaunchConfig.THREADS, m, n, k, alpha, a, lda, strideA, b, ldb, strideB,
                beta, c, ldc, strideC, kPer);
    }

    /** C (m x n, ldc) = beta*C + sum of the {@code splits} (m, n) slices of part, in slice order. */
    static void splitKReduce(CUdeviceptr c, CUdeviceptr part, int m, int n, int ldc, int splits, float beta) {
        Launch.grid1d(K.REDUCE, (long) m * n, c, part, m, n, ldc, splits, beta);
    }

    private static void check(boolean transA, boolean transB, int m, int n, int k, DeviceBuffer a, long aOff, int lda,
                              DeviceBuffer b, long bOff, int ldb, DeviceBuffer c, long cOff, int ldc) {
        DevArgs.nonNegative("m", m);
        DevArgs.nonNegative("n", n);
        DevArgs.nonNegative("k", k);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (lda < Math.max(1, aCols) || ldb < Math.max(1, bCols) || ldc < Math.max(1, n)) {
            throw new IllegalArgumentException("leading dimensions too small: lda=" + lda + " (A stored " + aRows + "x" + aCols
                    + "), ldb=" + ldb + " (B stored " + bRows + "x" + bCols + "), ldc=" + ldc + " (C " + m + "x" + n + ")");
        }
        need("A", a, aOff, aRows, aCols, lda);
        need("B", b, bOff, bRows, bCols, ldb);
        need("C", c, cOff, m, n, ldc);
    }

    private static void need(String name, DeviceBuffer buf, long off, int rows, int cols, int ld) {
        DevArgs.nonNegative(name + " offset", off);
        long end = rows == 0 || cols == 0 ? off : off + (long) (rows - 1) * ld + cols;
        DevArgs.need(name, buf, end, rows + "x" + cols + " with ld " + ld + " at offset " + off);
    }
}
