package dev.mtdtl.tensor;

import dev.mtdtl.tensor.cpu.ConvGeom;
import dev.mtdtl.tensor.cpu.KlReduction;

/**
 * Every compute op a layer, loss or optimiser calls, on the tensors of one {@link Device}. The CPU
 * implementation ({@code tensor/cpu/CpuDevice}) forwards to the {@code *Cpu} kernels and the CUDA one
 * (cuda-kernels' {@code CudaDevice}) to the {@code *Cuda} launchers; both take the same arguments in
 * the same order, so each method's contract (shapes, accumulate or write) is the kernel's, documented
 * once on the CPU kernel named in brackets. The math of each layer stays in the layer (nn/), which
 * calls these in order; this interface only says where the arithmetic runs.
 *
 * <p>Outputs are written unless the kernel says it accumulates (parameter gradients: +=). A bias or
 * its gradient may be null. All tensors must live on this ops' device.
 */
public interface Ops {

    // ---- convolution [Conv2dCpu] ---------------------------------------------------------------

    /** Workspace floats the three directions need for geometry {@code g} on this device. */
    long convWorkspaceFloats(ConvGeom g);

    /**
     * Workspace floats for forward and filter gradient, and for the data gradient only if {@code dataGrad}
     * (a first layer never asks for it). A device whose workspace does not depend on it keeps the default.
     */
    default long convWorkspaceFloats(ConvGeom g, boolean dataGrad) {
        return convWorkspaceFloats(g);
    }

    /** y:(N,OC,HO,WO) = conv(x:(N,C,H,W), w:(OC,C,KH,KW)) + b:(OC). */
    void convForward(Tensor y, Tensor x, Tensor w, Tensor b, ConvGeom g, Tensor ws);

    /** dx:(N,C,H,W) = conv-transpose(dy, w), written. */
    void convBackwardData(Tensor dx, Tensor dy, Tensor w, ConvGeom g, Tensor ws);

    /** dw += sum over n of dy (x) x-patches; db += sum of dy (db may be null). */
    void convBackwardFilter(Tensor dw, Tensor db, Tensor dy, Tensor x, ConvGeom g, Tensor ws);

    // ---- batch norm [BatchNormCpu]; x:(N,C,S), per-channel tensors (C) --------------------------

    void batchNormForwardTrain(Tensor y, Tensor saveMean, Tensor saveInvstd, Tensor x, Tensor gamma, Tensor beta,
                               Tensor runningMean, Tensor runningVar, int n, int c, int s, float momentum, float eps);

    void batchNormBackwardTrain(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor saveMean,
                                Tensor saveInvstd, Tensor gamma, int n, int c, int s);

    void batchNormForwardEval(Tensor y, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                              int n, int c, int s, float eps);

    void batchNormBackwardEval(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor gamma,
                               Tensor runningMean, Tensor runningVar, int n, int c, int s, float eps);

    // ---- batch norm + ReLU + 2x2 max pool in one op [BatchNormPoolCpu]; x:(N,C,H,W), y:(N,C,H/2,W/2) ----
    // Optional: a device that offers it saves the full-size intermediate tensors (CPU memory, issue 15); the
    // layers fall back to batch norm, ReLU and pool one after the other (same bits) where it does not.

    /** Whether the three ops below exist on this device. */
    default boolean fusesBatchNormReluPool() {
        return false;
    }

    /**
     * Length of the argmax the fused ops write for an (N, C, H, W) input: the device's own format (the CPU packs
     * 2 bits per window); only the fused backward reads it.
     */
    default int fusedArgmaxLength(int n, int c, int h, int w) {
        return n * c * (h / 2) * (w / 2);
    }

    /** Training mode: y, argmax = maxpool(relu(batchnorm(x))); saveMean, saveInvstd written; running stats move. */
    default void batchNormReluPoolForwardTrain(Tensor y, Indices argmax, Tensor saveMean, Tensor saveInvstd, Tensor x,
                                               Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, int n,
                                               int c, int h, int w, float momentum, float eps) {
        throw new UnsupportedOperationException("fused batch norm + ReLU + pool on " + getClass().getSimpleName());
    }

    /** Evaluation mode, with the running statistics. */
    default void batchNormReluPoolForwardEval(Tensor y, Indices argmax, Tensor x, Tensor gamma, Tensor beta,
                                              Tensor runningMean, Tensor runningVar, int n, int c, int h, int w,
                                              float eps) {
        throw new UnsupportedOperationException("fused batch norm + ReLU + pool on " + getClass().getSimpleName());
    }

    /** Training-mode backward from dy (N,C,H/2,W/2): dx (may be x itself) written, dgamma/dbeta accumulated. */
    default void batchNormReluPoolBackwardTrain(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Indices argmax,
                                                Tensor y, Tensor x, Tensor saveMean, Tensor saveInvstd, Tensor gamma,
                                                int n, int c, int h, int w) {
        throw new UnsupportedOperationException("fused batch norm + ReLU + pool on " + getClass().getSimpleName());
    }

    /** Evaluation-mode backward (running statistics): dx (may be x itself) written, dgamma/dbeta accumulated. */
    default void batchNormReluPoolBackwardEval(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Indices argmax,
                                               Tensor y, Tensor x, Tensor gamma, Tensor runningMean,
                                               Tensor runningVar, int n, int c, int h, int w, float eps) {
        throw new UnsupportedOperationException("fused batch norm + ReLU + pool on " + getClass().getSimpleName());
    }

