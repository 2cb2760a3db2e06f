package dev.mtdtl.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A double-precision sum fed by float vectors, in an order fixed by the data length alone.
 *
 * <p>Why not {@code FloatVector.reduceLanes(ADD)}: its lane order is unspecified ("may vary between
 * invocations"), and the interpreter and C2 may disagree, which would break the 1-thread versus
 * N-thread bit-equality. Why not a scalar double loop: it is 4 to 8 times slower than the memory
 * bandwidth. So: each lane sums at most {@link #BLOCK} vectors in float (relative error about
 * BLOCK * 2^-24 on that partial), the partial is folded lane by lane into {@code double} lanes, and
 * {@link #total()} adds the lanes and the scalar tail in a fixed order. The result is deterministic
 * for a given vector width and within ~1e-6 relative of an exact sum.
 *
 * <p>Instances are scratch: allocate one per chunk of a parallel loop (never per element), call
 * {@link #reset()} before each reduction.
 */
final class LaneSum {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Vectors summed in float before a fold into double. */
    static final int BLOCK = 16;

    private final float[] spill = new float[L];
    private final double[] lanes = new double[L];
    private double tail;

    void reset() {
        java.util.Arrays.fill(lanes, 0.0);
        tail = 0.0;
    }

    /** Fold a float partial (at most BLOCK vectors per lane) into the double lanes. */
    void fold(FloatVector partial) {
        partial.intoArray(spill, 0);
        for (int l = 0; l < L; l++) {
            lanes[l] += spill[l];
        }
    }

    /** Add a scalar (tail element). */
    void add(double v) {
        tail += v;
    }

    /** Lanes in order 0..L-1, then the tail. */
    double total() {
        double t = 0.0;
        for (int l = 0; l < L; l++) {
            t += lanes[l];
        }
        return t + tail;
    }

    /** this += sum of x[off, off+len). */
    void addSum(float[] x, int off, int len) {
        int upper = F.loopBound(len);
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + BLOCK * L);
            FloatVector acc = FloatVector.zero(F);
            for (; i < end; i += L) {
                acc = acc.add(FloatVector.fromArray(F, x, off + i));
            }
            fold(acc);
        }
        for (; i < len; i++) {
            tail += x[off + i];
        }
    }

    /** sum += sum of (x - m) and sumSq += sum of (x - m)^2 over x[off, off+len), in one read of x. */
    static void addDeviations(LaneSum sum, LaneSum sumSq, float[] x, int off, int len, float m) {
        int upper = F.loopBound(len);
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + BLOCK * L);
            FloatVector acc = FloatVector.zero(F);
            FloatVector accSq = FloatVector.zero(F);
            for (; i < end; i += L) {
                FloatVector d = FloatVector.fromArray(F, x, off + i).sub(m);
                acc = acc.add(d);
                accSq = d.fma(d, accSq);
            }
            sum.fold(acc);
            sumSq.fold(accSq);
        }
        for (; i < len; i++) {
            float d = x[off + i] - m;   // float difference, as in the vector lanes
            sum.tail += d;
            sumSq.tail += (double) d * d;
        }
    }

    /** this += sum of g * (x - m) over [off, off+len) of both arrays. */
    void addDotDev(float[] g, float[] x, int off, int len, float m) {
        int upper = F.loopBound(len);
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + BLOCK * L);
            FloatVector acc = FloatVector.zero(F);
            for (; i < end; i += L) {
                FloatVector d = FloatVector.fromArray(F, x, off + i).sub(m);
                acc = d.fma(FloatVector.fromArray(F, g, off + i), acc);
            }
            fold(acc);
        }
        for (; i < len; i++) {
            tail += (double) g[off + i] * (x[off + i] - m);
        }
    }
}
