package dev.mtdtl.eval;

/**
 * The MLP's Adam step on a range of one parameter array, in the MLP's own arithmetic (it predates the engine's
 * {@code AdamCpu}, which follows PyTorch): moments in float, the step in double,
 * <pre>
 *   m = 0.9f·m + 0.1f·g;   v = 0.999f·v + (0.001f·g)·g;   p -= (float) (lrT·m / (sqrt(v) + 1e-8))
 * </pre>
 * with lrT = lr·sqrt(1 - 0.999^t)/(1 - 0.9^t) (sklearn's bias-corrected step size).
 *
 * <p>Why in blocks of four loops: written as one loop, C2 (JDK 17) vectorises none of it, because of the
 * float/double conversions, and the scalar double sqrt and division cost about 4 ns an element (20 ms of an
 * epoch of the (256, 256) MLP on 512-d inputs). Split, the float loop and the double loop vectorise and only
 * the conversions stay scalar: 2.2x faster on one core, with the same operations on every element, so the
 * same bits. (The Vector API's float-to-double casts are not intrinsified on JDK 17: 10x slower still.)
 */
final class MlpAdam {

    /** Elements per block: the two double scratch lines stay in L1. */
    static final int BLOCK = 512;

    private MlpAdam() {}

    /** Scratch for one caller of {@link #step}: two lines of {@link #BLOCK} doubles. */
    static double[] scratch() {
        return new double[2 * BLOCK];
    }

    /** One step on p[from, to) with gradients g and moments mo, ve over the same range. */
    static void step(float[] p, float[] g, float[] mo, float[] ve, int from, int to, double lrT, double[] s) {
        for (int s0 = from; s0 < to; s0 += BLOCK) {
            int len = Math.min(to, s0 + BLOCK) - s0;
            for (int i = s0; i < s0 + len; i++) {
                mo[i] = 0.9f * mo[i] + 0.1f * g[i];
                ve[i] = 0.999f * ve[i] + 0.001f * g[i] * g[i];
            }
            for (int i = 0; i < len; i++) {
                s[i] = mo[s0 + i];
                s[BLOCK + i] = ve[s0 + i];
            }
            for (int i = 0; i < len; i++) {
                s[i] = lrT * s[i] / (Math.sqrt(s[BLOCK + i]) + 1e-8);
            }
            for (int i = 0; i < len; i++) {
                p[s0 + i] -= (float) s[i];
            }
        }
    }
}
