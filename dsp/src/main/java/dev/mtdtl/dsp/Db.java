package dev.mtdtl.dsp;

import dev.mtdtl.tensor.ColdStart;
import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decibel conversion as librosa's {@code power_to_db} / {@code amplitude_to_db} with ref = 1:
 * {@code factor * log10(max(x, amin))} with factor 10 for power and 20 for amplitude, then the
 * optional top_db clip {@code max(db, max(db) - topDb)} where the maximum is over the whole range
 * given (the paper's code passes the whole stereo file, so both channels share one ceiling).
 *
 * <p>The log: {@link Math#log10} costs ~26 ns here (not intrinsified for this use), as much as the FFT
 * per value, so {@link #log10} evaluates it from the float's exponent and an atanh series of the
 * mantissa, in double: x = m 2^e with m in [sqrt(1/2), sqrt(2)), s = (m-1)/(m+1), z = s^2,
 * ln m = 2 s (1 + z/3 + z^2/5 + ... + z^5/11); the first omitted term is below z^6/13 &lt; 5e-11 relative
 * (|s| &lt;= 0.1716), so the result is within ~1e-10 of log10(x) and the float dB value is correctly
 * rounded or one ulp off. The hot path ({@link #toDbInPlace}) runs the same series in float lanes of
 * the Vector API (4 terms, e ln 2 split Cody-Waite style into an exact high part and a small low
 * part): a few float ulps of the dB value (abs error ~1e-5 dB at -100 dB), far inside the fixtures'
 * 1e-5 relative tolerance. Omitted: ref other than 1 (a constant shift), callable refs.
 */
public final class Db {

    private Db() {}

    /** x[off, off+len) := factor * log10(max(x, amin)), in place. factor 10 (power) or 20 (amplitude). */
    public static void toDb(float[] x, int off, int len, double factor, double amin) {
        Parallel.forChunks(len, 1 << 14, (c, from, to) -> {
            for (int i = off + from; i < off + to; i++) {
                x[i] = (float) (factor * log10((float) Math.max(x[i], amin)));
            }
        });
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    private static final float LN2_HI = 0.693145751953125f;        // 0x3F317200: e * LN2_HI is exact
    private static final float LN2_LO = 1.42860682030941723212e-6f; // ln 2 - LN2_HI
    private static final double LN2 = StrictMath.log(2.0);
    private static final double INV_LN10 = 1.0 / StrictMath.log(10.0);
    private static final float SQRT2 = (float) Math.sqrt(2.0);

    /**
     * log10(x) for a positive, finite, normal float (absolute error ~1e-10; see the class comment).
     * Anything else (zero, subnormal, infinite, NaN) goes to {@link Math#log10}.
     */
    public static double log10(float x) {
        int bits = Float.floatToRawIntBits(x);
        int e = (bits >>> 23) - 127;
        if (e == -127 || e == 128 || bits < 0) {
            return StrictMath.log10(x);
        }
        float mf = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);   // mantissa in [1, 2)
        if (mf > SQRT2) {
            mf *= 0.5f;   // exact
            e++;
        }
        double m = mf;
        double s = (m - 1) / (m + 1);
        double z = s * s;
        double series = 1 + z * (1.0 / 3 + z * (1.0 / 5 + z * (1.0 / 7 + z * (1.0 / 9 + z * (1.0 / 11)))));
        return (e * LN2 + 2 * s * series) * INV_LN10;
    }

    /**
     * x[off, off+len) := factor * log10(max(x, amin)), in place, vectorised (see the class comment).
     * amin must be a positive normal float (1e-10 and 1e-5 are). Single-threaded: meant for one frame.
     */
    public static void toDbInPlace(float[] x, int off, int len, float factor, float amin) {
        float scale = (float) (factor / StrictMath.log(10.0));
        int i = 0;
        if (S.length() == SI.length()) {
            FloatVector vmin = FloatVector.broadcast(S, amin);
            int upper = S.loopBound(len);
            for (; i < upper; i += S.length()) {
                dbLanes(FloatVector.fromArray(S, x, off + i), vmin, scale).intoArray(x, off + i);
            }
        }
        for (; i < len; i++) {
            x[off + i] = (float) (factor * log10(Math.max(x[off + i], amin)));
        }
    }

    /**
     * x[off, off+len) := factor * log10(max(x, amin)), in place, every value by the vector arithmetic of
     * {@link #dbLanes} (the tail too, through a padded vector): the dB of {@link LaneMel}'s frames, whose bits must
     * not depend on where a frame's values fall in the lanes. amin as in {@link #toDbInPlace}. Single-threaded.
     */
    static void toDbLanes(float[] x, int off, int len, float factor, float amin) {
        float scale = (float) (factor / StrictMath.log(10.0));
        if (COLD.scalar(len)) {
            for (int i = off; i < off + len; i++) {
                x[i] = dbScalar(x[i], amin, scale);
            }
            return;
        }
        FloatVector vmin = FloatVector.broadcast(S, amin);
        int i = 0;
        int upper = S.loopBound(len);
        for (; i < upper; i += S.length()) {
            dbLanes(FloatVector.fromArray(S, x, off + i), vmin, scale).intoArray(x, off + i);
        }
        if (i < len) {   // (len % L values: only when the frames' mel count is not a multiple of the lanes)
            float[] tail = new float[S.length()];
            java.util.Arrays.fill(tail, 1f);
            System.arraycopy(x, off + i, tail, 0, len - i);
            dbLanes(FloatVector.fromArray(S, tail, 0), vmin, scale).intoArray(tail, 0);
            System.arraycopy(tail, 0, x, off + i, len - i);
        }
    }

    /**
     * scale * ln(max(v, vmin)) lane by lane, any species (scale = factor / ln 10): the vector path of
     * {@link #toDbInPlace} and of {@link #toDbLanes}.
     */
    static FloatVector dbLanes(FloatVector v, FloatVector vmin, float scale) {
        v = v.max(vmin);
        IntVector bits = v.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
        FloatVector m = bits.and(0x007FFFFF).or(0x3F800000).reinterpretAsFloats();   // [1, 2)
        VectorMask<Float> big = m.compare(VectorOperators.GT, SQRT2);
        m = m.blend(m.mul(0.5f), big);
        e = e.blend(e.add(1), big.cast(bits.species()));
        FloatVector ef = (FloatVector) e.convert(VectorOperators.I2F, 0);
        FloatVector sv = m.sub(1f).div(m.add(1f));
        FloatVector z = sv.mul(sv);
        VectorSpecies<Float> sp = v.species();
        FloatVector poly = z.fma(1f / 9, 1f / 7).fma(z, FloatVector.broadcast(sp, 1f / 5))
                .fma(z, FloatVector.broadcast(sp, 1f / 3)).fma(z, FloatVector.broadcast(sp, 1f));
        FloatVector lnm = sv.mul(2f).mul(poly);
        FloatVector ln = ef.fma(FloatVector.broadcast(sp, LN2_LO), lnm).add(ef.mul(LN2_HI));
        return ln.mul(scale);
    }

    /**
     * Values a JVM converts by {@link #dbScalar} first ({@link ColdStart}): 720,896, the mel values of about 32 s of
     * stereo audio at the paper's settings (a 30 s preview is 661,504).
     */
    private static final ColdStart COLD = new ColdStart(352 * 16 * 128);

    /**
     * One lane of {@link #dbLanes} in scalar code: the same float operations in the same order (the exponent and
     * mantissa from the bits, the halving above sqrt 2, the Horner FMAs, the Cody-Waite sum), so the same bits.
     */
    static float dbScalar(float x, float vmin, float scale) {
        float v = Math.max(x, vmin);
        int bits = Float.floatToRawIntBits(v);
        int e = (bits >>> 23) - 127;
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        if (m > SQRT2) {
            m = m * 0.5f;
            e = e + 1;
        }
        float ef = e;
        float sv = (m - 1f) / (m + 1f);
        float z = sv * sv;
        float poly = Math.fma(Math.fma(Math.fma(Math.fma(z, 1f / 9, 1f / 7), z, 1f / 5), z, 1f / 3), z, 1f);
        float lnm = sv * 2f * poly;
        float ln = Math.fma(ef, LN2_LO, lnm) + ef * LN2_HI;
        return ln * scale;
    }

    /** x := max(x, max(x) - topDb) over [off, off+len); no-op for an infinite topDb. */
    public static void clipTopDb(float[] x, int off, int len, double topDb) {
        if (Double.isInfinite(topDb) || len == 0) {
            return;
        }
        float mx = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) {
            mx = Math.max(mx, x[i]);
        }
        // librosa: np.maximum(log_spec, log_spec.max() - top_db), evaluated in the array's dtype.
        float floor = (float) (mx - topDb);
        for (int i = off; i < off + len; i++) {
            if (x[i] < floor) {
                x[i] = floor;
            }
        }
    }
}
