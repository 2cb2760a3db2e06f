package dev.mtdtl.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The natural logarithm with {@code StrictMath.log}'s bits, as Java code the JIT inlines, one double at a time
 * or an array of them in vector lanes (lane-wise, so the same bits at every width).
 *
 * <p>Why: results must not depend on the platform (docs/portability.md), so result code calls
 * {@code StrictMath.log}, the fdlibm algorithm. On JDK 17 that is a native call, 11-12 ns against 6-7 for
 * {@code Math.log}'s intrinsic, and it cannot run in vector lanes: a pLSA EM iteration paid 11 % and a GMM
 * one 7 % for it (bench/RESULTS.md, "Portability, session 42"). This class is the same algorithm, the same
 * constants, the same IEEE operations in the same order; Java evaluates each double operation with one
 * rounding and never fuses a multiply into an add, so every result equals {@code StrictMath.log}'s (the
 * tests compare millions of arguments, every binade, every branch boundary and every special value included).
 *
 * <p>The method (fdlibm's {@code e_log.c}, Sun Microsystems 1993): write x = 2^k (1 + f) with 1 + f in
 * [sqrt(2)/2, sqrt(2)), so -0.2929 <= f < 0.4142. Then log x = k ln 2 + log(1 + f), and with s = f / (2 + f)
 * (|s| <= 0.1716), log(1 + f) = log(1 + s) - log(1 - s) = 2s + 2s^3/3 + 2s^5/5 + ... = 2s + s R, where R is
 * a polynomial Lg1 z + ... + Lg7 z^7 in z = s^2 fitted by Remez over |s| <= 0.1716 (|error| < 2^-58.45).
 * Since 2s = f - s f, log(1 + f) = f - s (f - R), or, equal in exact arithmetic, f - (hfsq - s (hfsq + R))
 * with hfsq = f^2 / 2; k ln 2 is split into ln2_hi (its top 32 bits, so k ln2_hi is exact for |k| < 2^11) plus
 * ln2_lo. When 1 + f lies in [1.38, 1.42] (the mantissa's top 20 bits between 0x6147a and 0x6b851) the hfsq
 * form is the one fdlibm takes, elsewhere the other; for |f| < 2^-20, a third-order series f - f^2 (1/2 - f/3).
 * fdlibm returns f - (...) itself when k = 0; that equals the general k ln2_hi - ((...) - f) bit for bit for
 * finite values (0 x ln 2 is +0, 0 - y = -y exactly, and IEEE subtraction is antisymmetric), so one formula
 * serves every k, and the vector code needs only the two branch selections.
 *
 * <p>Range: positive normal finite arguments run the formula; subnormals (scaled by 2^54 first), zeros,
 * negatives, infinities and NaNs take fdlibm's special results (-inf, NaN, +inf, NaN). In vector code such
 * lanes are rare, so a vector holding any goes through the scalar code lane by lane.
 */
public final class StrictLog {

    /** The vector shape of the array method: the platform's preferred doubles. */
    public static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    private static final double LN2_HI = 6.93147180369123816490e-01;   // 0x3fe62e42_fee00000
    private static final double LN2_LO = 1.90821492927058770002e-10;   // 0x3dea39ef_35793c76
    private static final double TWO54 = 1.80143985094819840000e+16;    // 2^54
    private static final double LG1 = 6.666666666666735130e-01;        // 0x3fe55555_55555593
    private static final double LG2 = 3.999999999940941908e-01;        // 0x3fd99999_9997fa04
    private static final double LG3 = 2.857142874366239149e-01;        // 0x3fd24924_94229359
    private static final double LG4 = 2.222219843214978396e-01;        // 0x3fcc71c5_1d8e78af
    private static final double LG5 = 1.818357216161805012e-01;        // 0x3fc74664_96cb03de
    private static final double LG6 = 1.531383769920937332e-01;        // 0x3fc39a09_d078c69f
    private static final double LG7 = 1.479819860511658591e-01;        // 0x3fc2f112_df3e5244
    private static final double THIRD = 0.33333333333333333;
    private static final double SHIFT = 0x1.8p52;
    private static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);

    /** The bits of 2^-1022, the smallest positive normal double. */
    private static final long MIN_NORMAL_BITS = 0x0010_0000_0000_0000L;
    /** Positive normal finite bits minus MIN_NORMAL_BITS lie in [0, NORMAL_SPAN). */
    private static final long NORMAL_SPAN = 0x7ff0_0000_0000_0000L - MIN_NORMAL_BITS;

    private StrictLog() {}

    /** log(x), bit for bit {@code StrictMath.log(x)}. Small enough for C2 to inline into hot loops. */
    public static double log(double x) {
        long bits = Double.doubleToRawLongBits(x);
        if (bits - MIN_NORMAL_BITS < 0 || bits - MIN_NORMAL_BITS >= NORMAL_SPAN) {
            return special(x);
        }
        return normal(bits, 0);
    }

    /** x that is not a positive normal double. */
    private static double special(double x) {
        long bits = Double.doubleToRawLongBits(x);
        if ((bits & Long.MAX_VALUE) == 0) {
            return Double.NEGATIVE_INFINITY;     // log(+-0)
        }
        if (bits < 0) {
            return Double.NaN;                   // log of a negative number, -inf included
        }
        if (bits >= 0x7ff0_0000_0000_0000L) {
            return x + x;                        // +inf, or NaN (kept)
        }
        return normal(Double.doubleToRawLongBits(x * TWO54), -54);   // subnormal, scaled up exactly
    }

    /** log(2^k0 x) for the bits of a positive normal x. */
    private static double normal(long bits, int k0) {
        int hx = (int) (bits >>> 32);
        int k = k0 + (hx >> 20) - 1023;
        hx &= 0x000f_ffff;
        // i = 0x100000 when the mantissa is at least sqrt(2)'s (0x6a09e + 0x95f64 carries into bit 20): then
        // the exponent of 1 + f becomes 0x3fe (1 + f in [sqrt(2)/2, 1)) and k grows by one.
        int i = (hx + 0x95f64) & 0x10_0000;
        double xn = Double.longBitsToDouble(((long) (hx | (i ^ 0x3ff0_0000)) << 32) | (bits & 0xffff_ffffL));
        k += i >> 20;
        double f = xn - 1.0;
        double dk = k;
        if ((0x000f_ffff & (2 + hx)) < 3) {          // |f| < 2^-20
            double r = f * f * (0.5 - THIRD * f);
            return dk * LN2_HI - ((r - dk * LN2_LO) - f);
        }
        double s = f / (2.0 + f);
        double z = s * s;
        double w = z * z;
        double r = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7))) + w * (LG2 + w * (LG4 + w * LG6));
        if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {   // hx in [0x6147a, 0x6b851]
            double hfsq = 0.5 * f * f;
            return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
        }
        return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
    }

    /**
     * y[yOff + i] = log(x[xOff + i]) for i in [0, n), bit for bit {@code StrictMath.log}, {@link #S}'s lanes at a
     * time. An array method, not a vector-to-vector one: the body is too large for C2 to inline into a caller,
     * and a vector returned from a call that is not inlined is boxed. All three formulas run on every lane and
     * bitwise selections pick each lane's; a vector with a lane that is not a positive normal double, and the
     * last n mod lanes, take {@link #log(double)}.
     */
    public static void log(double[] x, int xOff, double[] y, int yOff, int n) {
        int nl = S.length();
        int i = 0;
        for (; i + nl <= n; i += nl) {
            LongVector bits = DoubleVector.fromArray(S, x, xOff + i).reinterpretAsLongs();
            // u in [0, NORMAL_SPAN) for positive normal finite lanes; otherwise u or NORMAL_SPAN - 1 - u is
            // negative (negative doubles and -0 wrap to u >= NORMAL_SPAN): one OR over the lanes tests them all.
            LongVector u = bits.sub(MIN_NORMAL_BITS);
            if (u.or(u.neg().add(NORMAL_SPAN - 1)).reduceLanes(VectorOperators.OR) < 0) {
                for (int l = 0; l < nl; l++) {
                    y[yOff + i + l] = log(x[xOff + i + l]);
                }
                continue;
            }
            LongVector hi = bits.lanewise(VectorOperators.LSHR, 32);          // the high words, as longs
            LongVector hx = hi.and(0x000f_ffffL);
            LongVector ix = hx.add(0x95f64L).and(0x10_0000L);
            LongVector k = hi.lanewise(VectorOperators.LSHR, 20).sub(1023L).add(ix.lanewise(VectorOperators.LSHR, 20));
            LongVector nHi = hx.or(ix.lanewise(VectorOperators.XOR, 0x3ff0_0000L));
            DoubleVector f = nHi.lanewise(VectorOperators.LSHL, 32).or(bits.and(0xffff_ffffL)).reinterpretAsDoubles()
                .sub(1.0);
            // k as a double without a long-to-double conversion (AVX2 has none in vector form): 1.5 * 2^52 + k
            // is exact for |k| < 2^51, and so is subtracting 1.5 * 2^52 again.
            DoubleVector dk = k.add(SHIFT_BITS).reinterpretAsDoubles().sub(SHIFT);
            DoubleVector kHi = dk.mul(LN2_HI);
            DoubleVector kLo = dk.mul(LN2_LO);
            DoubleVector s = f.div(f.add(2.0));
            DoubleVector z = s.mul(s);
            DoubleVector w = z.mul(z);
            // r = t2 + t1 as in the scalar code (each product and sum in the same order; IEEE + and x commute)
            DoubleVector r = z.mul(w.mul(w.mul(w.mul(LG7).add(LG5)).add(LG3)).add(LG1))
                .add(w.mul(w.mul(w.mul(LG6).add(LG4)).add(LG2)));
            DoubleVector hfsq = f.mul(0.5).mul(f);
            DoubleVector near = kHi.sub(hfsq.sub(s.mul(hfsq.add(r)).add(kLo)).sub(f));
            DoubleVector far = kHi.sub(s.mul(f.sub(r)).sub(kLo).sub(f));
            DoubleVector rs = f.mul(f).mul(f.broadcast(0.5).sub(f.mul(THIRD)));
            DoubleVector small = kHi.sub(rs.sub(kLo).sub(f));
            // Each lane's formula picked without VectorMask (JDK 17's C2 boxes masks of 2-lane longs, the
            // 128-bit shape of NEON): a sign bit spread over the lane by an arithmetic shift selects bitwise.
            // farSel: all ones unless hx is in [0x6147a, 0x6b851] (then (hx - 0x6147a) | (0x6b851 - hx) >= 0);
            // smallSel: all ones when the mantissa's top 20 bits are 0xffffe, 0xfffff or 0 (|f| < 2^-20).
            LongVector farSel = hx.sub(0x6147aL).or(hx.neg().add(0x6b851L)).lanewise(VectorOperators.ASHR, 63);
            LongVector smallSel = hx.add(2L).and(0x000f_ffffL).sub(3L).lanewise(VectorOperators.ASHR, 63);
            LongVector main = far.reinterpretAsLongs().and(farSel)
                .or(near.reinterpretAsLongs().lanewise(VectorOperators.AND_NOT, farSel));
            main.lanewise(VectorOperators.AND_NOT, smallSel).or(small.reinterpretAsLongs().and(smallSel))
                .reinterpretAsDoubles().intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = log(x[xOff + i]);
        }
    }
}
