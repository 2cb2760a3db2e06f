package dev.mtdtl.factor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The small dense kernels of the factor models, in float64: a dot product, the Cholesky factorisation of
 * a symmetric positive definite r x r matrix and its solve (the ALS normal equations, r = 50).
 *
 * <p>Determinism: the dot product keeps four 256-bit lane-wise FMA accumulators and adds their lanes in
 * a fixed order. Lane-wise FMA is exactly specified (one rounding, = Math.fma), so the interpreter, C1
 * and C2 all give the same bits, and so do machines with wider vectors (the species is fixed at 256
 * bits, not the preferred one). A Vector API {@code reduceLanes(ADD)} is not used: its order is
 * unspecified for floating point.
 *
 * <p>Matrices are row-major {@code double[]} with an offset and a leading dimension; only the lower
 * triangle of a symmetric matrix is read or written. Omitted: pivoting (the ALS systems are SPD by
 * construction: a Gram matrix plus lambda I with lambda > 0).
 */
final class Linalg {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_256;
    private static final int L = S.length();   // 4

    private Linalg() {}

    /** sum_i a[ao+i] * b[bo+i]. */
    static double dot(double[] a, int ao, double[] b, int bo, int n) {
        int i = 0;
        double s;
        if (n >= 4 * L) {
            DoubleVector s0 = DoubleVector.zero(S);
            DoubleVector s1 = DoubleVector.zero(S);
            DoubleVector s2 = DoubleVector.zero(S);
            DoubleVector s3 = DoubleVector.zero(S);
            for (; i + 4 * L <= n; i += 4 * L) {
                s0 = DoubleVector.fromArray(S, a, ao + i).fma(DoubleVector.fromArray(S, b, bo + i), s0);
                s1 = DoubleVector.fromArray(S, a, ao + i + L).fma(DoubleVector.fromArray(S, b, bo + i + L), s1);
                s2 = DoubleVector.fromArray(S, a, ao + i + 2 * L).fma(DoubleVector.fromArray(S, b, bo + i + 2 * L), s2);
                s3 = DoubleVector.fromArray(S, a, ao + i + 3 * L).fma(DoubleVector.fromArray(S, b, bo + i + 3 * L), s3);
            }
            for (; i + L <= n; i += L) {
                s0 = DoubleVector.fromArray(S, a, ao + i).fma(DoubleVector.fromArray(S, b, bo + i), s0);
            }
            DoubleVector t = s0.add(s1).add(s2.add(s3));
            s = (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3));
        } else {
            s = 0;
        }
        for (; i < n; i++) {
            s = Math.fma(a[ao + i], b[bo + i], s);
        }
        return s;
    }

    /** y[yo+i] = fma(alpha, x[xo+i], y[yo+i]): 256-bit lanes, then a scalar tail (the same bits at any tier). */
    static void axpy(double alpha, double[] x, int xo, double[] y, int yo, int n) {
        int i = 0;
        if (n >= L) {
            DoubleVector a = DoubleVector.broadcast(S, alpha);
            for (; i + L <= n; i += L) {
                DoubleVector.fromArray(S, x, xo + i).fma(a, DoubleVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
        }
    }

    /** Lower triangle of a (n x n, leading dimension n) += alpha * v v^T, v = x[xo .. xo+n). */
    static void syr(double alpha, double[] x, int xo, double[] a, int n) {
        for (int i = 0; i < n; i++) {
            axpy(alpha * x[xo + i], x, xo, a, i * n, i + 1);
        }
    }

    /**
     * In-place Cholesky A = L L^T of the lower triangle of a (n x n, leading dimension n), row by row
     * (Cholesky-Banachiewicz: every inner product runs over two contiguous row prefixes). Returns false if
     * a pivot is not positive (A not positive definite); a is then partly overwritten.
     */
    static boolean cholesky(double[] a, int n) {
        for (int i = 0; i < n; i++) {
            int ri = i * n;
            for (int j = 0; j < i; j++) {
                int rj = j * n;
                a[ri + j] = (a[ri + j] - dot(a, ri, a, rj, j)) / a[rj + j];
            }
            double d = a[ri + i] - dot(a, ri, a, ri, i);
            if (!(d > 0)) {
                return false;
            }
            a[ri + i] = Math.sqrt(d);
        }
        return true;
    }

    /** Solve L L^T x = b in place (b becomes x), L from {@link #cholesky}; b at offset bo. */
    static void cholSolve(double[] l, int n, double[] b, int bo) {
        for (int i = 0; i < n; i++) {   // L y = b
            b[bo + i] = (b[bo + i] - dot(l, i * n, b, bo, i)) / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {   // L^T x = y: column i of L^T is row i of L, strided
            double s = b[bo + i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k * n + i] * b[bo + k];
            }
            b[bo + i] = s / l[i * n + i];
        }
    }
}
