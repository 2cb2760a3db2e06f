package dev.mtdtl.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
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
 * {@code double} lanes (in the kernels below: widened by {@code castShape} into two double vectors held in
 * registers across the call, each lane's additions in the same order as one by one), and elements past the
 * last whole vector go to four scalar double
 * accumulators in turn, four at a time, the last one to three into the first (four independent
 * chains: short planes such as S = 12 are all tail).
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
    /** The double lanes, as two vectors of the same bit size as F: lanes [0, L/2) and [L/2, L). */
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final int DL = D.length();
    /** Vectors summed in float before a fold into double. */
    static final int BLOCK = 16;

    static {
        if (2 * DL != L) {
            throw new AssertionError("LaneSum needs float and double vectors of one bit size, have " + L + " and "
                    + DL + " lanes");
        }
    }

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
        if (upper > 0) {
            folded = true;
            DoubleVector lo = DoubleVector.fromArray(D, lanes, 0), hi = DoubleVector.fromArray(D, lanes, DL);
            while (i < upper) {
                int end = Math.min(upper, i + BLOCK * L);
                FloatVector acc = FloatVector.zero(F);
                for (; i < end; i += L) {
                    acc = acc.add(FloatVector.fromArray(F, x, off + i));
                }
                lo = lo.add(acc.castShape(D, 0));
                hi = hi.add(acc.castShape(D, 1));
            }
            lo.intoArray(lanes, 0);
            hi.intoArray(lanes, DL);
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
        if (upper > 0) {
            sum.folded = true;
            sumSq.folded = true;
            DoubleVector sLo = DoubleVector.fromArray(D, sum.lanes, 0), sHi = DoubleVector.fromArray(D, sum.lanes, DL);
            DoubleVector qLo = DoubleVector.fromArray(D, sumSq.lanes, 0);
            DoubleVector qHi = DoubleVector.fromArray(D, sumSq.lanes, DL);
            while (i < upper) {
                int end = Math.min(upper, i + BLOCK * L);
                FloatVector acc = FloatVector.zero(F);
                FloatVector accSq = FloatVector.zero(F);
                for (; i < end; i += L) {
                    FloatVector d = FloatVector.fromArray(F, x, off + i).sub(m);
                    acc = acc.add(d);
                    accSq = d.fma(d, accSq);
                }
                sLo = sLo.add(acc.castShape(D, 0));
                sHi = sHi.add(acc.castShape(D, 1));
                qLo = qLo.add(accSq.castShape(D, 0));
                qHi = qHi.add(accSq.castShape(D, 1));
            }
            sLo.intoArray(sum.lanes, 0);
            sHi.intoArray(sum.lanes, DL);
            qLo.intoArray(sumSq.lanes, 0);
            qHi.intoArray(sumSq.lanes, DL);
        }
        // Tail: four independent chains per sum, kept in locals (fields would chain through memory).
        double s0 = sum.t0, s1 = sum.t1, s2 = sum.t2, s3 = sum.t3;
        double q0 = sumSq.t0, q1 = sumSq.t1, q2 = sumSq.t2, q3 = sumSq.t3;
        for (; i + 4 <= len; i += 4) {
            float d0 = x[off + i] - m;   // float differences, as in the vector lanes
            float d1 = x[off + i + 1] - m;
            float d2 = x[off + i + 2] - m;
            float d3 = x[off + i + 3] - m;
            s0 += d0;
            s1 += d1;
            s2 += d2;
            s3 += d3;
            q0 += (double) d0 * d0;
            q1 += (double) d1 * d1;
            q2 += (double) d2 * d2;
            q3 += (double) d3 * d3;
        }
        for (; i < len; i++) {
            float d = x[off + i] - m;
            s0 += d;
            q0 += (double) d * d;
        }
        sum.setTails(s0, s1, s2, s3);
        sumSq.setTails(q0, q1, q2, q3);
    }

    /** sumG += sum of g[goff, goff+len) and sumGD += sum of g * (x - m) with x[off, off+len), in one read. */
    static void addGradSums(LaneSum sumG, LaneSum sumGD, float[] g, int goff, float[] x, int off, int len, float m) {
        int upper = F.loopBound(len);
        int i = 0;
        if (upper > 0) {
            sumG.folded = true;
            sumGD.folded = true;
            DoubleVector gLo = DoubleVector.fromArray(D, sumG.lanes, 0), gHi = DoubleVector.fromArray(D, sumG.lanes, DL);
            DoubleVector qLo = DoubleVector.fromArray(D, sumGD.lanes, 0);
            DoubleVector qHi = DoubleVector.fromArray(D, sumGD.lanes, DL);
            while (i < upper) {
                int end = Math.min(upper, i + BLOCK * L);
                FloatVector accG = FloatVector.zero(F);
                FloatVector accGD = FloatVector.zero(F);
                for (; i < end; i += L) {
                    FloatVector gv = FloatVector.fromArray(F, g, goff + i);
                    accG = accG.add(gv);
                    accGD = FloatVector.fromArray(F, x, off + i).sub(m).fma(gv, accGD);
                }
                gLo = gLo.add(accG.castShape(D, 0));
                gHi = gHi.add(accG.castShape(D, 1));
                qLo = qLo.add(accGD.castShape(D, 0));
                qHi = qHi.add(accGD.castShape(D, 1));
            }
            gLo.intoArray(sumG.lanes, 0);
            gHi.intoArray(sumG.lanes, DL);
            qLo.intoArray(sumGD.lanes, 0);
            qHi.intoArray(sumGD.lanes, DL);
        }
        double s0 = sumG.t0, s1 = sumG.t1, s2 = sumG.t2, s3 = sumG.t3;
        double q0 = sumGD.t0, q1 = sumGD.t1, q2 = sumGD.t2, q3 = sumGD.t3;
        for (; i + 4 <= len; i += 4) {
            float g0 = g[goff + i];
            float g1 = g[goff + i + 1];
            float g2 = g[goff + i + 2];
            float g3 = g[goff + i + 3];
            s0 += g0;
            s1 += g1;
            s2 += g2;
            s3 += g3;
            q0 += (double) g0 * (x[off + i] - m);
            q1 += (double) g1 * (x[off + i + 1] - m);
            q2 += (double) g2 * (x[off + i + 2] - m);
            q3 += (double) g3 * (x[off + i + 3] - m);
        }
        for (; i < len; i++) {
            float gi = g[goff + i];
            s0 += gi;
            q0 += (double) gi * (x[off + i] - m);
        }
        sumG.setTails(s0, s1, s2, s3);
        sumGD.setTails(q0, q1, q2, q3);
    }

    private void setTails(double a0, double a1, double a2, double a3) {
        t0 = a0;
        t1 = a1;
        t2 = a2;
        t3 = a3;
    }
}
