package dev.mtdtl.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A double-precision sum fed by float vectors, in an order fixed by the data lengths alone.
 *
 * <p>Why not {@code FloatVector.reduceLanes(ADD)}: its lane order is unspecified ("may vary between
 * invocations"), and the interpreter and C2 may disagree, which would break the 1-thread versus
 * N-thread bit-equality. Why not a scalar double loop: one dependent add per element (4 cycles) is
 * several times slower than memory. So: each lane sums at most {@link #BLOCK} vectors in float
 * (relative error about BLOCK * 2^-24 on that partial), the partial is folded lane by lane into
 * {@code double} lanes, and elements past the last whole vector go to four scalar double
 * accumulators in turn (four independent chains: short planes such as S = 12 are all tail).
 * {@link #total()} adds the lanes, then the four tails, in a fixed order. The result is deterministic
 * for a given vector width and within ~1e-6 relative of an exact sum.
 *
 * <p>Instances are scratch: allocate one per chunk of a parallel loop (never per element), call
 * {@link #reset()} before each reduction. The kernels below are the reductions the ops need, each
 * reading its arrays once.
 */
final class LaneSum {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Vectors summed in float before a fold into double. */
    static final int BLOCK = 16;

    private final float[] spill = new float[L];
    private final double[] lanes = new double[L];
    private double t0;
    private double t1;
    private double t2;
    private double t3;
    /** Whether any vector partial was folded since the last reset (else the lanes are all zero). */
    private boolean folded;

    void reset() {
        if (folded) {   // short planes (S < L) never fold: skip the lane work, which would dominate them
            java.util.Arrays.fill(lanes, 0.0);
            folded = false;
        }
        t0 = 0.0;
        t1 = 0.0;
        t2 = 0.0;
        t3 = 0.0;
    }

    /** Fold a float partial (at most BLOCK vectors per lane) into the double lanes. */
    void fold(FloatVector partial) {
        folded = true;
        partial.intoArray(spill, 0);
        for (int l = 0; l < L; l++) {
            lanes[l] += spill[l];
        }
    }

    /** Lanes in order 0..L-1, then the tails 0..3. */
    double total() {
        double t = 0.0;
        if (folded) {
            for (int l = 0; l < L; l++) {
                t += lanes[l];
            }
        }
        return t + t0 + t1 + t2 + t3;
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
        double a0 = t0;
        double a1 = t1;
        double a2 = t2;
        double a3 = t3;
        for (; i + 4 <= len; i += 4) {
            a0 += x[off + i];
            a1 += x[off + i + 1];
            a2 += x[off + i + 2];
            a3 += x[off + i + 3];
        }
        for (; i < len; i++) {
            a0 += x[off + i];
        }
        t0 = a0;
        t1 = a1;
        t2 = a2;
        t3 = a3;
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
            sum.addTail(i, d);
            sumSq.addTail(i, (double) d * d);
        }
    }

    /** sumG += sum of g and sumGD += sum of g * (x - m) over [off, off+len) of both arrays, in one read. */
    static void addGradSums(LaneSum sumG, LaneSum sumGD, float[] g, float[] x, int off, int len, float m) {
        int upper = F.loopBound(len);
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + BLOCK * L);
            FloatVector accG = FloatVector.zero(F);
            FloatVector accGD = FloatVector.zero(F);
            for (; i < end; i += L) {
                FloatVector gv = FloatVector.fromArray(F, g, off + i);
                accG = accG.add(gv);
                accGD = FloatVector.fromArray(F, x, off + i).sub(m).fma(gv, accGD);
            }
            sumG.fold(accG);
            sumGD.fold(accGD);
        }
        for (; i < len; i++) {
            float gi = g[off + i];
            sumG.addTail(i, gi);
            sumGD.addTail(i, (double) gi * (x[off + i] - m));
        }
    }

    /** Tail element number i goes to accumulator i mod 4: four independent dependency chains. */
    private void addTail(int i, double v) {
        switch (i & 3) {
            case 0 -> t0 += v;
            case 1 -> t1 += v;
            case 2 -> t2 += v;
            default -> t3 += v;
        }
    }
}
