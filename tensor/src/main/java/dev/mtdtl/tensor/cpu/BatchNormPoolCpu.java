package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;

/**
 * Batch norm, ReLU and 2x2 max pooling as one op (the end of the base CNN's blocks 1..5), bit for bit the same
 * as {@link BatchNormCpu}, {@link ReluCpu} and {@link MaxPoolCpu} run one after the other, but without the
 * full-size (N, C, H, W) batch-norm output in forward nor the full-size pool gradient in backward. Forward
 * normalises, rectifies and pools each window row in registers, straight from x ({@link BatchNormPoolRows});
 * backward rebuilds each (n, c) plane's gradient in a plane-sized scratch ({@link BatchNormPoolGrad}). At batch
 * 128 this is what lets block 1 run without a 113 MB buffer (issue 15), and it reads x twice in forward (the
 * statistics' pass and the pooling) where the unfused ops read and write five full tensors.
 *
 * <p>Why the results are the same bits: the statistics, the gradient sums and dx are the very functions of
 * {@link BatchNormCpu} ({@code trainStats}, {@code addGradSums}, {@code dxTrain}) applied to the same values in
 * the same order, only read from a plane scratch instead of a full tensor (their arithmetic depends on the plane
 * length, not on where the plane lies). The normalisation and ReLU are the same expressions per element
 * (fma((x - m) - mLo, scale, b), then max(v, 0)), and the pooling compares in MaxPoolCpu's order. In backward
 * the plane's gradient is exactly what ReLU backward after pool backward makes: zeros, and at each window's
 * argmax the pooled gradient where the pooled output is positive (see nn's ReluPool for why the mask can be read
 * there).
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
        Parallel.forChunks(c, BatchNormCpu.channelGrain(n, s), (chunk, c0, c1) -> {
            LaneSum acc = new LaneSum();
            LaneSum accSq = new LaneSum();
            BatchNormPoolRows.Codes codes = new BatchNormPoolRows.Codes();
            for (int ch = c0; ch < c1; ch++) {
                BatchNormCpu.Stats st = BatchNormCpu.trainStats(acc, accSq, x, n, c, s, ch, gamma, saveMean,
                        saveInvstd, runningMean, runningVar, momentum, eps);
                for (int i = 0; i < n; i++) {
                    int p = i * c + ch;
                    codes.start(argmax, p * words(so));
                    BatchNormPoolRows.forwardPlane(y, p * so, codes, x, p * s, h, w, st.meanF(), st.meanLo(),
                            st.scale(), beta[ch]);
                    codes.finish();
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
        final float[] scale = new float[c];   // (C)
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = BatchNormCpu.evalScale(gamma, runningVar, ch, eps);
        }
        Parallel.forChunks(n * c, Math.max(1, CHUNK_ELEMS / s), (chunk, p0, p1) -> {
            BatchNormPoolRows.Codes codes = new BatchNormPoolRows.Codes();
            for (int p = p0; p < p1; p++) {
                int ch = p % c;
                codes.start(argmax, p * words(so));
                BatchNormPoolRows.forwardPlane(y, p * so, codes, x, p * s, h, w, runningMean[ch], 0f, scale[ch],
                        beta[ch]);
                codes.finish();
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
            // (N, H, W) dL/d(batch-norm output) of the channel when it fits KEEP_FLOATS, else (H, W) one plane at a
            // time, rebuilt in the second pass: keeping it saves a second read of dy, y and the codes and the
            // rebuilding (block 1's backward at batch 32, 1 thread: 7.4-8.7 -> 6.1-6.8 ms, bench/RESULTS.md)
            boolean keep = (long) n * s <= KEEP_FLOATS;
            float[] g = plane(keep ? n * s : s);
            for (int ch = c0; ch < c1; ch++) {
                float mu = saveMean[ch];
                double r = saveInvstd[ch];
                sumG.reset();
                sumGD.reset();
                for (int i = 0; i < n; i++) {
                    int p = i * c + ch;
                    int go = keep ? i * s : 0;
                    BatchNormPoolGrad.gradPlane(g, go, dy, y, p * so, argmax, p * words(so), h, w);
                    LaneSum.addGradSums(sumG, sumGD, g, go, x, p * s, s, mu);
                }
                BatchNormCpu.GradCoef k = BatchNormCpu.gradCoef(sumG, sumGD, r, gamma, dgamma, dbeta, ch, cnt);
                for (int i = 0; i < n; i++) {
                    int p = i * c + ch;
                    int go = keep ? i * s : 0;
                    if (!keep) {
                        BatchNormPoolGrad.gradPlane(g, 0, dy, y, p * so, argmax, p * words(so), h, w);
                    }
                    BatchNormCpu.dxTrain(dx, g, go, x, p * s, s, mu, k.k(), k.a(), k.kb());
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
        final int so = (h / 2) * (w / 2);
        Parallel.forChunks(c, BatchNormCpu.channelGrain(n, s), (chunk, c0, c1) -> {
            LaneSum sumG = new LaneSum();
            LaneSum sumGD = new LaneSum();
            float[] g = plane(s);
            for (int ch = c0; ch < c1; ch++) {
                double r = 1.0 / Math.sqrt((double) runningVar[ch] + eps);
                float scale = (float) (gamma[ch] * r);
                float mu = runningMean[ch];
                sumG.reset();
                sumGD.reset();
                for (int i = 0; i < n; i++) {
                    int p = i * c + ch;
                    BatchNormPoolGrad.gradPlane(g, 0, dy, y, p * so, argmax, p * words(so), h, w);
                    LaneSum.addGradSums(sumG, sumGD, g, 0, x, p * s, s, mu);
                    BatchNormCpu.scale(dx, p * s, g, 0, s, scale);
                }
                dbeta[ch] += (float) sumG.total();
                dgamma[ch] += (float) (r * sumGD.total());
            }
        });
    }

    /**
     * Most floats of a channel's gradient (N planes) that the training backward keeps from its first pass for its
     * second (2 MB a thread: conv1's output at batch 32, 1.77 MB, is kept; at batch 128 it is 7 MB and rebuilt).
     */
    static final int KEEP_FLOATS = 1 << 19;

    /**
     * Each thread's gradient scratch, grown to the largest it has needed: a channel's N planes up to KEEP_FLOATS
     * (1.77 MB for conv1's output at batch 32), else one plane (55 KB for conv1's output).
     */
    private static final ThreadLocal<float[]> PLANE = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * A scratch of at least s floats for the calling thread: gradPlane writes every element of its planes before
     * they are read, so a reused one needs no clearing. Allocating it per chunk cost 1.6 MB a step at batch 32,
     * most of what a step allocated once no kernel ran boxed (which is what TrainStepTimer's alloc_mb_per_step
     * watches).
     */
    private static float[] plane(int s) {
        float[] g = PLANE.get();
        if (g.length < s) {
            g = new float[s];
            PLANE.set(g);
        }
        return g;
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
