package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One Adam step (Kingma and Ba, 2015) with coupled L2 weight decay, exactly as {@code torch.optim.Adam}
 * (NOT AdamW), on the slice {@code [off, off+len)} of flat parameter, gradient and moment arrays (the
 * ParamArena layout: one contiguous range per parameter group). Fixture {@code adam_3steps}.
 *
 * <pre>
 *   g' = g + wd p
 *   m  = b1 m + (1 - b1) g'
 *   v  = b2 v + (1 - b2) g'^2
 *   p  = p - lr/(1 - b1^t) * m / ( sqrt(v)/sqrt(1 - b2^t) + eps )     (eps added AFTER the bias correction)
 * </pre>
 *
 * <p>Hyper-parameters arrive as float, but 1 - beta2 must not inherit the float rounding of beta2:
 * 0.999f = 0.99900001287, so 1 - 0.999f is 1.3e-5 relative off 0.001 (beta2 near 1 amplifies the
 * rounding 1/(1 - beta2) times), which alone moves v by more than the fixture tolerance. PyTorch
 * holds them in double. We therefore read each beta as its shortest decimal form
 * ({@link Float#toString}), which is the literal the caller wrote (0.999f -> 0.999), and form
 * 1 - beta, the bias corrections and lr/(1 - b1^t) in double before rounding them once to float.
 *
 * <p>Element-wise, vectorised, parallel over fixed-size chunks: bits do not depend on the thread count.
 * Reads 16 and writes 12 bytes per parameter (p, g, m, v in; p, m, v out), about 14 FLOPs.
 *
 * <p>Omitted: amsgrad, maximize, decoupled decay (AdamW), per-element learning rates, gradient clipping.
 */
public final class AdamCpu {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /**
     * Elements per parallel chunk. One update is ~0.4 ns per element on one core (all 576,482 parameters
     * of the base CNN: ~0.4 ms of CPU, bench AdamMoments), so a 73,728-element tensor (conv5's weight) takes
     * ~30 us on one thread, about what waking a pool worker costs; on a machine busier than its core
     * count, a woken worker that is descheduled while holding a chunk stalls the whole call for a
     * scheduler time slice (the profiler saw conv4/conv5-weight updates of 10 to 20 ms under a load
     * average of 17). 2^18 keeps every tensor of the base CNN but conv61's weight (294,912) on the
     * calling thread. Element-wise, so the bits do not depend on the chunking.
     */
    private static final int GRAIN = 1 << 18;

    private AdamCpu() {}

    /**
     * @param p  params, [off, off+len) updated in place
     * @param g  gradients, [off, off+len) read (not modified)
     * @param m  first moment (exp_avg), updated in place; zero before step 1
     * @param v  second moment (exp_avg_sq), updated in place; zero before step 1
     * @param t  1-based step count of this parameter group
     */
    public static void step(float[] p, float[] g, float[] m, float[] v, int off, int len, int t,
                            float lr, float beta1, float beta2, float eps, float weightDecay) {
        check(p, g, m, v, off, len, -1);
        Coef c = Coef.of(t, lr, beta1, beta2, eps, weightDecay);
        Parallel.forChunks(len, GRAIN, (chunk, from, to) -> update(p, g, m, v, off + from, off + to, c));
    }

    /**
     * {@link #step} on whole arrays p[i], g[i], m[i], v[i] for [0, len[i]) each, all at step t, as one parallel loop
     * over their elements end to end ({@link EndToEnd}) in chunks of {@link #GRAIN_ALL}: a parameter group's tensors
     * (the base CNN has 34, 576,482 floats, all but one below {@link #GRAIN}) were as many calls, most run on the
     * calling thread alone. Element-wise, so the bits are those of the calls one by one.
     */
    public static void stepAll(float[][] p, float[][] g, float[][] m, float[][] v, int[] len, int t, float lr,
                               float beta1, float beta2, float eps, float weightDecay) {
        int k = len.length;
        if (p.length != k || g.length != k || m.length != k || v.length != k) {
            throw new IllegalArgumentException("adam: " + k + " lengths for " + p.length + " p, " + g.length + " g, "
                    + m.length + " m, " + v.length + " v");
        }
        for (int i = 0; i < k; i++) {
            check(p[i], g[i], m[i], v[i], 0, len[i], i);
        }
        long[] start = EndToEnd.starts(len, "adam");
        Coef c = Coef.of(t, lr, beta1, beta2, eps, weightDecay);
        EndToEnd.forPieces(start, GRAIN_ALL, (chunk, i, from, to) -> {
            update(p[i], g[i], m[i], v[i], from, to, c);
            return true;
        });
    }

    /** Elements per chunk of {@link #stepAll}: ~25 us of one core each, 9 chunks for the base CNN. */
    static final int GRAIN_ALL = 1 << 16;

    /**
     * [off, off + len) within p, g, m and v; tensor &gt;= 0 names the group's tensor in the message. The message is
     * built only on failure: this runs once per tensor and step, interpreted for a training run's first hundreds of
     * steps, where 34 string concatenations a step took ~0.1 ms (bench/RESULTS.md, session 33).
     */
    private static void check(float[] p, float[] g, float[] m, float[] v, int off, int len, int tensor) {
        long end = (long) off + len;
        if (off >= 0 && len >= 0 && p != null && g != null && m != null && v != null && p.length >= end
                && g.length >= end && m.length >= end && v.length >= end) {
            return;
        }
        Args.nonNegative("off", off);
        Args.nonNegative("len", len);
        String sh = "off+len (" + off + "+" + len + ")" + (tensor < 0 ? "" : " of tensor " + tensor);
        Args.lens(end, sh, "p g m v", p, g, m, v);
    }

    /**
     * The step's constants, from the hyper-parameters as float; 1 - beta, the bias corrections and lr / (1 - b1^t)
     * in double, rounded once (see the class comment).
     */
    private record Coef(float stepSize, float invSqrtBc2, float b1f, float omb1, float b2f, float omb2, float wd,
                        float eps) {
        static Coef of(int t, float lr, float beta1, float beta2, float eps, float weightDecay) {
            Args.positive("t", t);
            checkBeta("beta1", beta1);
            checkBeta("beta2", beta2);
            if (!(eps >= 0f) || !Float.isFinite(eps) || !Float.isFinite(lr) || !Float.isFinite(weightDecay)) {
                throw new IllegalArgumentException("need finite lr, weightDecay and eps >= 0, got lr=" + lr
                        + " eps=" + eps + " weightDecay=" + weightDecay);
            }
            Decimals d = Decimals.of(lr, beta1, beta2);
            double b1 = d.beta1();
            double b2 = d.beta2();
            double bc1 = 1.0 - StrictMath.pow(b1, t);
            double bc2 = 1.0 - StrictMath.pow(b2, t);
            return new Coef((float) (d.lr() / bc1), (float) (1.0 / Math.sqrt(bc2)), (float) b1, (float) (1.0 - b1),
                    (float) b2, (float) (1.0 - b2), weightDecay, eps);
        }
    }

    /**
     * lr, beta1 and beta2 as their decimal literals ({@link #decimal}), kept for the last hyper-parameters seen: a
     * training run steps with the same three every time, and {@code Float.toString} three times a step cost ~0.08 ms
     * while the step was still interpreted (the first hundreds of steps; bench/RESULTS.md, session 33).
     */
    private record Decimals(float lrF, float beta1F, float beta2F, double lr, double beta1, double beta2) {
        private static volatile Decimals last = new Decimals(Float.NaN, Float.NaN, Float.NaN, 0, 0, 0);

        static Decimals of(float lr, float beta1, float beta2) {
            Decimals d = last;
            if (Float.floatToRawIntBits(d.lrF) != Float.floatToRawIntBits(lr)
                    || Float.floatToRawIntBits(d.beta1F) != Float.floatToRawIntBits(beta1)
                    || Float.floatToRawIntBits(d.beta2F) != Float.floatToRawIntBits(beta2)) {
                d = new Decimals(lr, beta1, beta2, decimal(lr), decimal(beta1), decimal(beta2));
                last = d;
            }
            return d;
        }
    }

    /** The update of elements [from, to) of p, m and v from g: vectors, then the tail one by one (the same bits). */
    private static void update(float[] p, float[] g, float[] m, float[] v, int from, int to, Coef c) {
        final float wd = c.wd(), omb1 = c.omb1(), b1f = c.b1f(), omb2 = c.omb2(), b2f = c.b2f();
        final float invSqrtBc2 = c.invSqrtBc2(), epsF = c.eps(), stepSize = c.stepSize();
        int i = from;
        FloatVector wdv = FloatVector.broadcast(F, wd);
        FloatVector omb1v = FloatVector.broadcast(F, omb1);
        FloatVector negStep = FloatVector.broadcast(F, -stepSize);
        for (int upper = i + F.loopBound(to - from); i < upper; i += F.length()) {
            FloatVector pv = FloatVector.fromArray(F, p, i);
            FloatVector gv = pv.fma(wdv, FloatVector.fromArray(F, g, i));                 // g + wd p
            FloatVector mv = gv.fma(omb1v, FloatVector.fromArray(F, m, i).mul(b1f));      // (1-b1) g' + b1 m
            FloatVector vv = gv.mul(omb2).fma(gv, FloatVector.fromArray(F, v, i).mul(b2f)); // (1-b2) g'^2 + b2 v
            FloatVector denom = vv.sqrt().fma(invSqrtBc2, epsF);
            mv.intoArray(m, i);
            vv.intoArray(v, i);
            mv.div(denom).fma(negStep, pv).intoArray(p, i);
        }
        for (; i < to; i++) {
            float gi = Math.fma(p[i], wd, g[i]);
            float mi = Math.fma(gi, omb1, m[i] * b1f);
            float vi = Math.fma(gi * omb2, gi, v[i] * b2f);
            float denom = Math.fma((float) Math.sqrt(vi), invSqrtBc2, epsF);
            m[i] = mi;
            v[i] = vi;
            p[i] = Math.fma(mi / denom, -stepSize, p[i]);
        }
    }

    /** The shortest decimal that rounds to f, as a double: the value the caller most likely wrote. */
    static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    private static void checkBeta(String name, float b) {
        if (!(b >= 0f && b < 1f)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + b);
        }
    }
}
