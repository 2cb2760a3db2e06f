package dev.mtdtl.tensor.ref;

/**
 * Reference matrix multiply in double, naive triple loop: C = alpha * op(A) op(B) + beta * C, row-major,
 * same argument meaning as {@code Gemm.sgemm} (lda/ldb/ldc are row strides of the stored matrices).
 * beta == 0 ignores C's old values.
 */
public final class GemmRef {

    private GemmRef() {}

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                            double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double beta, double[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                int o = cOff + i * ldc + j;
                c[o] = alpha * s + (beta == 0 ? 0 : beta * c[o]);
            }
        }
    }
}