    // ---- inference through a pooled block in one op [ConvPoolEvalCpu] -------------------------------
    // Optional, forward only: conv, then evaluation-mode batch norm + ReLU + 2x2 max pool, without the conv's full
    // output in memory. Callers fall back to convForward and batchNormReluPoolForwardEval (same bits) elsewhere.

    /** Whether {@link #convBatchNormReluPoolForwardEval} takes geometry g on this device. */
    default boolean fusesConvBatchNormReluPoolEval(ConvGeom g) {
        return false;
    }

    /** Workspace floats of {@link #convBatchNormReluPoolForwardEval} for g (at the current thread count). */
    default long convBatchNormReluPoolEvalWorkspaceFloats(ConvGeom g) {
        throw new UnsupportedOperationException("conv + batch norm + pool in one op on " + getClass().getSimpleName());
    }

    /** y:(N,OC,HO/2,WO/2) = maxpool(relu(batchnorm_eval(conv(x, w) + b))); b may be null. */
    default void convBatchNormReluPoolForwardEval(Tensor y, Tensor x, Tensor w, Tensor b, Tensor gamma, Tensor beta,
                                                  Tensor runningMean, Tensor runningVar, float eps, ConvGeom g,
                                                  Tensor ws) {
        throw new UnsupportedOperationException("conv + batch norm + pool in one op on " + getClass().getSimpleName());
    }

    // ---- pooling and element-wise ------------------------------------------------------------------

    /** 2x2/2 max pool [MaxPoolCpu]; argmax: one flat in-plane index per output. */
    void maxPoolForward(Tensor y, Indices argmax, Tensor x, int n, int c, int h, int w);

    void maxPoolBackward(Tensor dx, Tensor dy, Indices argmax, int n, int c, int h, int w);

    /** y = max(x, 0) [ReluCpu]; y may be x. */
    void reluForward(Tensor y, Tensor x, int len);

    /** dx = y > 0 ? dy : 0, from the OUTPUT y; dx may be dy. */
    void reluBackward(Tensor dx, Tensor dy, Tensor y, int len);

    /** y:(N,C) = mean over S of x:(N,C,S) [GlobalAvgPoolCpu]. */
    void gapForward(Tensor y, Tensor x, int n, int c, int s);

    void gapBackward(Tensor dx, Tensor dy, int n, int c, int s);

    /** Inverted dropout with a counter-based mask from {@code seed} [DropoutCpu]. */
    void dropoutForward(Tensor y, Tensor mask, Tensor x, int len, float p, long seed);

    void dropoutBackward(Tensor dx, Tensor dy, Tensor mask, int len);

    // ---- linear [LinearCpu] ----------------------------------------------------------------------

    long linearWorkspaceFloats(int n, int in, int out);

    /** y:(N,OUT) = x:(N,IN) w:(OUT,IN)^T + b. */
    void linearForward(Tensor y, Tensor x, Tensor w, Tensor b, int n, int in, int out, Tensor ws);

    /** dx written (may be null: not needed); dw += dy^T x; db += column sums of dy. */
    void linearBackward(Tensor dx, Tensor dw, Tensor db, Tensor dy, Tensor x, Tensor w, int n, int in, int out,
                        Tensor ws);

    // ---- losses [SoftmaxCpu]: the value comes back to the host (a GPU waits for it) -------------

    float klForward(Tensor p, Tensor logits, Tensor z, int n, int k, KlReduction r);

    void klBackward(Tensor dlogits, Tensor p, Tensor z, int n, int k, KlReduction r);

    float crossEntropyForward(Tensor p, Tensor logits, Indices target, int n, int k);

    void crossEntropyBackward(Tensor dlogits, Tensor p, Indices target, int n, int k);

    // ---- optimiser [AdamCpu] ---------------------------------------------------------------------

    /** One Adam step (t counts from 1) over all of p, with PyTorch's coupled L2 weight decay. */
    void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, int t, float lr, float beta1, float beta2, float eps,
                  float weightDecay);

    /**
     * {@link #adamStep} on every (p[i], g[i], m[i], v[i]) of a parameter group, all at step t. Element-wise, so
     * the bits are those of the calls one by one however a device splits the work; the CPU runs the group as one
     * parallel loop (the base CNN's 34 tensors were 34 calls, most too small to split: 0.4 ms on one thread).
     */
    default void adamSteps(java.util.List<Tensor> p, java.util.List<Tensor> g, java.util.List<Tensor> m,
                           java.util.List<Tensor> v, int t, float lr, float beta1, float beta2, float eps,
                           float weightDecay) {
        for (int i = 0; i < p.size(); i++) {
            adamStep(p.get(i), g.get(i), m.get(i), v.get(i), t, lr, beta1, beta2, eps, weightDecay);
        }
    }

    // ---- layout ----------------------------------------------------------------------------------

    /** cat:(N, DA+DB) rows = [a:(N,DA) row, b:(N,DB) row] (the Siamese head's concatenation). */
    void concatColumns(Tensor cat, Tensor a, Tensor b, int n, int da, int db);

    /** The inverse: da:(N,DA), db:(N,DB) from the column blocks of cat:(N, DA+DB), written. */
    void splitColumns(Tensor da, Tensor db, Tensor cat, int n, int dA, int dB);

    /**
     * True when every element of every tensor is finite (the trainer's per-step gradient check: a GPU answers
     * with one flag for all tensors, one read-back).
     */
    boolean allFinite(java.util.List<Tensor> ts);
}
