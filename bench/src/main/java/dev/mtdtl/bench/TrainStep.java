package dev.mtdtl.bench;

import dev.mtdtl.nn.Adam;
import dev.mtdtl.nn.BaseCnn;
import dev.mtdtl.nn.KlLoss;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.KlReduction;

/**
 * One training step of the paper's base CNN on a batch of 2.5 s stereo crops: forward, KL loss (mean
 * over batch x classes), backward, Adam (lr 2.5e-4, L2 1e-6). Shared by the JMH benchmark and the
 * side-by-side timer so that both time exactly the same work.
 *
 * <p>FLOPs per sample (multiply-add = 2): forward convolutions 116.6 MFLOP (conv1 22.1, conv2 31.9,
 * conv3 31.9, conv4 15.3, conv5 7.1, conv61 7.1, conv62 1.6), fully connected 0.16 MFLOP; the
 * backward costs twice the forward (data and filter gradients), so a step is about 350 MFLOP per
 * sample, 11.2 GFLOP at batch 32.
 */
public final class TrainStep {

    /** Forward convolution FLOPs of one sample of the base CNN at input 2 x 216 x 128. */
    public static final double CONV_FLOPS_PER_SAMPLE = 2.0 * (
            16 * 108 * 128 * (2 * 25)
            + 32 * 54 * 64 * (16 * 9)
            + 64 * 27 * 32 * (32 * 9)
            + 64 * 13 * 16 * (64 * 9)
            + 128 * 6 * 8 * (64 * 9)
            + 256 * 3 * 4 * (128 * 9)
            + 256 * 3 * 4 * 256);

    /** Forward + backward FLOPs of one sample (backward = 2 x forward): the usual model count. */
    public static final double STEP_FLOPS_PER_SAMPLE = 3 * (CONV_FLOPS_PER_SAMPLE + 2.0 * (256 * 256 + 256 * 50));

    /**
     * The FLOPs a step executes per sample: {@link #STEP_FLOPS_PER_SAMPLE} less conv1's data gradient, which no
     * step computes (nothing needs dL/d(input)): 10.5 instead of 11.2 GFLOP at batch 32, 6 % fewer. The profiler's
     * per-op FLOPs add up to this.
     */
    public static final double EXECUTED_FLOPS_PER_SAMPLE = STEP_FLOPS_PER_SAMPLE - 2.0 * 16 * 108 * 128 * (2 * 25);

    private final BaseCnn net;
    private final Adam adam;
    private final KlLoss kl = new KlLoss(KlReduction.MEAN);
    private final Tensor x;
    private final Tensor z;

    public TrainStep(int batch, long seed) {
        net = new BaseCnn(BaseCnn.Spec.paper(50), seed);
        adam = Adam.paper(net.params());
        Rng r = new Rng(seed + 1);
        float[] xs = new float[batch * 2 * 216 * 128];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) r.nextGaussian();
        }
        x = Tensor.of(xs, batch, 2, 216, 128);
        float[] zs = new float[batch * 50];
        for (int i = 0; i < batch; i++) {
            double s = 0;
            for (int k = 0; k < 50; k++) {
                zs[i * 50 + k] = (float) r.nextDouble();
                s += zs[i * 50 + k];
            }
            for (int k = 0; k < 50; k++) {
                zs[i * 50 + k] /= (float) s;
            }
        }
        z = Tensor.of(zs, batch, 50);
    }

    public BaseCnn net() {
        return net;
    }

    /** Run one step; returns the loss. */
    public float run() {
        net.zeroGrad();
        float loss = kl.forward(net.forward(x), z);
        net.backward(kl.backward());
        adam.step();
        return loss;
    }
}
