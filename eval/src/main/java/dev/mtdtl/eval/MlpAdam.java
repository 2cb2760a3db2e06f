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
 * the GEMM kernel's shape is widened into 256-bit double vectors ({@code castShape} parts 0 .. P-1:
 * vcvtps2pd), the step formed in double, narrowed back (parts 0 .. -(P-1), joined by blends). Two rules keep
 * C2 intrinsifying it: one shape per element type in the process (floats: the kernel's; doubles: the factor
 * models' 256 bits; a second shape makes the JDK's shared call sites bimorphic, and then even plain vector
 * stores in the GEMM epilogues fall back to Java, 10x slower), and castShape, not convertShape. The
 * conversions are IEEE's (float to double exact, double to float round-to-nearest-even, denormals and signed
 * zeros kept), the
 * operations the scalar ones lane by lane, so the bits are the scalar loop's (checked on 199k random
 * elements with gradients down to 1e-45, ±0 gradients and weights, 100 steps; and by MlpBitsTest).
 */
final class MlpAdam {

    private static final VectorSpecies<Float> F = GemmKernel.SPECIES;
    /**
     * The factor models' double shape (their bits are defined at 256 bits, factor/Linalg): a second double
     * shape here made C2 see two DoubleVector classes at the JDK's shared call sites, and an ALS sweep run
     * after an MLP took 6x longer (bench/RESULTS.md, "One vector shape per JVM").
     */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
    private static final int L = F.length();
    /** Double vectors per float vector: 4 on AVX-512 (16 floats, 4 doubles). */
    private static final int P = Math.max(1, L / D.length());
    /** PART[k]: the float lanes that part k of the doubles goes back to. */
    private static final VectorMask<Float>[] PART = parts();

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] parts() {
        VectorMask<Float>[] m = new VectorMask[P];
        int dl = Math.min(L, D.length());
        for (int k = 0; k < P; k++) {
            m[k] = VectorMask.fromLong(F, ((1L << dl) - 1) << (k * dl));
        }
        return m;
    }

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
            FloatVector st = FloatVector.zero(F);
            for (int k = 0; k < P; k++) {
                DoubleVector mk = (DoubleVector) m.castShape(D, k);
                DoubleVector vk = (DoubleVector) v.castShape(D, k);
                FloatVector sk = (FloatVector) mk.mul(lrT).div(vk.sqrt().add(1e-8)).castShape(F, -k);
                st = st.blend(sk, PART[k]);
            }
            FloatVector.fromArray(F, p, i).sub(st).intoArray(p, i);
        }
        for (; i < to; i++) {
            mo[i] = 0.9f * mo[i] + 0.1f * g[i];
            ve[i] = 0.999f * ve[i] + 0.001f * g[i] * g[i];
            p[i] -= (float) (lrT * mo[i] / (Math.sqrt(ve[i]) + 1e-8));
        }
    }
}
