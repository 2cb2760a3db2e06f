package dev.mtdtl.factor;

import dev.mtdtl.tensor.Parallel;

/**
 * The ALS normal equations of rows with fewer than r/2 entries, solved through the Woodbury
 * identity instead of an r x r Cholesky factorisation per row.
 *
 * <p>A row with entries j in S (n = |S|, factor rows f_j of the other side, weights d_j = alpha a_j)
 * solves (A + F^T D F) x = b with A = G + lambda I shared by all rows (G the other side's Gram matrix),
 * F (n, r) the gathered f_j and D = diag(d_j). With P = A^-1 (once per half-sweep) and Z = F P
 * (z_j = P f_j, once per half-sweep for every row of the other side):
 * <pre>
 *   (A + F^T D F)^-1 = P - P F^T (D^-1 + F P F^T)^-1 F P          (Woodbury)
 *   s = P b = sum_j (1 + d_j) z_j + pull P y_row                   (b = sum_j (1 + d_j) f_j + pull y_row)
 *   K = D^-1 + F Z^T   (n, n), SPD;   K t = F s;   x = s - Z^T t
 * </pre>
 * Entries with d_j = 0 (a zero count, or alpha 0) add nothing to the matrix and only enter s. Per row
 * this costs about n^2 r / 2 (K's lower triangle, dot products) + n^3 / 6 + 3 n r multiply-adds, against n r^2 / 2 +
 * r^3 / 6 for building and factoring the r x r system: the r^3 / 6 factorisation (21,000 at r = 50) is
 * what most rows of a long-tailed play matrix spend their time on. {@link #worthIt} weighs that saving
 * against the shared Z = F P (rows of the other side times r^2) and the caller falls back to the direct
 * path when it does not pay.
 *
 * <p>Determinism: P, Z and P Y come from fixed-order kernels (every {@link Linalg#gemm} element one
 * FMA chain), and a row's solve uses only its own entries in CSR order, so a row's result does not
 * depend on the thread that computes it or on the other rows.
 */
final class Woodbury {

    /** (rows of the other side, r) Z = F P. */
    final double[] z;
    /** (rows, r) P y_row for the content pull, or null without one. */
    final double[] py;
    private final int k;

    private Woodbury(double[] z, double[] py, int k) {
        this.z = z;
        this.py = py;
        this.k = k;
    }

    /**
     * Whether the rows with 1 <= n < r/2 entries save more than the shared products cost (all counted in
     * multiply-adds): per row (n r^2/2 + r^3/6) - (n^2 r/2 + 3 n r + n^3/6), against Z = F P (fRows r^2)
     * and P Y (rows r^2). Depends on the data only, so every thread count takes the same path.
     */
    static boolean worthIt(Csr a, int fRows, int k) {
        double save = 0;
        for (int row = 0; row < a.rows; row++) {
            int n = a.indptr[row + 1] - a.indptr[row];
            if (applies(n, k)) {
                save += (n * (double) k * k / 2 + (double) k * k * k / 6)
                        - ((double) n * n * k / 2 + 3.0 * n * k + (double) n * n * n / 6);
            }
        }
        return save > (double) fRows * k * k + (double) a.rows * k * k;
    }

    /**
     * Whether a row with n entries goes through {@link #solve} (the rest through the r x r systems): n <
     * r/2. Above that the scalar n^3/6 factorisation of K (one dependent chain, where the r x r systems
     * run four to a vector) and the n^2 r/2 of K cost more than the r x r path (measured at r = 50 on
     * the benchmark's long-tailed items: n < r was slower than n < r/2).
     */
    static boolean applies(int n, int k) {
        return n >= 1 && 2 * n < k;
    }

