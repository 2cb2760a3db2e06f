package dev.mtdtl.eval;

import dev.mtdtl.tensor.cpu.GemmKernel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The MLP's Adam step on a range of one parameter array, in the MLP's own arithmetic (it predates the engine's
 * {@code AdamCpu}, which follows PyTorch): moments in float, the step in double,
 * <pre>
 *   m = 0.9f·m + 0.1f·g;   v = 0.999f·v + (0.001f·g)·g;   p -= (float) (lrT·m / (sqrt(v) + 1e-8))
 * </pre>
 * with lrT = lr·sqrt(1 - 0.999^t)/(1 - 0.9^t) (sklearn's bias-corrected step size).
 *
 * <p>The moments are float vectors; the step is a scalar double loop (about 1.6 ns an element: C2 on JDK 17
 * vectorises no loop that mixes float and double). A Vector API step widened the floats into 512-bit doubles
 * (castShape parts 0 and 1, 0.76 ns an element), but the factor models use 256-bit doubles, and a second double
 * shape in one JVM makes C2 box the other's kernels: an ALS sweep after an MLP took 6x longer, and a study
 * unit runs both (bench/RESULTS.md, "One vector shape per JVM"). 256-bit doubles here (four castShape parts)
 * were no faster than the scalar loop. Cost of the scalar step: the MLP's epoch 34 -> 40-41 ms (n = 5,000,
 * d = 512, 2 threads); gain: the evaluation step of the quickstart 87.4 -> 83.6 s (recommendation, i.e. WMF,
 * 27.4 -> 7.0 s). The bits are the scalar loop's, as before (MlpBitsTest).
 */
final class MlpAdam {

    private static final VectorSpecies<Float> F = GemmKernel.SPECIES;
    private static final int L = F.length();

    private MlpAdam() {}

    /** One step on p[from, to) with gradients g and moments mo, ve over the same range. */
    static void step(float[] p, float[] g, float[] mo, float[] ve, int from, int to, double lrT) {
        int i = from;
        for (int up = from + (to - from) / L * L; i < up; i += L) {
            FloatVector gv = FloatVector.fromArray(F, g, i);
            FloatVector.fromArray(F, mo, i).mul(0.9f).add(gv.mul(0.1f)).intoArray(mo, i);
            FloatVector.fromArray(F, ve, i).mul(0.999f).add(gv.mul(0.001f).mul(gv)).intoArray(ve, i);
        }
        for (; i < to; i++) {
            mo[i] = 0.9f * mo[i] + 0.1f * g[i];
            ve[i] = 0.999f * ve[i] + 0.001f * g[i] * g[i];
        }
        for (int j = from; j < to; j++) {     // the step in double, scalar (see the class comment)
            p[j] -= (float) (lrT * mo[j] / (Math.sqrt(ve[j]) + 1e-8));
        }
    }
}
