package dev.mtdtl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link LaneSum}'s kernels against a scalar model of its definition, bit for bit: per lane, a float partial of at
 * most {@link LaneSum#BLOCK} vectors (from +0), added into a double lane; past the last whole vector four double
 * tails in turn (a last one to three into the first); the total is the lanes in order, then the tails. The
 * batch-norm statistics and gradient sums, and through them every training step, depend on these bits.
 */
class LaneSumTest {

    /** The model: one LaneSum's state, updated one element at a time in the kernels' order. */
    private static final class Model {
        final double[] lanes = new double[LaneSum.L];
        final double[] tails = new double[4];
        boolean folded;

        /** Adds values v(i), i in [0, len), where sq selects the squared (fma) form of addDeviations. */
        void add(int len, java.util.function.IntFunction<float[]> v, int which) {
            int l = LaneSum.L;
            int upper = len / l * l;
            int i = 0;
            while (i < upper) {
                int end = Math.min(upper, i + LaneSum.BLOCK * l);
                float[] p = new float[l];
                for (; i < end; i += l) {
                    for (int k = 0; k < l; k++) {
                        float[] e = v.apply(i + k);
                        p[k] = which == 0 ? p[k] + e[0] : Math.fma(e[0], e[1], p[k]);
                    }
                }
                for (int k = 0; k < l; k++) {
                    lanes[k] += p[k];
                }
                folded = true;
            }
            for (; i + 4 <= len; i += 4) {
                for (int k = 0; k < 4; k++) {
                    float[] e = v.apply(i + k);
                    tails[k] += which == 0 ? (double) e[0] : (double) e[0] * e[1];
                }
            }
            for (; i < len; i++) {
                float[] e = v.apply(i);
                tails[0] += which == 0 ? (double) e[0] : (double) e[0] * e[1];
            }
        }

        double total() {
            double t = 0.0;
            if (folded) {
                for (double d : lanes) {
                    t += d;
                }
            }
            return t + tails[0] + tails[1] + tails[2] + tails[3];
        }
    }

    private static float[] values(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * Math.exp(r.nextDouble(-6, 6)));
        }
        return a;
    }

    /** Lengths around every vector and block boundary, and several calls into one sum (planes of a channel). */
    private static final int[] LENGTHS = {0, 1, 3, 4, 5, 15, 16, 17, 31, 33, 255, 256, 257, 300, 511, 513, 3456};

    @Test
    void addSumKeepsTheLaneOrder() {
        SplittableRandom r = new SplittableRandom(5);
        for (int len : LENGTHS) {
            float[] x = values(r, 3 * len + 7);
            LaneSum s = new LaneSum();
            s.reset();
            Model m = new Model();
            for (int call = 0; call < 3; call++) {
                int off = 2 + call * len;
                s.addSum(x, off, len);
                m.add(len, i -> new float[] {x[off + i]}, 0);
            }
            assertEquals(Double.doubleToRawLongBits(m.total()), Double.doubleToRawLongBits(s.total()),
                    "addSum, 3 calls of " + len);
        }
    }

    @Test
    void addDeviationsKeepsTheLaneOrder() {
        SplittableRandom r = new SplittableRandom(6);
        for (int len : LENGTHS) {
            float[] x = values(r, 3 * len + 7);
            float mu = (float) r.nextGaussian();
            LaneSum sum = new LaneSum();
            LaneSum sq = new LaneSum();
            sum.reset();
            sq.reset();
            Model ms = new Model();
            Model mq = new Model();
            for (int call = 0; call < 3; call++) {
                int off = 1 + call * len;
                LaneSum.addDeviations(sum, sq, x, off, len, mu);
                ms.add(len, i -> new float[] {x[off + i] - mu}, 0);
                mq.add(len, i -> new float[] {x[off + i] - mu, x[off + i] - mu}, 1);
            }
            assertEquals(Double.doubleToRawLongBits(ms.total()), Double.doubleToRawLongBits(sum.total()),
                    "addDeviations sum, 3 calls of " + len);
            assertEquals(Double.doubleToRawLongBits(mq.total()), Double.doubleToRawLongBits(sq.total()),
                    "addDeviations squares, 3 calls of " + len);
        }
    }

    @Test
    void addGradSumsKeepsTheLaneOrder() {
        SplittableRandom r = new SplittableRandom(7);
        for (int len : LENGTHS) {
            float[] x = values(r, 3 * len + 7);
            float[] g = values(r, 3 * len + 7);
            float mu = (float) r.nextGaussian();
            LaneSum sg = new LaneSum();
            LaneSum sgd = new LaneSum();
            sg.reset();
            sgd.reset();
            Model mg = new Model();
            Model mgd = new Model();
            for (int call = 0; call < 3; call++) {
                int off = 3 + call * len;
                int goff = call * len;
                LaneSum.addGradSums(sg, sgd, g, goff, x, off, len, mu);
                mg.add(len, i -> new float[] {g[goff + i]}, 0);
                mgd.add(len, i -> new float[] {x[off + i] - mu, g[goff + i]}, 1);
            }
            assertEquals(Double.doubleToRawLongBits(mg.total()), Double.doubleToRawLongBits(sg.total()),
                    "addGradSums sum(g), 3 calls of " + len);
            assertEquals(Double.doubleToRawLongBits(mgd.total()), Double.doubleToRawLongBits(sgd.total()),
                    "addGradSums sum(g (x - m)), 3 calls of " + len);
        }
    }
}
