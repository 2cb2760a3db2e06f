package dev.mtdtl.factor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link #B} independent r x r Cholesky factorisations and solves at once, one system per vector lane (8 on
 * AVX-512, 4 on AVX2): the many small ALS systems (27,000 items of r = 50) need no horizontal reductions this
 * way, every operation is a full lane-wise FMA, sqrt or division, and short-row overheads vanish.
 *
 * <p>Layout: element (i, j) of system l at {@code ((i*r + j)*B + l)}, lower triangle only; right-hand
 * sides at {@code (i*B + l)}. Each lane performs the same fixed sequence of operations
 * (Cholesky-Banachiewicz, two entries of a row at a time sharing their loads, inner products in
 * interleaved chains, then one division or sqrt), so a
 * system's solution does not depend on which other systems share its batch, and unused lanes can hold
 * anything positive definite (the identity). Lane-wise FMA, sqrt and division are correctly rounded at
 * every JIT tier.
 */
final class CholeskyBatch {

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Systems per batch: the lane count. No lane's bits depend on it (each lane runs the same operations). */
    static final int B = S.length();

    private CholeskyBatch() {}

    /**
     * Factor the B systems in {@code a} in place and solve for the right-hand sides in {@code x} (in
     * place). Returns a B-bit mask of lanes whose matrix was not positive definite (0 when all are).
     */
    static int factorSolve(double[] a, double[] x, int r) {
        int bad = 0;
        for (int i = 0; i < r; i++) {
            int ri = i * r * B;
            int j = 0;
            for (; j + 1 < i; j += 2) {
                // l_ij and l_i,j+1 together: both inner products share the loads of row i over p < j
                // (two chains each, p even / odd); l_i,j+1 then takes its p = j term once l_ij is known.
                int rj = j * r * B;
                int rj1 = rj + r * B;
                DoubleVector c0 = DoubleVector.zero(S);
                DoubleVector c1 = DoubleVector.zero(S);
                DoubleVector e0 = DoubleVector.zero(S);
                DoubleVector e1 = DoubleVector.zero(S);
                int p = 0;
                for (; p + 2 <= j; p += 2) {
                    DoubleVector x0 = DoubleVector.fromArray(S, a, ri + p * B);
                    DoubleVector x1 = DoubleVector.fromArray(S, a, ri + p * B + B);
                    c0 = x0.fma(DoubleVector.fromArray(S, a, rj + p * B), c0);
                    c1 = x1.fma(DoubleVector.fromArray(S, a, rj + p * B + B), c1);
                    e0 = x0.fma(DoubleVector.fromArray(S, a, rj1 + p * B), e0);
                    e1 = x1.fma(DoubleVector.fromArray(S, a, rj1 + p * B + B), e1);
                }
                if (p < j) {
                    DoubleVector x0 = DoubleVector.fromArray(S, a, ri + p * B);
                    c0 = x0.fma(DoubleVector.fromArray(S, a, rj + p * B), c0);
                    e0 = x0.fma(DoubleVector.fromArray(S, a, rj1 + p * B), e0);
                }
                DoubleVector lij = DoubleVector.fromArray(S, a, ri + j * B).sub(c0.add(c1))
                        .div(DoubleVector.fromArray(S, a, rj + j * B));
                lij.intoArray(a, ri + j * B);
                DoubleVector s1 = DoubleVector.fromArray(S, a, ri + (j + 1) * B).sub(e0.add(e1));
                s1 = lij.neg().fma(DoubleVector.fromArray(S, a, rj1 + j * B), s1);
                s1.div(DoubleVector.fromArray(S, a, rj1 + (j + 1) * B)).intoArray(a, ri + (j + 1) * B);
            }
            for (; j < i; j++) {
                int rj = j * r * B;
                DoubleVector s = DoubleVector.fromArray(S, a, ri + j * B).sub(dot(a, ri, a, rj, j));
                s.div(DoubleVector.fromArray(S, a, rj + j * B)).intoArray(a, ri + j * B);
            }
            DoubleVector d = DoubleVector.fromArray(S, a, ri + i * B).sub(dot(a, ri, a, ri, i));
            for (int l = 0; l < B; l++) {
                if (!(d.lane(l) > 0)) {
                    bad |= 1 << l;
                }
            }
            d.sqrt().intoArray(a, ri + i * B);
        }
        // L y = b, then L^T x = y (the latter walks a column of L: strided, one chain).
        for (int i = 0; i < r; i++) {
            int ri = i * r * B;
            DoubleVector s = DoubleVector.fromArray(S, x, i * B).sub(dot(a, ri, x, 0, i));
            s.div(DoubleVector.fromArray(S, a, ri + i * B)).intoArray(x, i * B);
        }
        for (int i = r - 1; i >= 0; i--) {
            DoubleVector s = DoubleVector.fromArray(S, x, i * B);
            for (int p = i + 1; p < r; p++) {
                s = DoubleVector.fromArray(S, a, (p * r + i) * B).neg().fma(DoubleVector.fromArray(S, x, p * B), s);
            }
            s.div(DoubleVector.fromArray(S, a, (i * r + i) * B)).intoArray(x, i * B);
        }
        return bad;
    }

    /**
     * Lane-wise sum over p < n of u[uo + p*B] * v[vo + p*B], in four interleaved FMA chains (p mod 4)
     * added as (c0 + c1) + (c2 + c3): four independent chains hide the FMA latency, which a single chain
     * of r^3/6 dependent FMAs per batch would expose. The order is fixed, so the bits are.
     */
    private static DoubleVector dot(double[] u, int uo, double[] v, int vo, int n) {
        DoubleVector c0 = DoubleVector.zero(S);
        DoubleVector c1 = DoubleVector.zero(S);
        DoubleVector c2 = DoubleVector.zero(S);
        DoubleVector c3 = DoubleVector.zero(S);
        int p = 0;
        for (; p + 4 <= n; p += 4) {
            int uo0 = uo + p * B;
            int vo0 = vo + p * B;
            c0 = DoubleVector.fromArray(S, u, uo0).fma(DoubleVector.fromArray(S, v, vo0), c0);
            c1 = DoubleVector.fromArray(S, u, uo0 + B).fma(DoubleVector.fromArray(S, v, vo0 + B), c1);
            c2 = DoubleVector.fromArray(S, u, uo0 + 2 * B).fma(DoubleVector.fromArray(S, v, vo0 + 2 * B), c2);
            c3 = DoubleVector.fromArray(S, u, uo0 + 3 * B).fma(DoubleVector.fromArray(S, v, vo0 + 3 * B), c3);
        }
        for (; p < n; p++) {
            c0 = DoubleVector.fromArray(S, u, uo + p * B).fma(DoubleVector.fromArray(S, v, vo + p * B), c0);
        }
        return c0.add(c1).add(c2.add(c3));
    }
}
