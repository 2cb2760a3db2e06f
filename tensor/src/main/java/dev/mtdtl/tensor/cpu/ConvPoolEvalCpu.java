package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;

/**
 * Inference through a whole pooled block: convolution, then evaluation-mode batch norm, ReLU and 2x2 max pooling,
 * image by image, so that the convolution's full output (N, OC, HO, WO) never goes to memory. The forward-only path
 * of feature extraction and the embedder (nn's {@code MultiSourceNet.representations}): conv1-conv4 of the base CNN.
 *
 * <p>Why: run apart, conv1's forward writes its 28 MB output (batch 32) and the batch norm + pool reads it back,
 * cold, at a third of the memory bandwidth (2.9 ms against 2.7 for the convolution itself, 2 threads; in training
 * the statistics' pass pulls it into the cache first). Here each image's output, 885 KB for conv1, is written into
 * a per-thread slot of the workspace and pooled by the same thread while it is still in that core's L2; only the
 * pooled quarter is stored. In an inference-only process the conv output buffers (51 MB at batch 32 for conv1-conv4)
 * are never allocated.
 *
 * <p>Same bits as {@link Conv2dCpu#forward} followed by {@link BatchNormPoolCpu#forwardEval}: the convolution is
 * {@link ConvDirect#forward} on the same padded image ({@link ConvImages}, as {@code Conv2dCpu}'s direct forward),
 * and each (image, channel) plane goes through the same {@link BatchNormPoolRows#forwardPlane} with the same
 * constants; a plane's values depend neither on where it lies nor on the thread (ConvPoolEvalCpuTest). The argmax
 * codes, which only a backward reads, go to a scratch and are dropped.
 *
 * <p>Letters: N batch, C input channels, OC output channels, HO x WO the convolution's output plane (even or odd:
 * the pool floors), P = HO*WO, S = (HO/2)*(WO/2).
 */
public final class ConvPoolEvalCpu {

    private ConvPoolEvalCpu() {}

    /** Whether g's forward takes the direct path (stride 1 along rows, output rows a vector wide): conv1-conv4. */
    public static boolean applies(ConvGeom g) {
        return Conv2dCpu.directForward(g) && g.ho() >= 2 && g.wo() >= 2;
    }

    /**
     * Workspace floats at the current thread count: the direct forward's (packed kernel, padded-image slots, tile
     * scratch), then one output slot (OC, HO, WO) per image that {@link ConvImages#run} may hold at once (a slot per
     * thread when each thread takes whole images, else one per image of a group).
     */
    public static long workspaceFloats(ConvGeom g) {
        int slots = ConvImages.byParticipants(g.n()) ? Parallel.threads() : ConvImages.slots(g.n());
        return Conv2dCpu.forwardWorkspaceFloats(g) + (long) slots * g.oc() * g.ho() * g.wo();
    }

    /**
     * y (N, OC, HO/2, WO/2) = maxpool(relu(batchnorm_eval(conv(x, w) + b))), written; x (N, C, H, W), w
     * (OC, C, KH, KW), b (OC, nullable), gamma, beta, runningMean, runningVar (OC). ws: at least
     * {@link #workspaceFloats} floats, scratch.
     */
    public static void forward(float[] y, float[] x, float[] w, float[] b, float[] gamma, float[] beta,
                               float[] runningMean, float[] runningVar, float eps, ConvGeom g, float[] ws) {
        if (!applies(g)) {
            throw new IllegalArgumentException("conv + batch norm + pool in one op needs the direct forward path "
                    + "(unit column stride, output rows of at least " + Gemm.VL + "), got " + g);
        }
        int n = g.n(), oc = g.oc(), ho = g.ho(), wo = g.wo();
        MaxPoolCpu.checkDims(n, oc, ho, wo);
        Conv2dCpu.requireLen("y", y, (long) n * oc * (ho / 2) * (wo / 2), g);
        Conv2dCpu.requireLen("x", x, g.xSize(), g);
        Conv2dCpu.requireLen("w", w, g.wSize(), g);
        if (b != null) {
            Conv2dCpu.requireLen("b", b, oc, g);
        }
        Args.lens(oc, "OC (" + oc + ")", "gamma beta runningMean runningVar", gamma, beta, runningMean, runningVar);
        BatchNormCpu.checkEps(eps);
        float[] scale = new float[oc];   // (OC), as BatchNormPoolCpu.forwardEval
        for (int ch = 0; ch < oc; ch++) {
            scale[ch] = BatchNormCpu.evalScale(gamma, runningVar, ch, eps);
        }
        float[] wsa = Conv2dCpu.workspace(ws, workspaceFloats(g), g);
        int hp = g.h() + 2 * g.ph(), wq = ConvDirect.paddedWidth(wo, g.kw());
        int img = (int) Conv2dCpu.paddedImage(g);
        int padOff = ConvDirect.packedWeights(oc, g.c(), g.kh(), g.kw());
        int scr1 = ConvDirect.forwardScratch(1, oc);
        int scrOff = padOff + ConvImages.slots(n) * img;
        int outOff = (int) Conv2dCpu.forwardWorkspaceFloats(g);
        int p = ho * wo, so = (ho / 2) * (wo / 2), words = (so + 15) >>> 4;
        ConvDirect.packWeights(wsa, 0, w, oc, g.c(), g.kh(), g.kw());
        int[] taps = ConvDirect.tapOffsets(g.c(), hp, wq, g.kh(), g.kw());
        ConvImages.run(n, (slot, n0, nb) -> {
            int xp = padOff + slot * img;
            int out = outOff + slot * oc * p;   // (nb, OC, HO, WO): this slot's images
            ConvDirect.pad(wsa, xp, x, n0 * g.c() * g.h() * g.w(), nb, g.c(), g.h(), g.w(), g.ph(), g.pw(), hp, wq);
            ConvDirect.forward(wsa, out, wo, p, wsa, xp, wsa, 0, b, wsa, scrOff + slot * scr1, nb, g.c(), hp, wq, oc,
                    ho, wo, g.kh(), g.kw(), g.sh(), taps);
            Parallel.forChunks(nb, 1, (k, k0, k1) -> {   // serial inside a thread's own image; by image in a group
                BatchNormPoolRows.Codes codes = new BatchNormPoolRows.Codes();
                int[] argmax = new int[words];   // the plane's codes: written, never read
                for (int ch = 0; ch < oc; ch++) {
                    codes.start(argmax, 0);
                    BatchNormPoolRows.forwardPlane(y, ((n0 + k) * oc + ch) * so, codes, wsa, out + (k * oc + ch) * p,
                            ho, wo, runningMean[ch], 0f, scale[ch], beta[ch]);
                    codes.finish();
                }
            });
        });
    }
}