    /**
     * P = (g + lambda I)^-1 (g read in its lower triangle), Z = F P for F (fRows, r), and P Y for
     * Y (rows, r) when y is not null. Returns null when g + lambda I is not numerically positive definite.
     */
    static Woodbury prepare(double[] g, double lambda, double[] f, int fRows, double[] y, int yRows, int k) {
        double[] l = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                l[i * k + j] = i == j ? g[i * k + j] + lambda : g[i * k + j];
            }
        }
        if (!Linalg.cholesky(l, k)) {
            return null;
        }
        // L^-1 column by column (forward substitution on e_j), then P = L^-T L^-1:
        // P_ij = sum over q >= max(i, j) of Linv_qi Linv_qj, one chain in increasing q.
        double[] inv = new double[k * k];
        for (int j = 0; j < k; j++) {
            inv[j * k + j] = 1.0 / l[j * k + j];
            for (int i = j + 1; i < k; i++) {
                double s = 0;
                for (int q = j; q < i; q++) {
                    s = Math.fma(l[i * k + q], inv[q * k + j], s);
                }
                inv[i * k + j] = -s / l[i * k + i];
            }
        }
        double[] p = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int q = i; q < k; q++) {
                    s = Math.fma(inv[q * k + i], inv[q * k + j], s);
                }
                p[i * k + j] = s;
                p[j * k + i] = s;
            }
        }
        double[] z = times(f, fRows, p, k);
        return new Woodbury(z, y == null ? null : times(y, yRows, p, k), k);
    }

    /** (n, k) M P in fixed row chunks. */
    private static double[] times(double[] m, int n, double[] p, int k) {
        double[] out = new double[n * k];
        Parallel.forChunks(n, Wmf.GRAIN * 4, (c, from, to) ->
                Linalg.gemm(out, from * k, k, m, from * k, 1, k, p, 0, k, to - from, k, k));
        return out;
    }

    /** Per-thread buffers of {@link #solve}: at most r - 1 entries. */
    static final class Work {
        final double[] kk;     // (n, n) K, leading dimension n
        final int[] at;        // (n) offsets of the f_j, z_j rows of the entries with d_j > 0
        final double[] rinv;   // (n) 1 / diagonal of K's factor
        final double[] s;      // (r)
        final double[] t;      // (n)

        Work(int k) {
            kk = new double[k * k];
            at = new int[k];
            rinv = new double[k];
            s = new double[k];
            t = new double[k];
        }
    }

    /**
     * x for row {@code row} of {@code a} (1 <= n < r/2 entries) into out[row*r ..]; f the other side's
     * factors, alpha the confidence slope, pull the content pull (0 without). Returns false when K is not
     * numerically positive definite (then out is untouched).
     */
    boolean solve(double[] out, Csr a, int row, double[] f, double alpha, double pull, Work w) {
        int lo = a.indptr[row];
        int hi = a.indptr[row + 1];
        double[] s = w.s;
        if (py != null) {
            for (int q = 0; q < k; q++) {
                s[q] = pull * py[row * k + q];
            }
        } else {
            java.util.Arrays.fill(s, 0.0);
        }
        double[] kk = w.kk;
        int m = 0;
        for (int e = lo; e < hi; e++) {
            int j = a.indices[e];
            double d = alpha * a.values[e];
            Linalg.axpy(1.0 + d, z, j * k, s, 0, k);
            if (d > 0) {
                // Row m of K: f_j . z_i over the earlier entries i (f_j^T P f_i), then f_j . z_j + 1/d_j.
                // Dot products, not Linalg.gemm: tiny shapes would share the JIT profile of the large
                // products (X W, X^T V); measured no slower here.
                for (int q = 0; q < m; q++) {
                    kk[m * k + q] = Linalg.dot(f, j * k, z, w.at[q], k);
                }
                kk[m * k + m] = Linalg.dot(f, j * k, z, j * k, k) + 1.0 / d;
                w.at[m] = j * k;
                m++;
            }
        }
        if (m > 0) {
            // K = L_K L_K^T in place below the diagonal (leading dimension k), scalar (n is small), one
            // FMA chain per entry; the diagonal is kept as reciprocals in rinv, so that the dependent
            // chain of the factorisation carries multiplications, not n^2/2 divisions.
            double[] rinv = w.rinv;
            for (int i = 0; i < m; i++) {
                int ri = i * k;
                for (int j = 0; j < i; j++) {
                    int rj = j * k;
                    double acc = kk[ri + j];
                    for (int p = 0; p < j; p++) {
                        acc = Math.fma(-kk[ri + p], kk[rj + p], acc);
                    }
                    kk[ri + j] = acc * rinv[j];
                }
                double acc = kk[ri + i];
                for (int p = 0; p < i; p++) {
                    acc = Math.fma(-kk[ri + p], kk[ri + p], acc);
                }
                if (!(acc > 0)) {
                    return false;
                }
                rinv[i] = 1.0 / Math.sqrt(acc);
            }
            double[] t = w.t;
            for (int i = 0; i < m; i++) {   // L_K y = F s
                double acc = Linalg.dot(f, w.at[i], s, 0, k);
                for (int p = 0; p < i; p++) {
                    acc = Math.fma(-kk[i * k + p], t[p], acc);
                }
                t[i] = acc * rinv[i];
            }
            for (int i = m - 1; i >= 0; i--) {   // L_K^T t = y
                double acc = t[i];
                for (int p = i + 1; p < m; p++) {
                    acc = Math.fma(-kk[p * k + i], t[p], acc);
                }
                t[i] = acc * rinv[i];
            }
            for (int i = 0; i < m; i++) {   // s -= Z^T t
                Linalg.axpy(-t[i], z, w.at[i], s, 0, k);
            }
        }
        System.arraycopy(s, 0, out, row * k, k);
        return true;
    }
}
