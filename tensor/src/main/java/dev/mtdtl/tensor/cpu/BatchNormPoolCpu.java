package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Batch norm, ReLU and 2x2 max pooling as one op (the end of the base CNN's blocks 1..5), bit for bit the same
 * as {@link BatchNormCpu}, {@link ReluCpu} and {@link MaxPoolCpu} run one after the other, but without the
 * full-size (N, C, H, W) batch-norm output in forward nor the full-size pool gradient in backward: each
 * (n, c) plane is normalised, rectified and pooled through a plane-sized scratch, and the backward rebuilds
 * each plane's gradient there. At batch 128 this is what lets block 1 run without a 113 MB buffer (issue 15).
 *
 * <p>Why the results are the same bits: the statistics, the normalisation, the gradient sums and dx are the
 * very functions of {@link BatchNormCpu} ({@code trainStats}, {@code normalise}, {@code addGradSums},
 * {@code dxTrain}) applied to the same values in the same order, only read from a plane scratch instead of a
 * full tensor (their arithmetic depends on the plane length, not on where the plane lies). ReLU is
 * {@code Math.max(v, 0)} either way, and the pooling is {@link MaxPoolCpu#plane}. In backward the plane's
 * gradient is exactly what ReLU backward after pool backward makes: zeros, and at each window's argmax the
 * pooled gradient where the pooled output is positive (see nn's ReluPool for why the mask can be read there).
 *
 * <p>The argmax is packed: which of its window's four inputs won (0 top left, 1 top right, 2 bottom left,
 * 3 bottom right), 2 bits per window, 16 windows per int, each (n, c) plane starting a new int
 * ({@link #argmaxLength}): 3 MB instead of 52 MB of int indices at batch 128.
 *
 * <p>Letters: N batch, C channels, H x W input plane, S = H*W, HO = H/2, WO = W/2. Train mode runs one channel
 * per task (its statistics need all N planes); eval mode one plane per task. Either way each output element is
 * written by one task, so results do not depend on the thread count.
 */
public final class BatchNormPoolCpu {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Planes per eval-mode chunk: about this many input elements. */
    private static final int CHUNK_ELEMS = 1 << 15;

    private BatchNormPoolCpu() {}

    /** Ints of the packed argmax of an (N, C, H, W) input: ceil(HO*WO / 16) per (n, c) plane. */
    public static int argmaxLength(int n, int c, int h, int w) {
        return Math.toIntExact((long) n * c * words((h / 2) * (w / 2)));
    }

    private static int words(int so) {
        return (so + 15) >>> 4;
    }

    /**
     * Training mode: y = maxpool(relu(batchnorm(x))) with the batch statistics; running statistics move as in
     * {@link BatchNormCpu#forwardTrain}.
     *
     * @param y          (N, C, HO, WO) written
     * @param argmax     written, packed ({@link #argmaxLength} ints)
     * @param saveMean   (C) written; saveInvstd (C) written
     * @param x          (N, C, H, W) read: the batch norm's input
     */
    public static void forwardTrain(float[] y, int[] argmax, float[] saveMean, float[] saveInvstd, float[] x,
                                    float[] gamma, float[] beta, float[] runningMean, float[] runningVar, int n, int c,
                                    int h, int w, float momentum, float eps) {
        checkShapes(y, argmax, x, n, c, h, w);
        Args.lens(c, "C (" + c + ")", "saveMean saveInvstd gamma beta runningMean runningVar",
                saveMean, saveInvstd, gamma, beta, runningMean, runningVar);
        BatchNormCpu.checkEps(eps);
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        final int s = h * w;
        final int so = (h / 2) * (w / 2);
        final boolean vector = (long) s <= (1 << 24);
        Parallel.forChunks(c, BatchNormCpu.channelGrain(n, s), (chunk, c0, c1) -> {
            LaneSum acc = new LaneSum();
            LaneSum accSq = new LaneSum();
            Planes pl = new Planes(s, so);
            for (int ch = c0; ch < c1; ch++) {
                BatchNormCpu.Stats st = BatchNormCpu.trainStats(acc, accSq, x, n, c, s, ch, gamma, saveMean,
                        saveInvstd, runningMean, runningVar, momentum, eps);
                for (int i = 0; i < n; i++) {
                    int p = i * c + ch;
                    BatchNormCpu.normalise(pl.plane, 0, x, p * s, s, st.meanF(), st.meanLo(), st.scale(), beta[ch]);
                    pool(pl, y, argmax, p, h, w, vector);
                }
            }
        });
    }

    /** Evaluation mode: y = maxpool(relu(batchnorm(x))) with the running statistics (nothing is updated). */
    public static void forwardEval(float[] y, int[] argmax, float[] x, float[] gamma, float[] beta,
                                   float[] runningMean, float[] runningVar, int n, int c, int h, int w, float eps) {
        checkShapes(y, argmax, x, n, c, h, w);
        Args.lens(c, "C (" + c + ")", "gamma beta runningMean runningVar", gamma, beta, runningMean, runningVar);
        BatchNormCpu.checkEps(eps);
        final int s = h * w;
        final int so = (h / 2) * (w / 2);
        final boolean vector = (long) s <= (1 << 24);
        final float[] scale = new float[c];   // (C)
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = BatchNormCpu.evalScale(gamma, runningVar, ch, eps);
        }
        Parallel.forChunks(n * c, Math.max(1, CHUNK_ELEMS / s), (chunk, p0, p1) -> {
            Planes pl = new Planes(s, so);
            for (int p = p0; p < p1; p++) {
                int ch = p % c;
                BatchNormCpu.normalise(pl.plane, 0, x, p * s, s, runningMean[ch], 0f, scale[ch], beta[ch]);
                pool(pl, y, argmax, p, h, w, vector);
            }
        });
    }

    /**
     * Training-mode backward from the pooled gradient: dL/dx of the batch norm's input, written over x itself
     * when {@code dx == x} (each channel's sums read all of its x first, then each element is read before it
     * is written). dgamma, dbeta accumulate.
     *
     * @param dx     (N, C, H, W) written; may be x
     * @param dy     (N, C, HO, WO) read: dL/d(pooled output)
     * @param argmax packed, from the forward
     * @param y      (N, C, HO, WO) read: the pooled output (its sign is the ReLU's mask at each argmax)
     * @param x      (N, C, H, W) read: the forward's input
     */
    public static void backwardTrain(float[] dx, float[] dgamma, float[] dbeta, float[] dy, int[] argmax, float[] y,
                                     float[] x, float[] saveMean, float[] saveInvstd, float[] gamma, int n, int c,
                                     int h, int w) {
        checkShapes(y, argmax, x, n, c, h, w);
        Args.len("dx", dx, (long) n * c * h * w, "N*C*H*W " + Args.shape(n, c, h, w));
        Args.len("dy", dy, (long) n * c * (h / 2) * (w / 2), "N*C*HO*WO " + Args.shape(n, c, h / 2, w / 2));
        Args.lens(c, "C (" + c + ")", "dgamma dbeta saveMean saveInvstd gamma", dgamma, dbeta, saveMean, saveInvstd,
                gamma);
        final int s = h * w;
        final int so = (h / 2) * (w / 2);
        final long cnt = (long) n * s;
        Parallel.forChunks(c, BatchNormCpu.channelGrain(n, s), (chunk, c0, c1) -> {
            LaneSum sumG = new LaneSum();
            LaneSum sumGD = new LaneSum();
            float[] g = new float[s];                     // (H, W) one plane of dL/d(batch-norm output)
            for (int ch = c0; ch < c1; ch++) {
                float mu = saveMean[ch];
                double r = saveInvstd[ch];
                sumG.reset();
                sumGD.reset();
                for (int i = 0; i < n; i++) {
                    int p = i * c + ch;
                    planeGrad(g, dy, argmax, y, p, h, w);
                    LaneSum.addGradSums(sumG, sumGD, g, 0, x, p * s, s, mu);
                }
                BatchNormCpu.GradCoef k = BatchNormCpu.gradCoef(sumG, sumGD, r, gamma, dgamma, dbeta, ch, cnt);
                for (int i = 0; i < n; i++) {
                    int p = i * c + ch;
                    planeGrad(g, dy, argmax, y, p, h, w);
                    BatchNormCpu.dxTrain(dx, g, 0, x, p * s, s, mu, k.k(), k.a(), k.kb());
                }
            }
        });
    }

    /**
     * Evaluation-mode backward (the running statistics are constants), as {@link BatchNormCpu#backwardEval}
     * after ReLU and pool backward: dx (may be x) written, dgamma and dbeta accumulated.
     */
    public static void backwardEval(float[] dx, float[] dgamma, float[] dbeta, float[] dy, int[] argmax, float[] y,
                                    float[] x, float[] gamma, float[] runningMean, float[] runningVar, int n, int c,
                                    int h, int w, float eps) {
        checkShapes(y, argmax, x, n, c, h, w);
        Args.len("dx", dx, (long) n * c * h * w, "N*C*H*W " + Args.shape(n, c, h, w));
        Args.len("dy", dy, (long) n * c * (h / 2) * (w / 2), "N*C*HO*WO " + Args.shape(n, c, h / 2, w / 2));
        Args.lens(c, "C (" + c + ")", "dgamma dbeta gamma runningMean runningVar", dgamma, dbeta, gamma, runningMean,
                runningVar);
        BatchNormCpu.checkEps(eps);
        final int s = h * w;
        Parallel.forChunks(c, BatchNormCpu.channelGrain(n, s), (chunk, c0, c1) -> {
            LaneSum sumG = new LaneSum();
            LaneSum sumGD = new LaneSum();
            float[] g = new float[s];
            for (int ch = c0; ch < c1; ch++) {
                double r = 1.0 / Math.sqrt((double) runningVar[ch] + eps);
                float scale = (float) (gamma[ch] * r);
                float mu = runningMean[ch];
                sumG.reset();
                sumGD.reset();
                for (int i = 0; i < n; i++) {
                    int p = i * c + ch;
                    planeGrad(g, dy, argmax, y, p, h, w);
                    LaneSum.addGradSums(sumG, sumGD, g, 0, x, p * s, s, mu);
                    BatchNormCpu.scale(dx, p * s, g, 0, s, scale);
                }
                dbeta[ch] += (float) sumG.total();
                dgamma[ch] += (float) (r * sumGD.total());
            }
        });
    }

    /** Per-task scratch: one input plane, one pooled plane and its unpacked argmax. */
    private static final class Planes {
        final float[] plane;          // (H, W)
        final float[] y;              // (HO, WO)
        final int[] am;               // (HO, WO)
        final float[] idx = new float[MaxPoolCpu.L];

        Planes(int s, int so) {
            plane = new float[s];
            y = new float[so];
            am = new int[so];
        }
    }

    /** ReLU the normalised plane in place, pool it (MaxPoolCpu's windows and ties), store y and the packed argmax. */
    private static void pool(Planes pl, float[] y, int[] argmax, int p, int h, int w, boolean vector) {
        int wo = w / 2;
        int so = (h / 2) * wo;
        relu(pl.plane, h * w);
        MaxPoolCpu.plane(pl.y, pl.am, 0, pl.idx, pl.plane, 0, h, w, vector);
        System.arraycopy(pl.y, 0, y, p * so, so);
        int base = p * words(so);
        Arrays.fill(argmax, base, base + words(so), 0);
        for (int oh = 0, k = 0; oh < h / 2; oh++) {     // nested loops: no division per window
            int top = 2 * oh * w;                        // plane index of the window row's top-left
            for (int ow = 0; ow < wo; ow++, k++) {
                int d = pl.am[k] - top - 2 * ow;         // 0, 1, w or w + 1 by construction of the window
                int code = d >= w ? 2 + d - w : d;
                argmax[base + (k >>> 4)] |= code << ((k & 15) << 1);
            }
        }
    }

    /**
     * One plane of ReLU backward after pool backward: zeros, then at each window's argmax the pooled gradient
     * where the pooled output is positive (ReluCpu.backward's {@code y > 0 ? dy : 0}, MaxPoolCpu.backward's
     * scatter).
     */
    private static void planeGrad(float[] g, float[] dy, int[] argmax, float[] y, int p, int h, int w) {
        int wo = w / 2;
        int so = (h / 2) * wo;
        int yoff = p * so;
        int base = p * words(so);
        Arrays.fill(g, 0, h * w, 0f);
        for (int oh = 0, k = 0; oh < h / 2; oh++) {     // nested loops: no division per window
            int top = 2 * oh * w;
            for (int ow = 0; ow < wo; ow++, k++) {
                int code = (argmax[base + (k >>> 4)] >>> ((k & 15) << 1)) & 3;
                int o = yoff + k;
                g[top + (code >>> 1) * w + 2 * ow + (code & 1)] = y[o] > 0f ? dy[o] : 0f;
            }
        }
    }

    /** v = max(v, 0) over v[0, len), as ReluCpu.forward. */
    private static void relu(float[] v, int len) {
        int upper = F.loopBound(len);
        int i = 0;
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, v, i).lanewise(VectorOperators.MAX, 0f).intoArray(v, i);
        }
        for (; i < len; i++) {
            v[i] = Math.max(v[i], 0f);
        }
    }

    private static void checkShapes(float[] y, int[] argmax, float[] x, int n, int c, int h, int w) {
        MaxPoolCpu.checkDims(n, c, h, w);
        String in = Args.shape(n, c, h, w);
        String out = Args.shape(n, c, h / 2, w / 2);
        Args.len("x", x, (long) n * c * h * w, "N*C*H*W " + in);
        Args.len("y", y, (long) n * c * (h / 2) * (w / 2), "N*C*HO*WO " + out);
        Args.len("argmax", argmax, argmaxLength(n, c, h, w), "N*C*ceil(HO*WO/16) (packed) " + out);
    }
}
