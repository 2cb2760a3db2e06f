package dev.mtdtl.factor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp(t) for t <= 0 on a vector of doubles (the preferred shape: 8 lanes on AVX-512), from lane-wise IEEE
 * operations only (FMA, add, multiply, bit reinterpretation, integer add and shift), so every JIT tier and
 * every width gives the same bits: the E-step of {@link Gmm1d} on distinct values, whose cost is one exp
 * per (value, component).
 *
 * <p>Method (Cody and Waite range reduction, then Taylor): k = round(t / ln 2) by adding and
 * subtracting 1.5 * 2^52 (exact for |t / ln 2| < 2^51); r = t - k ln2_hi - k ln2_lo, |r| <= ln 2 / 2;
 * e^r by the degree-12 Taylor polynomial in Horner form (truncation error r^13/13! < 2e-16 relative);
 * 2^k added to the exponent field. Accuracy: within 2 ulp of Math.exp (tested). Results below
 * 2^-1022 (t < -708.39) are flushed to 0 instead of going subnormal: a responsibility that small is
 * 0 after normalisation anyway, since the largest term of every sum is exp(0) = 1.
 */
final class VecExp {

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final double SHIFT = 0x1.8p52;
    private static final double INV_LN2 = 1.4426950408889634;
    private static final double LN2_HI = 0.6931471803691238;    // high 32 bits of ln 2: k * LN2_HI is exact
    private static final double LN2_LO = 1.9082149292705877e-10;
    private static final double MIN_NORMAL_ARG = -708.0;
    private static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
    /** Taylor coefficients 1/12!, 1/11!, ..., 1/1!, 1/0! (Horner order). */
    private static final double[] C = {1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
        1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0};

    private VecExp() {}

    /** Lane-wise exp of t <= 0 (NaN-free input assumed). */
    static DoubleVector expNonPositive(DoubleVector t) {
        DoubleVector tc = t.max(MIN_NORMAL_ARG);
        DoubleVector kShifted = tc.mul(INV_LN2).add(SHIFT);          // k in the low bits
        DoubleVector kd = kShifted.sub(SHIFT);                        // k as a double
        DoubleVector r = kd.neg().fma(DoubleVector.broadcast(S, LN2_HI), tc);
        r = kd.neg().fma(DoubleVector.broadcast(S, LN2_LO), r);
        DoubleVector p = DoubleVector.broadcast(S, C[0]);
        for (int i = 1; i < C.length; i++) {   // a loop, not 12 statements: keeps the method small
            p = p.fma(r, DoubleVector.broadcast(S, C[i]));   // enough for C2 to inline it (a vector
        }                                                    // returned from a call that is not inlined is boxed)
        // 2^k: k (two's complement) = bits(kShifted) - bits(SHIFT); add k << 52 to p's exponent.
        LongVector k = kShifted.reinterpretAsLongs().sub(SHIFT_BITS);
        LongVector bits = p.reinterpretAsLongs().add(k.lanewise(VectorOperators.LSHL, 52));
        // Lanes with t < MIN_NORMAL_ARG become +0.0 without a mask (JDK 17 on x86 has no masked compare or
        // blend for 2-lane doubles, so a mask boxed this whole method on 128-bit vectors): t - MIN_NORMAL_ARG
        // is negative exactly then (exact for |t| in [354, 1416] by Sterbenz's lemma, far from 0 outside), and
        // its sign bit, spread over the lane by an arithmetic shift, clears every bit of the result.
        LongVector below = t.sub(MIN_NORMAL_ARG).reinterpretAsLongs().lanewise(VectorOperators.ASHR, 63);
        return bits.lanewise(VectorOperators.AND_NOT, below).reinterpretAsDoubles();
    }

    /** Scalar twin, the same operations in the same order (for tails and tests). */
    static double expNonPositive(double t) {
        if (t < MIN_NORMAL_ARG) {
            return 0.0;
        }
        double kShifted = t * INV_LN2 + SHIFT;
        double kd = kShifted - SHIFT;
        double r = Math.fma(-kd, LN2_HI, t);
        r = Math.fma(-kd, LN2_LO, r);
        double p = C[0];
        for (int i = 1; i < C.length; i++) {
            p = Math.fma(p, r, C[i]);
        }
        long k = Double.doubleToRawLongBits(kShifted) - SHIFT_BITS;
        return Double.longBitsToDouble(Double.doubleToRawLongBits(p) + (k << 52));
    }
}
