package dev.mtdtl.factor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The small dense kernels of the factor models, in float64: a dot product, the Cholesky factorisation of
 * a symmetric positive definite r x r matrix and its solve (the ALS normal equations, r = 50).
 *
 * <p>Vectors of the preferred shape (8 doubles on AVX-512, 4 on AVX2, 2 on 128-bit machines), the one
 * double shape of the whole engine (bench VectorShapesTest says why there is only one). Every kernel but the
 * dot product computes each output as one lane-wise FMA chain, so its bits do not depend on the lane count,
 * nor on the JIT tier (lane-wise FMA is exactly specified: one rounding, = Math.fma).
 *
 * <p>The dot product's bits are those of sixteen partial sums in a fixed fold ({@link #dot}), whatever the
 * lane count: FactorBitsTest pins them at 8, 4 and 2 lanes. A Vector API {@code reduceLanes(ADD)} is not
 * used: its order is unspecified for floating point.
 *
 * <p>Matrices are row-major {@code double[]} with an offset and a leading dimension; only the lower
 * triangle of a symmetric matrix is read or written. Omitted: pivoting (the ALS systems are SPD by
 * construction: a Gram matrix plus lambda I with lambda > 0).
 */
final class Linalg {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();   // 8 on AVX-512
    /** Columns of a register tile of {@link #gemm} and {@link #gramGathered}: three vectors. */
    static final int TILE = 3 * L;
    /** Lane i takes lane i ^ L/2: the halves of a vector swapped (used at L = 8). */
    private static final VectorShuffle<Double> SWAP = VectorShuffle.fromOp(S, i -> i ^ (L / 2));
    /** The upper half of the lanes. */
    private static final VectorMask<Double> HIGH = VectorMask.fromLong(S, ((1L << L) - 1) & -(1L << (L / 2)));

    private Linalg() {}

    /**
     * sum_i a[ao+i] * b[bo+i], defined (for n >= 16) as sixteen partial FMA chains: p_r over the i = r mod 16
     * of the whole blocks of 16, then the blocks of 4 that follow continue p_0..p_3; then
     * t_j = (p_j + p_{4+j}) + (p_{8+j} + p_{12+j}) and (t_0 + t_1) + (t_2 + t_3), which the last n mod 4
     * terms continue as one scalar FMA chain. Below 16 terms: one scalar chain. This is what four 4-lane
     * accumulators compute, the form it was defined in; at 8 lanes, two accumulators hold the same sixteen
     * partials and a swap of halves lines them up for the same fold.
     */
    static double dot(double[] a, int ao, double[] b, int bo, int n) {
        int i = n >= 16 ? n - n % 4 : 0;
        double s = n < 16 ? 0 : L == 8 ? dot8(a, ao, b, bo, n) : L == 4 ? dot4(a, ao, b, bo, n)
                : L == 2 ? dot2(a, ao, b, bo, n) : dot16(a, ao, b, bo, n);
        for (; i < n; i++) {
            s = Math.fma(a[ao + i], b[bo + i], s);
        }
        return s;
    }

