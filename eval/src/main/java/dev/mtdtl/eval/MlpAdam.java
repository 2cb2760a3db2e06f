package dev.mtdtl.eval;

import dev.mtdtl.tensor.cpu.GemmKernel;
import jdk.incubator.vector.DoubleVector;
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
 * <p>How: the moments are float vectors of the GEMM kernel's shape. The step runs on blocks of {@link #BLK}
 * elements: the moments are widened into a double scratch by a scalar loop (float to double is exact), the
 * step is formed with 256-bit double vectors (mul, sqrt, add, div: IEEE, lane by lane, no FMA, so each element
 * gets the scalar expression's bits), and a scalar loop narrows it (round to nearest even) and subtracts it.
 * MlpBitsTest pins the bits.
 *
 * <p>Why 256-bit doubles, and no castShape: the factor models' double kernels are 256-bit (their bits are
 * defined there), and a second double shape in one JVM makes C2 box the kernels compiled after it (the JDK's
 * shared call sites turn bimorphic): with this step in 512-bit doubles (castShape of each float vector into
 * two) an ALS sweep after an MLP took 6x longer, and a study unit runs both. Widening
 * by castShape into four 256-bit parts was slower than scalar code (C2 does not intrinsify those parts).
 * Measured (bench/RESULTS.md, "One vector shape per JVM"): the MLP epoch 32 -> 36-37 ms against the 512-bit
 * step (n = 5,000, d = 512, 2 threads), and the quickstart's evaluation step 88.5 -> 74.8 s (WMF 27.4 -> 6.4 s,
 * the MLP tasks 60.5 -> 68.1 s).
 */
final class MlpAdam {

    private static final VectorSpecies<Float> F = GemmKernel.SPECIES;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
    private static final int DL = D.length();   // 4
    /** Elements per block of the double step: two 8 KB scratch arrays per thread. */
    private static final int BLK = 1024;
    /** The moments of one block in double: m (BLK), then v (BLK); m becomes the step. */
    private static final ThreadLocal<double[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new double[][] {new double[BLK], new double[BLK]});
    private static final int L = F.length();

    private MlpAdam() {}

    /** One step on p[from, to) with gradients g and moments mo, ve over the same range. */
    static void step(float[] p, float[] g, float[] mo, float[] ve, int from, int to, double lrT) {
        double[][] sc = SCRATCH.get();
        double[] md = sc[0];
        double[] vd = sc[1];
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
        for (int b = from; b < to; b += BLK) {
            int len = Math.min(BLK, to - b);
            for (int t = 0; t < len; t++) {
                md[t] = mo[b + t];
                vd[t] = ve[b + t];
            }
            int t = 0;
            for (; t + DL <= len; t += DL) {
                DoubleVector.fromArray(D, md, t).mul(lrT).div(DoubleVector.fromArray(D, vd, t).sqrt().add(1e-8))
                        .intoArray(md, t);
            }
            for (; t < len; t++) {
                md[t] = lrT * md[t] / (Math.sqrt(vd[t]) + 1e-8);
            }
            for (t = 0; t < len; t++) {
                p[b + t] -= (float) md[t];
            }
        }
    }
}
