package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BatchNormCpu}'s training forward and backward for planes shorter than a vector (S &lt; L: the outputs of
 * conv61 and conv62 of the base CNN, 3 x 4 = 12 positions, and the head's BatchNorm1d, S = 1), L channels at a
 * time, one channel per lane.
 *
 * <p>Why: on such planes a channel's sums are all {@link LaneSum}'s scalar tail, double additions in four dependent
 * chains (the statistics' subsample in one), 4 cycles an addition, one channel after the other; the element-wise
 * passes are scalar loops too. At 32 x 256 x 12 the forward took ~146 us and the backward ~112 us on 2 threads,
 * about 10 ns a value (JMH BatchNormBench, bench/RESULTS.md, session 33), and the four such ops of a base-CNN step
 * took 0.6-0.9 ms. Here the lanes run L channels' chains side by side, and the element-wise passes are whole vectors.
 *
 * <p>Same bits as the channel-by-channel code, lane by lane: the L planes of an image's channel block are turned into
 * S vectors of L channels by one 16 x 16 transpose in registers ({@link Transpose16}, into a thread's scratch), and
 * each lane then does its channel's scalar operations in the scalar order: the subsample's one chain (all S values of
 * every plane, S &lt;= {@link BatchNormCpu#SAMPLE}), {@link LaneSum#addDeviations}'s and {@link
 * LaneSum#addGradSums}'s tails (value k of a plane into chain k mod 4 while four remain, the rest into chain 0; the
 * chains run on across the planes; float differences, widened to double, products of two widened floats, which are
 * exact), and {@link LaneSum#total}'s order for sums that never fold (0 + t0 + t1 + t2 + t3). Double adds, multiplies
 * and float-to-double widening in vector lanes round as the scalar operations do. The per-channel ends ({@link
 * BatchNormCpu#finish}, {@link BatchNormCpu#gradCoef}) are the scalar code itself, and the element-wise passes
 * compute each element's very expression with its channel's constants spread over the lanes. Channels past the last
 * whole block of L take the scalar code (the caller's). Tested against the channel-by-channel code bit for bit
 * (BatchNormShortTest).
 *
 * <p>A trap met on the way (JDK 17's C2): the first version kept its double accumulators in a loop nest over
 * (image, position) whose inner bounds are not constants, and C2 boxed every vector of it (3.5 MB a call at 32 x 256
 * x 12, slower than the scalar code); each sum is now one flat loop over a list of row offsets ({@link #rows}). That
 * version read the lanes by gathers (an index map), which JFR cleared of the boxing; this one transposes, and the
 * two were not timed against each other once the nest was gone.
 */
final class BatchNormShort {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();

    private BatchNormShort() {}

    /**
     * Whether the lane path takes planes of s values: shorter than a vector (and all of them the subsample), with
     * 16-lane vectors here and in {@link Transpose16} (whose shape is Gemm's, which {@code -Dmtdtl.vectorBits} can
     * narrow).
     */
    static boolean applies(int s) {
        return L == 16 && Gemm.VL == 16 && s < L && s <= BatchNormCpu.SAMPLE && 2 * DL == L;
    }

    /** Channels the lane path takes of c: the whole blocks of L; the caller runs the rest. */
    static int channels(int c) {
        return c / L * L;
    }

    /** A thread's scratch: per-lane sums and coefficients, and a block's constants spread over its S vectors. */
    private static final class Scratch {
        final double[] sub = new double[L];
        final double[] tot = new double[L];
        final double[] totSq = new double[L];
        final double[] dm = new double[L];
        final double[] var = new double[L];
        final float[] shift = new float[L];
        final float[] shift2 = new float[L];
        final boolean[] again = new boolean[L];
        /** (L, S): at each position of an image's L planes in the block, its channel's constant. */
        final float[] c0 = new float[L * L];
        final float[] c1 = new float[L * L];
        final float[] c2 = new float[L * L];
        final float[] c3 = new float[L * L];
        /** Four chains' sums in lanes, (4, L), for the totals. */
        final double[] chain = new double[4 * L];
        final double[] chainSq = new double[4 * L];
        /** Per S, the rows each sum visits ({@link #rows}: j + 1 for j = -1..3), built for rowsN[S] images. */
        final int[][][] rows = new int[L][5][];
        final int[] rowsN = new int[L];
        /** An image's block of planes copied out where a transpose would read past x's end: (L, S) and L more. */
        final float[] pad = new float[L * L + L];
        /** x (and g) of a channel block in lanes: (N, L, L), row k of image i the values at position k (k < S). */
        float[] xt = new float[0];
        float[] gt = new float[0];

        /** xt (and gt, when {@code both}) of at least n images. */
        void size(int n, boolean both) {
            if (xt.length < n * L * L) {
                xt = new float[n * L * L];
            }
            if (both && gt.length < n * L * L) {
                gt = new float[n * L * L];
            }
        }
    }

    /**
     * t[(i*L + k)*L + l] = a[(i*C + c0 + l)*S + k] for images i &lt; n, positions k &lt; S, channels l &lt; L: each
     * image's block by one {@link Transpose16#block} (its 16 rows of 16 read from the block's planes at a stride of
     * S, so the last row reads L - S floats past the block: from a copy where that passes a's end), or for S = 1
     * by a copy of its one row.
     */
    private static void toLanes(float[] t, float[] a, int n, int c, int s, int c0, float[] pad) {
        for (int i = 0; i < n; i++) {
            int base = (i * c + c0) * s;
            if (s == 1) {   // the block's values are one row already (the head's BatchNorm1d)
                System.arraycopy(a, base, t, i * L * L, L);
            } else if (base + (L - 1) * s + L <= a.length) {
                Transpose16.block(t, i * L * L, L, a, base, s);
            } else {
                System.arraycopy(a, base, pad, 0, L * s);
                Transpose16.block(t, i * L * L, L, pad, 0, s);
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@link BatchNormCpu#forwardTrain} for channels [0, {@link #channels}(c)), arguments checked by the caller:
     * statistics as {@code BatchNormCpu.trainStats}, then y = fma((x - meanF) - meanLo, scale, beta).
     */
    static void forwardTrain(float[] y, float[] saveMean, float[] saveInvstd, float[] x, float[] gamma, float[] beta,
                             float[] runningMean, float[] runningVar, int n, int c, int s, float momentum, float eps) {
        long cnt = (long) n * s;
        Parallel.forChunks(c / L, 1, (blk, b0, b1) -> {
            Scratch w = SCRATCH.get();
            w.size(n, false);
            int c0 = blk * L;
            toLanes(w.xt, x, n, c, s, c0, w.pad);
            subsample(w, w.sub, w.xt, n, s);
            for (int l = 0; l < L; l++) {
                w.shift[l] = (float) (w.sub[l] / cnt);   // the subsample is every value: m = S
            }
            deviations(w, w.tot, w.totSq, w.xt, n, s, w.shift);
            boolean any = false;
            for (int l = 0; l < L; l++) {
                w.dm[l] = w.tot[l] / cnt;
                w.var[l] = BatchNormCpu.variance(w.totSq[l], w.dm[l], cnt);
                w.again[l] = BatchNormCpu.offCentre(w.dm[l], w.var[l]);
                w.shift2[l] = w.again[l] ? (float) (w.shift[l] + w.dm[l]) : w.shift[l];
                any |= w.again[l];
            }
            if (any) {   // trainStats's second pass, for the lanes that take it
                deviations(w, w.tot, w.totSq, w.xt, n, s, w.shift2);
                for (int l = 0; l < L; l++) {
                    if (w.again[l]) {
                        w.shift[l] = w.shift2[l];
                        w.dm[l] = w.tot[l] / cnt;
                        w.var[l] = BatchNormCpu.variance(w.totSq[l], w.dm[l], cnt);
                    }
                }
            }
            for (int l = 0; l < L; l++) {
                BatchNormCpu.Stats st = BatchNormCpu.finish(w.shift[l], w.dm[l], w.var[l], cnt, c0 + l, gamma,
                        saveMean, saveInvstd, runningMean, runningVar, momentum, eps);
                for (int k = 0; k < s; k++) {   // position l*S + k of the block's L planes is channel c0 + l
                    w.c0[l * s + k] = st.meanF();
                    w.c1[l * s + k] = st.meanLo();
                    w.c2[l * s + k] = st.scale();
                    w.c3[l * s + k] = beta[c0 + l];
                }
            }
            for (int i = 0; i < n; i++) {   // an image's L planes of the block: S whole vectors
                int off = (i * c + c0) * s;
                for (int v = 0; v < s * L; v += L) {
                    FloatVector.fromArray(F, x, off + v).sub(FloatVector.fromArray(F, w.c0, v))
                            .sub(FloatVector.fromArray(F, w.c1, v))
                            .fma(FloatVector.fromArray(F, w.c2, v), FloatVector.fromArray(F, w.c3, v))
                            .intoArray(y, off + v);
                }
            }
        });
    }

    /**
     * {@link BatchNormCpu#backwardTrain} for channels [0, {@link #channels}(c)), arguments checked by the caller: the
     * sums as {@code LaneSum.addGradSums}, the coefficients as {@code BatchNormCpu.gradCoef}, then
     * dx = fma(g - a, k, (x - mu) * -kb).
     */
    static void backwardTrain(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] x, float[] saveMean,
                              float[] saveInvstd, float[] gamma, int n, int c, int s) {
        long cnt = (long) n * s;
        Parallel.forChunks(c / L, 1, (blk, b0, b1) -> {
            Scratch w = SCRATCH.get();
            w.size(n, true);
            int c0 = blk * L;
            toLanes(w.gt, dy, n, c, s, c0, w.pad);
            toLanes(w.xt, x, n, c, s, c0, w.pad);
            gradSums(w, w.tot, w.totSq, w.gt, w.xt, saveMean, n, s, c0);
            for (int l = 0; l < L; l++) {
                int ch = c0 + l;
                BatchNormCpu.GradCoef k = BatchNormCpu.gradCoef(w.tot[l], w.totSq[l], saveInvstd[ch], gamma, dgamma,
                        dbeta, ch, cnt);
                for (int q = 0; q < s; q++) {
                    w.c0[l * s + q] = saveMean[ch];
                    w.c1[l * s + q] = k.k();
                    w.c2[l * s + q] = k.a();
                    w.c3[l * s + q] = -k.kb();
                }
            }
            for (int i = 0; i < n; i++) {
                int off = (i * c + c0) * s;
                for (int v = 0; v < s * L; v += L) {
                    FloatVector t = FloatVector.fromArray(F, x, off + v).sub(FloatVector.fromArray(F, w.c0, v))
                            .mul(FloatVector.fromArray(F, w.c3, v));
                    FloatVector.fromArray(F, dy, off + v).sub(FloatVector.fromArray(F, w.c2, v))
                            .fma(FloatVector.fromArray(F, w.c1, v), t).intoArray(dx, off + v);
                }
            }
        });
    }

    /**
     * sub[l] = the subsample's sum of lane l's channel: every value of every plane, in order, one double chain. (Each
     * of these sums is one loop over a list of row offsets, {@link #rows}: with the accumulators carried through a
     * loop nest whose inner bounds are not constants, JDK 17's C2 boxed every vector of it, 37 KB a call here.)
     */
    private static void subsample(Scratch w, double[] sub, float[] xt, int n, int s) {
        int[] offs = rows(w, n, s, -1);
        int count = offs.length;
        DoubleVector lo = DoubleVector.zero(D);
        DoubleVector hi = DoubleVector.zero(D);
        for (int m = 0; m < count; m++) {
            FloatVector v = FloatVector.fromArray(F, xt, offs[m]);
            lo = lo.add(v.castShape(D, 0));
            hi = hi.add(v.castShape(D, 1));
        }
        lo.intoArray(sub, 0);
        hi.intoArray(sub, DL);
    }

    /**
     * The offsets in xt of the rows a sum visits, in its order: for chain j of the scalar tail (0..3), over the planes
     * in order, the positions k = j mod 4 below the last whole group of four, and for chain 0 then the positions after
     * it; for j = -1 every position. They depend on N and S only, so a thread keeps them per S (the step alternates
     * S = 12 and 1) and builds them again only for another N.
     */
    private static int[] rows(Scratch w, int n, int s, int j) {
        if (w.rowsN[s] != n) {
            for (int jj = -1; jj < 4; jj++) {
                w.rows[s][jj + 1] = buildRows(n, s, jj);
            }
            w.rowsN[s] = n;
        }
        return w.rows[s][j + 1];
    }

    private static int[] buildRows(int n, int s, int j) {
        int quads = s / 4 * 4;
        int perPlane = j < 0 ? s : (j < quads ? (quads - j + 3) / 4 : 0) + (j == 0 ? s - quads : 0);
        int[] offs = new int[n * perPlane];
        int count = 0;
        for (int i = 0; i < n; i++) {
            int base = i * L * L;
            if (j < 0) {
                for (int k = 0; k < s; k++) {
                    offs[count++] = base + k * L;
                }
                continue;
            }
            for (int k = j; k < quads; k += 4) {
                offs[count++] = base + k * L;
            }
            if (j == 0) {
                for (int k = quads; k < s; k++) {
                    offs[count++] = base + k * L;
                }
            }
        }
        if (count != offs.length) {
            throw new AssertionError("batch norm rows: " + count + " for a list of " + offs.length);
        }
        return offs;
    }

    /**
     * tot[l] and totSq[l]: lane l's channel's sums of d = x - shift[l] and of d^2, as {@link LaneSum#addDeviations}
     * over its planes and {@link LaneSum#total} of sums that never fold (0 + t0 + t1 + t2 + t3), one chain at a
     * time ({@link #deviationChain}: the chains never meet before the total, so each gets its additions in the
     * scalar order).
     */
    private static void deviations(Scratch w, double[] tot, double[] totSq, float[] xt, int n, int s, float[] shift) {
        for (int j = 0; j < 4; j++) {
            int[] offs = rows(w, n, s, j);
            deviationChain(w.chain, w.chainSq, j * L, xt, offs, offs.length, shift);
        }
        totals(tot, w.chain);
        totals(totSq, w.chainSq);
    }

    /**
     * Chain j of {@link LaneSum#addDeviations}'s tail, every lane, the rows of xt at offs[0, count) ({@link #rows}:
     * over the planes in order, positions k = j mod 4 below the last whole group of four, for chain 0 also those
     * after it), into t[o, o + L) and tq[o, o + L).
     */
    private static void deviationChain(double[] t, double[] tq, int o, float[] xt, int[] offs, int count,
                                       float[] shift) {
        FloatVector sh = FloatVector.fromArray(F, shift, 0);
        DoubleVector sa = DoubleVector.zero(D), sb = DoubleVector.zero(D);
        DoubleVector qa = DoubleVector.zero(D), qb = DoubleVector.zero(D);
        for (int m = 0; m < count; m++) {
            FloatVector d = FloatVector.fromArray(F, xt, offs[m]).sub(sh);
            DoubleVector a = (DoubleVector) d.castShape(D, 0);
            DoubleVector b = (DoubleVector) d.castShape(D, 1);
            sa = sa.add(a);
            sb = sb.add(b);
            qa = qa.add(a.mul(a));
            qb = qb.add(b.mul(b));
        }
        sa.intoArray(t, o);
        sb.intoArray(t, o + DL);
        qa.intoArray(tq, o);
        qb.intoArray(tq, o + DL);
    }

    /**
     * tot[l] = sum(g) and totSq[l] = sum(g (x - mu)) of channel c0 + l (g = dy, mu = saveMean), as
     * {@link LaneSum#addGradSums} over its planes and {@link LaneSum#total}, one chain at a time.
     */
    private static void gradSums(Scratch w, double[] tot, double[] totSq, float[] gt, float[] xt, float[] saveMean,
                                 int n, int s, int c0) {
        for (int j = 0; j < 4; j++) {
            int[] offs = rows(w, n, s, j);
            gradChain(w.chain, w.chainSq, j * L, gt, xt, saveMean, c0, offs, offs.length);
        }
        totals(tot, w.chain);
        totals(totSq, w.chainSq);
    }

    /** Chain j of {@link LaneSum#addGradSums}'s tail, every lane, over the rows at offs[0, count) as deviationChain. */
    private static void gradChain(double[] t, double[] tq, int o, float[] gt, float[] xt, float[] saveMean, int c0,
                                  int[] offs, int count) {
        FloatVector mu = FloatVector.fromArray(F, saveMean, c0);
        DoubleVector sa = DoubleVector.zero(D), sb = DoubleVector.zero(D);
        DoubleVector qa = DoubleVector.zero(D), qb = DoubleVector.zero(D);
        for (int m = 0; m < count; m++) {
            FloatVector g = FloatVector.fromArray(F, gt, offs[m]);
            FloatVector e = FloatVector.fromArray(F, xt, offs[m]).sub(mu);   // float x - mu
            DoubleVector ga = (DoubleVector) g.castShape(D, 0);
            DoubleVector gb = (DoubleVector) g.castShape(D, 1);
            sa = sa.add(ga);
            sb = sb.add(gb);
            qa = qa.add(ga.mul((DoubleVector) e.castShape(D, 0)));
            qb = qb.add(gb.mul((DoubleVector) e.castShape(D, 1)));
        }
        sa.intoArray(t, o);
        sb.intoArray(t, o + DL);
        qa.intoArray(tq, o);
        qb.intoArray(tq, o + DL);
    }

    /** tot[l] = 0 + t0 + t1 + t2 + t3, lane l of the four chains at chains[j*L + l] ({@link LaneSum#total}'s order). */
    private static void totals(double[] tot, double[] chains) {
        for (int l = 0; l < L; l++) {
            double t = 0.0;
            tot[l] = t + chains[l] + chains[L + l] + chains[2 * L + l] + chains[3 * L + l];
        }
    }
}