    /** {@link #dot}'s vector part at 8 lanes (n >= 16): u0 holds p_0..p_7, u1 p_8..p_15. */
    private static double dot8(double[] a, int ao, double[] b, int bo, int n) {
        DoubleVector u0 = DoubleVector.zero(S);
        DoubleVector u1 = DoubleVector.zero(S);
        int i = 0;
        for (; i + 16 <= n; i += 16) {
            u0 = DoubleVector.fromArray(S, a, ao + i).fma(DoubleVector.fromArray(S, b, bo + i), u0);
            u1 = DoubleVector.fromArray(S, a, ao + i + 8).fma(DoubleVector.fromArray(S, b, bo + i + 8), u1);
        }
        for (; i + 4 <= n; i += 4) {
            // Terms i..i+3 into p_0..p_3: loaded from i - 4 (i >= 16, so in bounds) with the halves swapped,
            // and the upper lanes (p_4..p_7) kept as they were.
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i - 4).rearrange(SWAP);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i - 4).rearrange(SWAP);
            u0 = x.fma(y, u0).blend(u0, HIGH);
        }
        DoubleVector t = u0.add(u0.rearrange(SWAP)).add(u1.add(u1.rearrange(SWAP)));   // lanes 0..3: t_j
        return (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3));
    }

    /** {@link #dot}'s vector part at 4 lanes (n >= 16): s_m holds p_{4m}..p_{4m+3}. */
    private static double dot4(double[] a, int ao, double[] b, int bo, int n) {
        DoubleVector s0 = DoubleVector.zero(S);
        DoubleVector s1 = DoubleVector.zero(S);
        DoubleVector s2 = DoubleVector.zero(S);
        DoubleVector s3 = DoubleVector.zero(S);
        int i = 0;
        for (; i + 16 <= n; i += 16) {
            s0 = DoubleVector.fromArray(S, a, ao + i).fma(DoubleVector.fromArray(S, b, bo + i), s0);
            s1 = DoubleVector.fromArray(S, a, ao + i + 4).fma(DoubleVector.fromArray(S, b, bo + i + 4), s1);
            s2 = DoubleVector.fromArray(S, a, ao + i + 8).fma(DoubleVector.fromArray(S, b, bo + i + 8), s2);
            s3 = DoubleVector.fromArray(S, a, ao + i + 12).fma(DoubleVector.fromArray(S, b, bo + i + 12), s3);
        }
        for (; i + 4 <= n; i += 4) {
            s0 = DoubleVector.fromArray(S, a, ao + i).fma(DoubleVector.fromArray(S, b, bo + i), s0);
        }
        DoubleVector t = s0.add(s1).add(s2.add(s3));
        return (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3));
    }

    /**
     * {@link #dot}'s vector part at 2 lanes (n >= 16; 128-bit machines such as NEON): s_m holds p_{2m}, p_{2m+1};
     * a 4-group goes to s0 and s1, and the fold's t_0, t_1 and t_2, t_3 are lane-wise sums of four of them.
     */
    private static double dot2(double[] a, int ao, double[] b, int bo, int n) {
        DoubleVector s0 = DoubleVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        int i = 0;
        for (; i + 16 <= n; i += 16) {
            s0 = DoubleVector.fromArray(S, a, ao + i).fma(DoubleVector.fromArray(S, b, bo + i), s0);
            s1 = DoubleVector.fromArray(S, a, ao + i + 2).fma(DoubleVector.fromArray(S, b, bo + i + 2), s1);
            s2 = DoubleVector.fromArray(S, a, ao + i + 4).fma(DoubleVector.fromArray(S, b, bo + i + 4), s2);
            s3 = DoubleVector.fromArray(S, a, ao + i + 6).fma(DoubleVector.fromArray(S, b, bo + i + 6), s3);
            s4 = DoubleVector.fromArray(S, a, ao + i + 8).fma(DoubleVector.fromArray(S, b, bo + i + 8), s4);
            s5 = DoubleVector.fromArray(S, a, ao + i + 10).fma(DoubleVector.fromArray(S, b, bo + i + 10), s5);
            s6 = DoubleVector.fromArray(S, a, ao + i + 12).fma(DoubleVector.fromArray(S, b, bo + i + 12), s6);
            s7 = DoubleVector.fromArray(S, a, ao + i + 14).fma(DoubleVector.fromArray(S, b, bo + i + 14), s7);
        }
        for (; i + 4 <= n; i += 4) {
            s0 = DoubleVector.fromArray(S, a, ao + i).fma(DoubleVector.fromArray(S, b, bo + i), s0);
            s1 = DoubleVector.fromArray(S, a, ao + i + 2).fma(DoubleVector.fromArray(S, b, bo + i + 2), s1);
        }
        DoubleVector t01 = s0.add(s2).add(s4.add(s6));   // t_0, t_1
        DoubleVector t23 = s1.add(s3).add(s5.add(s7));   // t_2, t_3
        return (t01.lane(0) + t01.lane(1)) + (t23.lane(0) + t23.lane(1));
    }

    /** {@link #dot}'s vector part in scalar code (n >= 16), for lane counts other than 2, 4 and 8. */
    static double dot16(double[] a, int ao, double[] b, int bo, int n) {
        double[] p = new double[16];
        int i = 0;
        for (; i + 16 <= n; i += 16) {
            for (int r = 0; r < 16; r++) {
                p[r] = Math.fma(a[ao + i + r], b[bo + i + r], p[r]);
            }
        }
        for (; i + 4 <= n; i += 4) {
            for (int r = 0; r < 4; r++) {
                p[r] = Math.fma(a[ao + i + r], b[bo + i + r], p[r]);
            }
        }
        double[] t = new double[4];
        for (int j = 0; j < 4; j++) {
            t[j] = (p[j] + p[4 + j]) + (p[8 + j] + p[12 + j]);
        }
        return (t[0] + t[1]) + (t[2] + t[3]);
    }

    /** y[yo+i] = fma(alpha, x[xo+i], y[yo+i]): vectors, then a scalar tail (the same bits at any tier and width). */
    static void axpy(double alpha, double[] x, int xo, double[] y, int yo, int n) {
        int i = 0;
        if (n >= L) {
            DoubleVector a = DoubleVector.broadcast(S, alpha);
            for (; i + 2 * L <= n; i += 2 * L) {   // two vectors a step: ~30% faster at n = 50 than one
                DoubleVector y0 = DoubleVector.fromArray(S, y, yo + i);
                DoubleVector y1 = DoubleVector.fromArray(S, y, yo + i + L);
                DoubleVector.fromArray(S, x, xo + i).fma(a, y0).intoArray(y, yo + i);
                DoubleVector.fromArray(S, x, xo + i + L).fma(a, y1).intoArray(y, yo + i + L);
            }
            for (; i + L <= n; i += L) {
                DoubleVector.fromArray(S, x, xo + i).fma(a, DoubleVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
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

    /**
     * The lower triangle of C (k, k, row-major) = sum over j < n of (w_j f_j) f_j^T, f_j the row
     * {@code rows[ro + j]} of F (., k), read where it lies (no gathered copy: the rows of a user's items
     * are scattered over a V of megabytes, and copying them cost more than the products). C is
     * overwritten; entries above the diagonal in the last column tile of a row block may be written too.
     *
     * <p>Each element is one FMA chain over j in order from 0, with the factor w_j f_j[p] rounded
     * before the FMA: the same bits as {@link #gemm} on a copy scaled by w_j, whatever the tiling (4 rows
     * x 3 vectors in registers, then 4 rows x 1 vector, then scalars) and the lane count. A row block's
     * last vector may cover columns past the block's diagonal (up to L - 4 of them): those are computed and
     * written too, which is cheaper than a scalar edge.
     */
    static void gramGathered(double[] c, double[] f, int[] rows, int ro, double[] w, int n, int k) {
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            int ext = p + 4;   // columns [0, p + 4) cover the block's lower triangle
            int q = 0;
            for (; q + 3 * L <= ext; q += 3 * L) {
                DoubleVector c00 = DoubleVector.zero(S);
                DoubleVector c01 = c00;
                DoubleVector c02 = c00;
                DoubleVector c10 = c00;
                DoubleVector c11 = c00;
                DoubleVector c12 = c00;
                DoubleVector c20 = c00;
                DoubleVector c21 = c00;
                DoubleVector c22 = c00;
                DoubleVector c30 = c00;
                DoubleVector c31 = c00;
                DoubleVector c32 = c00;
                for (int j = 0; j < n; j++) {
                    int fo = rows[ro + j] * k;
                    double wj = w[j];
                    DoubleVector b0 = DoubleVector.fromArray(S, f, fo + q);
                    DoubleVector b1 = DoubleVector.fromArray(S, f, fo + q + L);
                    DoubleVector b2 = DoubleVector.fromArray(S, f, fo + q + 2 * L);
                    DoubleVector a0 = DoubleVector.broadcast(S, wj * f[fo + p]);
                    DoubleVector a1 = DoubleVector.broadcast(S, wj * f[fo + p + 1]);
                    DoubleVector a2 = DoubleVector.broadcast(S, wj * f[fo + p + 2]);
                    DoubleVector a3 = DoubleVector.broadcast(S, wj * f[fo + p + 3]);
                    c00 = a0.fma(b0, c00);
                    c01 = a0.fma(b1, c01);
                    c02 = a0.fma(b2, c02);
                    c10 = a1.fma(b0, c10);
                    c11 = a1.fma(b1, c11);
                    c12 = a1.fma(b2, c12);
                    c20 = a2.fma(b0, c20);
                    c21 = a2.fma(b1, c21);
                    c22 = a2.fma(b2, c22);
                    c30 = a3.fma(b0, c30);
                    c31 = a3.fma(b1, c31);
                    c32 = a3.fma(b2, c32);
                }
                int c0 = p * k + q;
                c00.intoArray(c, c0);
                c01.intoArray(c, c0 + L);
                c02.intoArray(c, c0 + 2 * L);
                c10.intoArray(c, c0 + k);
                c11.intoArray(c, c0 + k + L);
                c12.intoArray(c, c0 + k + 2 * L);
                c20.intoArray(c, c0 + 2 * k);
                c21.intoArray(c, c0 + 2 * k + L);
                c22.intoArray(c, c0 + 2 * k + 2 * L);
                c30.intoArray(c, c0 + 3 * k);
                c31.intoArray(c, c0 + 3 * k + L);
                c32.intoArray(c, c0 + 3 * k + 2 * L);
            }
            for (; q < ext; q += L) {   // ext is a multiple of 4, of L only where L <= 4
                if (q + L > k) {   // a vector would read past the row: scalars (at most L - 4 columns)
                    gramScalar(c, f, rows, ro, w, n, k, p, p + 4, q, ext);
                    break;
                }
                DoubleVector c0v = DoubleVector.zero(S);
                DoubleVector c1v = c0v;
                DoubleVector c2v = c0v;
                DoubleVector c3v = c0v;
                for (int j = 0; j < n; j++) {
                    int fo = rows[ro + j] * k;
                    double wj = w[j];
                    DoubleVector bv = DoubleVector.fromArray(S, f, fo + q);
                    c0v = DoubleVector.broadcast(S, wj * f[fo + p]).fma(bv, c0v);
                    c1v = DoubleVector.broadcast(S, wj * f[fo + p + 1]).fma(bv, c1v);
                    c2v = DoubleVector.broadcast(S, wj * f[fo + p + 2]).fma(bv, c2v);
                    c3v = DoubleVector.broadcast(S, wj * f[fo + p + 3]).fma(bv, c3v);
                }
                int c0 = p * k + q;
                c0v.intoArray(c, c0);
                c1v.intoArray(c, c0 + k);
                c2v.intoArray(c, c0 + 2 * k);
                c3v.intoArray(c, c0 + 3 * k);
            }
        }
        if (p + 2 <= k) {   // two of the last k mod 4 rows: 2 x 12 tiles (one row alone is one FMA chain per vector)
            int ext = p + 2;
            int q = 0;
            for (; q + 3 * L <= ext; q += 3 * L) {
                DoubleVector c00 = DoubleVector.zero(S);
                DoubleVector c01 = c00;
                DoubleVector c02 = c00;
                DoubleVector c10 = c00;
                DoubleVector c11 = c00;
                DoubleVector c12 = c00;
                for (int j = 0; j < n; j++) {
                    int fo = rows[ro + j] * k;
                    double wj = w[j];
                    DoubleVector b0 = DoubleVector.fromArray(S, f, fo + q);
                    DoubleVector b1 = DoubleVector.fromArray(S, f, fo + q + L);
                    DoubleVector b2 = DoubleVector.fromArray(S, f, fo + q + 2 * L);
                    DoubleVector a0 = DoubleVector.broadcast(S, wj * f[fo + p]);
                    DoubleVector a1 = DoubleVector.broadcast(S, wj * f[fo + p + 1]);
                    c00 = a0.fma(b0, c00);
                    c01 = a0.fma(b1, c01);
                    c02 = a0.fma(b2, c02);
                    c10 = a1.fma(b0, c10);
                    c11 = a1.fma(b1, c11);
                    c12 = a1.fma(b2, c12);
                }
                int c0 = p * k + q;
                c00.intoArray(c, c0);
                c01.intoArray(c, c0 + L);
                c02.intoArray(c, c0 + 2 * L);
                c10.intoArray(c, c0 + k);
                c11.intoArray(c, c0 + k + L);
                c12.intoArray(c, c0 + k + 2 * L);
            }
            for (; q < ext; q++) {
                double s0 = 0;
                double s1 = 0;
                for (int j = 0; j < n; j++) {
                    int fo = rows[ro + j] * k;
                    double bq = f[fo + q];
                    s0 = Math.fma(w[j] * f[fo + p], bq, s0);
                    s1 = Math.fma(w[j] * f[fo + p + 1], bq, s1);
                }
                c[p * k + q] = s0;
                c[p * k + k + q] = s1;
            }
            p += 2;
        }
        for (; p < k; p++) {   // the last row, if any: columns [0, p] by vectors, then scalars
            int q = 0;
            for (; q + L <= p + 1; q += L) {
                DoubleVector cv = DoubleVector.zero(S);
                for (int j = 0; j < n; j++) {
                    int fo = rows[ro + j] * k;
                    cv = DoubleVector.broadcast(S, w[j] * f[fo + p]).fma(DoubleVector.fromArray(S, f, fo + q), cv);
                }
                cv.intoArray(c, p * k + q);
            }
            gramScalar(c, f, rows, ro, w, n, k, p, p + 1, q, p + 1);
        }
    }

    /** {@link #gramGathered}'s elements (p, q) for p in [p0, p1), q in [q0, q1), one scalar chain each. */
    private static void gramScalar(double[] c, double[] f, int[] rows, int ro, double[] w, int n, int k,
                                   int p0, int p1, int q0, int q1) {
        for (int p = p0; p < p1; p++) {
            for (int q = q0; q < q1; q++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    int fo = rows[ro + j] * k;
                    s = Math.fma(w[j] * f[fo + p], f[fo + q], s);
                }
                c[p * k + q] = s;
            }
        }
    }

    /**
     * Solve L L^T X = B in place for columns [c0, c1) of B (n, ldb), L from {@link #cholesky} and
     * {@code lneg} = -L (the same layout). Rows go in blocks of 4: first the part of each row's sum over
     * rows already solved, by {@link #gemm} (fma(-l, x, acc) is exactly acc - l x), then the block's own
     * triangle, then the division. Every element is one fixed chain (forward: p increasing; backward:
     * rows below the block in increasing order, then the block's rows), whatever columns a caller hands
     * to a thread. The column-at-a-time {@link #cholSolve} walks L^T with a stride and one chain; this
     * form runs on register tiles across the right-hand sides.
     */
    static void cholSolveMatrix(double[] l, double[] lneg, int n, double[] b, int ldb, int c0, int c1) {
        int w = c1 - c0;
        for (int i0 = 0; i0 < n; i0 += 4) {   // L Y = B
            int i1 = Math.min(n, i0 + 4);
            gemm(b, i0 * ldb + c0, ldb, lneg, i0 * n, 1, n, b, c0, ldb, i1 - i0, w, i0);
            for (int i = i0; i < i1; i++) {
                for (int p = i0; p < i; p++) {
                    axpy(lneg[i * n + p], b, p * ldb + c0, b, i * ldb + c0, w);
                }
                double d = l[i * n + i];
                for (int q = i * ldb + c0; q < i * ldb + c1; q++) {
                    b[q] /= d;
                }
            }
        }
        for (int i1 = n; i1 > 0; i1 -= 4) {   // L^T X = Y, blocks from the bottom
            int i0 = Math.max(0, i1 - 4);
            if (i1 < n) {
                gemm(b, i0 * ldb + c0, ldb, lneg, i1 * n + i0, n, 1, b, i1 * ldb + c0, ldb, i1 - i0, w, n - i1);
            }
            for (int i = i1 - 1; i >= i0; i--) {
                for (int p = i + 1; p < i1; p++) {
                    axpy(lneg[p * n + i], b, p * ldb + c0, b, i * ldb + c0, w);
                }
                double d = l[i * n + i];
                for (int q = i * ldb + c0; q < i * ldb + c1; q++) {
                    b[q] /= d;
                }
            }
        }
    }

    /**
     * C += A^T B in the general strided form: for p < m, q < n,
     * {@code c[co + p*ldc + q] = fma-chain over i < kk of a[ao + i*sai + p*sap] * b[bo + i*ldb + q]}.
     * A^T B (A stored (kk, m)) is sai = lda, sap = 1; A B (A stored (m, kk)) is sai = 1, sap = lda.
     *
     * <p>Each C element is one fused multiply-add chain in increasing i, starting from its old value,
     * whatever the blocking (4 rows x 3 vectors in registers, then scalar edges with Math.fma): so the
     * bits do not depend on the block a caller hands to a thread, nor on the JIT tier.
     */
    static void gemm(double[] c, int co, int ldc, double[] a, int ao, int sai, int sap, double[] b, int bo, int ldb,
                     int m, int n, int kk) {
        int p = 0;
        for (; p + 4 <= m; p += 4) {
            int q = 0;
            for (; q + 3 * L <= n; q += 3 * L) {
                int c0 = co + p * ldc + q;
                DoubleVector c00 = DoubleVector.fromArray(S, c, c0);
                DoubleVector c01 = DoubleVector.fromArray(S, c, c0 + L);
                DoubleVector c02 = DoubleVector.fromArray(S, c, c0 + 2 * L);
                DoubleVector c10 = DoubleVector.fromArray(S, c, c0 + ldc);
                DoubleVector c11 = DoubleVector.fromArray(S, c, c0 + ldc + L);
                DoubleVector c12 = DoubleVector.fromArray(S, c, c0 + ldc + 2 * L);
                DoubleVector c20 = DoubleVector.fromArray(S, c, c0 + 2 * ldc);
                DoubleVector c21 = DoubleVector.fromArray(S, c, c0 + 2 * ldc + L);
                DoubleVector c22 = DoubleVector.fromArray(S, c, c0 + 2 * ldc + 2 * L);
                DoubleVector c30 = DoubleVector.fromArray(S, c, c0 + 3 * ldc);
                DoubleVector c31 = DoubleVector.fromArray(S, c, c0 + 3 * ldc + L);
                DoubleVector c32 = DoubleVector.fromArray(S, c, c0 + 3 * ldc + 2 * L);
                for (int i = 0; i < kk; i++) {
                    int bi = bo + i * ldb + q;
                    DoubleVector b0 = DoubleVector.fromArray(S, b, bi);
                    DoubleVector b1 = DoubleVector.fromArray(S, b, bi + L);
                    DoubleVector b2 = DoubleVector.fromArray(S, b, bi + 2 * L);
                    int ai = ao + i * sai + p * sap;
                    DoubleVector a0 = DoubleVector.broadcast(S, a[ai]);
                    DoubleVector a1 = DoubleVector.broadcast(S, a[ai + sap]);
                    DoubleVector a2 = DoubleVector.broadcast(S, a[ai + 2 * sap]);
                    DoubleVector a3 = DoubleVector.broadcast(S, a[ai + 3 * sap]);
                    c00 = a0.fma(b0, c00);
                    c01 = a0.fma(b1, c01);
                    c02 = a0.fma(b2, c02);
                    c10 = a1.fma(b0, c10);
                    c11 = a1.fma(b1, c11);
                    c12 = a1.fma(b2, c12);
                    c20 = a2.fma(b0, c20);
                    c21 = a2.fma(b1, c21);
                    c22 = a2.fma(b2, c22);
                    c30 = a3.fma(b0, c30);
                    c31 = a3.fma(b1, c31);
                    c32 = a3.fma(b2, c32);
                }
                c00.intoArray(c, c0);
                c01.intoArray(c, c0 + L);
                c02.intoArray(c, c0 + 2 * L);
                c10.intoArray(c, c0 + ldc);
                c11.intoArray(c, c0 + ldc + L);
                c12.intoArray(c, c0 + ldc + 2 * L);
                c20.intoArray(c, c0 + 2 * ldc);
                c21.intoArray(c, c0 + 2 * ldc + L);
                c22.intoArray(c, c0 + 2 * ldc + 2 * L);
                c30.intoArray(c, c0 + 3 * ldc);
                c31.intoArray(c, c0 + 3 * ldc + L);
                c32.intoArray(c, c0 + 3 * ldc + 2 * L);
            }
            for (; q + L <= n; q += L) {   // one vector of columns, 4 rows
                int c0 = co + p * ldc + q;
                DoubleVector c0v = DoubleVector.fromArray(S, c, c0);
                DoubleVector c1v = DoubleVector.fromArray(S, c, c0 + ldc);
                DoubleVector c2v = DoubleVector.fromArray(S, c, c0 + 2 * ldc);
                DoubleVector c3v = DoubleVector.fromArray(S, c, c0 + 3 * ldc);
                for (int i = 0; i < kk; i++) {
                    DoubleVector bv = DoubleVector.fromArray(S, b, bo + i * ldb + q);
                    int ai = ao + i * sai + p * sap;
                    c0v = DoubleVector.broadcast(S, a[ai]).fma(bv, c0v);
                    c1v = DoubleVector.broadcast(S, a[ai + sap]).fma(bv, c1v);
                    c2v = DoubleVector.broadcast(S, a[ai + 2 * sap]).fma(bv, c2v);
                    c3v = DoubleVector.broadcast(S, a[ai + 3 * sap]).fma(bv, c3v);
                }
                c0v.intoArray(c, c0);
                c1v.intoArray(c, c0 + ldc);
                c2v.intoArray(c, c0 + 2 * ldc);
                c3v.intoArray(c, c0 + 3 * ldc);
            }
            for (; q + 2 <= n; q += 2) {   // column pairs (r = 50 = 12 * 4 + 2): 8 independent FMA chains
                int c0 = co + p * ldc + q;
                double s00 = c[c0];
                double s01 = c[c0 + 1];
                double s10 = c[c0 + ldc];
                double s11 = c[c0 + ldc + 1];
                double s20 = c[c0 + 2 * ldc];
                double s21 = c[c0 + 2 * ldc + 1];
                double s30 = c[c0 + 3 * ldc];
                double s31 = c[c0 + 3 * ldc + 1];
                for (int i = 0; i < kk; i++) {
                    int bi = bo + i * ldb + q;
                    double b0 = b[bi];
                    double b1 = b[bi + 1];
                    int ai = ao + i * sai + p * sap;
                    double a0 = a[ai];
                    double a1 = a[ai + sap];
                    double a2 = a[ai + 2 * sap];
                    double a3 = a[ai + 3 * sap];
                    s00 = Math.fma(a0, b0, s00);
                    s01 = Math.fma(a0, b1, s01);
                    s10 = Math.fma(a1, b0, s10);
                    s11 = Math.fma(a1, b1, s11);
                    s20 = Math.fma(a2, b0, s20);
                    s21 = Math.fma(a2, b1, s21);
                    s30 = Math.fma(a3, b0, s30);
                    s31 = Math.fma(a3, b1, s31);
                }
                c[c0] = s00;
                c[c0 + 1] = s01;
                c[c0 + ldc] = s10;
                c[c0 + ldc + 1] = s11;
                c[c0 + 2 * ldc] = s20;
                c[c0 + 2 * ldc + 1] = s21;
                c[c0 + 3 * ldc] = s30;
                c[c0 + 3 * ldc + 1] = s31;
            }
            gemmScalar(c, co, ldc, a, ao, sai, sap, b, bo, ldb, p, p + 4, q, n, kk);
        }
        for (; p < m; p++) {   // remaining rows one at a time, columns by vectors
            int q = 0;
            for (; q + L <= n; q += L) {
                int c0 = co + p * ldc + q;
                DoubleVector cv = DoubleVector.fromArray(S, c, c0);
                for (int i = 0; i < kk; i++) {
                    cv = DoubleVector.broadcast(S, a[ao + i * sai + p * sap])
                            .fma(DoubleVector.fromArray(S, b, bo + i * ldb + q), cv);
                }
                cv.intoArray(c, c0);
            }
            gemmScalar(c, co, ldc, a, ao, sai, sap, b, bo, ldb, p, p + 1, q, n, kk);
        }
    }

    private static void gemmScalar(double[] c, int co, int ldc, double[] a, int ao, int sai, int sap, double[] b, int bo,
                                   int ldb, int p0, int p1, int q0, int q1, int kk) {
        for (int p = p0; p < p1; p++) {
            for (int q = q0; q < q1; q++) {
                double s = c[co + p * ldc + q];
                for (int i = 0; i < kk; i++) {
                    s = Math.fma(a[ao + i * sai + p * sap], b[bo + i * ldb + q], s);
                }
                c[co + p * ldc + q] = s;
            }
        }
    }
}
