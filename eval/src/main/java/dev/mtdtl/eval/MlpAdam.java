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
 * <p>Why Vector API: C2 on JDK 17 vectorises no loop that mixes float and double, and a scalar element
 * costs ~1.6 ns even split into float and double loops (the conversions stay scalar). Here a float vector of
 * the GEMM kernel's shape is widened into two double vectors of the same shape ({@code castShape} part 0 and
 * 1: vcvtps2pd), the step formed in double, narrowed back (part 0 and -1, joined by a blend): 0.76 ns an
 * element. Two rules keep C2 intrinsifying it: one float shape in the process (the kernel's: a second
 * float shape makes the JDK's shared call sites bimorphic, and then even plain vector stores in the GEMM
 * epilogues fall back to Java, 10x slower), and castShape, not convertShape.
 *
 * <p>Known cost, accepted for now: these 512-bit doubles are a second double shape beside the factor models'
 * 256-bit ones, so in a JVM that has run an MLP, the factor kernels compiled afterwards run boxed (an ALS sweep
 * 6x slower; bench/RESULTS.md, "One vector shape per JVM"). The alternatives were slower where it counts: a
 * scalar double step, or 256-bit double parts, made the MLP epoch 34 -> 40-45 ms, and the quickstart's
 * evaluation step (MLPs on four tasks, WMF on one) took 95.9-100.0 s against 87.4-89.8 s with this code (WMF
 * 7-8 s against 27 s, the MLP tasks 88-91 s against 60-63 s). The fix is the factor models at the preferred
 * double shape with their 256-bit summation order kept; {@code VectorShapesTest} lists this file as the one
 * exception to the one-shape rule until then. The conversions are IEEE's
 * (float to double exact, double to float round-to-nearest-even, denormals and signed zeros kept), the
 * operations the scalar ones lane by lane, so the bits are the scalar loop's (checked on 199k random
 * elements with gradients down to 1e-45, ±0 gradients and weights, 100 steps; and by MlpBitsTest).
 */
final class MlpAdam {

    private static final VectorSpecies<Float> F = GemmKernel.SPECIES;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    /** Lanes of F's upper half (where part 1 of the doubles goes back). */
    private static final VectorMask<Float> HI = VectorMask.fromLong(F, ((1L << F.length()) - 1) & ~((1L << D.length()) - 1));
    private static final int L = F.length();

    private MlpAdam() {}

    /** One step on p[from, to) with gradients g and moments mo, ve over the same range. */
    static void step(float[] p, float[] g, float[] mo, float[] ve, int from, int to, double lrT) {
        int i = from;
        for (int up = from + (to - from) / L * L; i < up; i += L) {
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
