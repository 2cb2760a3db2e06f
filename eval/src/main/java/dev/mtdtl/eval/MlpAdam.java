package dev.mtdtl.eval;

import dev.mtdtl.tensor.cpu.GemmKernel;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The MLP's Adam step on a range of one parameter array, in the MLP's own arithmetic (it predates the engine's
 * {@code AdamCpu}, which follows PyTorch): moments in float, the step in double,
 * <pre>
 *   m = 0.9f·m + 0.1f·g;   v = 0.999f·v + (0.001f·g)·g;   p -= (float) (lrT·m / (sqrt(v) + 1e-8))
 * </pre>
 * with lrT = lr·sqrt(1 - 0.999^t)/(1 - 0.9^t) (sklearn's bias-corrected step size).
 *
 * <p>Why the Vector API: C2 on JDK 17 vectorises no loop that mixes float and double, and its scalar
 * conversions cost 0.49 ns (widen) + 0.35 ns (narrow) an element even in loops of their own. Here a float
 * vector of the GEMM kernel's shape is widened into two double vectors of the same bit size ({@code castShape}
 * parts 0 and 1: vcvtps2pd), the step formed in double, narrowed back (parts 0 and -1, joined by a blend).
 * Same-size casts are what C2 intrinsifies; casting into parts of a narrower double shape was slower than
 * scalar code. The double shape is the engine's one double shape (the preferred one, which the factor models
 * use too: bench VectorShapesTest says why there may be only one).
 *
 * <p>Bits: the conversions are IEEE's (float to double exact, double to float round-to-nearest-even,
 * denormals and signed zeros kept) and the double operations (mul, sqrt, add, div: no FMA) are the scalar
 * expression's lane by lane, so each element gets the scalar loop's bits; MlpBitsTest pins them. When the
 * float shape differs from the double one (Gemm's {@code -Dmtdtl.vectorBits} test switch), the scalar loop runs.
 */
final class MlpAdam {

    private static final VectorSpecies<Float> F = GemmKernel.SPECIES;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Whether a float vector widens into exactly two double vectors of D. */
    private static final boolean CASTS = F.vectorBitSize() == D.vectorBitSize();
    /** Lanes of F's upper half (where part 1 of the doubles goes back). */
    private static final VectorMask<Float> HI =
            VectorMask.fromLong(F, ((1L << F.length()) - 1) & ~((1L << (F.length() / 2)) - 1));
    private static final int L = F.length();

    private MlpAdam() {}

    /** One step on p[from, to) with gradients g and moments mo, ve over the same range. */
    static void step(float[] p, float[] g, float[] mo, float[] ve, int from, int to, double lrT) {
        int i = from;
        for (int up = CASTS ? from + (to - from) / L * L : from; i < up; i += L) {
            FloatVector gv = FloatVector.fromArray(F, g, i);
            FloatVector m = FloatVector.fromArray(F, mo, i).mul(0.9f).add(gv.mul(0.1f));
            FloatVector v = FloatVector.fromArray(F, ve, i).mul(0.999f).add(gv.mul(0.001f).mul(gv));
            m.intoArray(mo, i);
            v.intoArray(ve, i);
            DoubleVector m0 = (DoubleVector) m.castShape(D, 0);
            DoubleVector v0 = (DoubleVector) v.castShape(D, 0);
            DoubleVector m1 = (DoubleVector) m.castShape(D, 1);
            DoubleVector v1 = (DoubleVector) v.castShape(D, 1);
            FloatVector s0 = (FloatVector) m0.mul(lrT).div(v0.sqrt().add(1e-8)).castShape(F, 0);
            FloatVector s1 = (FloatVector) m1.mul(lrT).div(v1.sqrt().add(1e-8)).castShape(F, -1);
            FloatVector.fromArray(F, p, i).sub(s0.blend(s1, HI)).intoArray(p, i);
        }
        for (; i < to; i++) {
            mo[i] = 0.9f * mo[i] + 0.1f * g[i];
            ve[i] = 0.999f * ve[i] + 0.001f * g[i] * g[i];
            p[i] -= (float) (lrT * mo[i] / (Math.sqrt(ve[i]) + 1e-8));
        }
    }
}
