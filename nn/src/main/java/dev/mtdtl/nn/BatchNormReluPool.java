package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;

import java.util.List;

/**
 * Batch norm, ReLU and 2x2 max pooling: the end of the base network's blocks 1..5, (N, C, H, W) ->
 * (N, C, H/2, W/2). Two layers ({@link BatchNorm}, whose parameters and running statistics these are, and
 * {@link ReluPool}) run as one op where the device offers it ({@code Ops.fusesBatchNormReluPool}, the CPU):
 * the full-size normalised tensor is never stored, and the backward, which needs only the batch norm's input,
 * the pooled output and the argmax, writes dL/dx over that input (the previous convolution's output, which
 * nothing reads after this backward) when {@link MemoryPlan} says so. Elsewhere the two layers run one after
 * the other, with the arena placements of the plan; both ways give the same bits.
 *
 * <p>Memory at batch 128, block 1: the unfused pair needs a 113 MB (N, 16, 108, 128) buffer in forward (the
 * normalised tensor) and another in backward (the pool's gradient); fused, neither exists.
 */
public final class BatchNormReluPool implements Layer {

    private final BatchNorm bn;
    private final ReluPool pool;
    private boolean dxOverInput;   // set by MemoryPlan: the input is a conv output that dies in this backward
    private boolean fused;         // how the last forward ran
    private Tensor dx;             // own dL/dx when not written over the input

    public BatchNormReluPool(BatchNorm bn, ReluPool pool) {
        this.bn = bn;
        this.pool = pool;
    }

    /** A twin over the batch norm's twin (shared parameters and running statistics) with its own caches. */
    public BatchNormReluPool twin() {
        BatchNormReluPool t = new BatchNormReluPool(bn.twin(), pool.twin());
        t.dxOverInput = dxOverInput;
        return t;
    }

    public BatchNorm batchNorm() {
        return bn;
    }

    /** Let backward write dL/dx over the forward's input (only when nothing reads that input afterwards). */
    void overwriteInputInBackward(boolean on) {
        dxOverInput = on;
    }

    @Override
    public Tensor forward(Tensor x) {
        fused = x.rank() == 4 && x.device().ops().fusesBatchNormReluPool();
        return fused ? bn.forwardReluPool(x, pool) : pool.forward(bn.forward(x));
    }

    /** Whether the batch norm runs in evaluation mode (running statistics). */
    boolean evaluationMode() {
        return !bn.isTraining();
    }

    /**
     * Inference of the conv before this block and this block as one op (see {@link Conv2d#inferThroughPool}):
     * writes and returns the pool's output. No backward may follow.
     */
    Tensor forwardEvalAfterConv(Tensor convInput, Tensor w, Tensor b, dev.mtdtl.tensor.cpu.ConvGeom g, Tensor ws) {
        fused = true;
        return bn.forwardConvReluPoolEval(convInput, w, b, g, ws, pool);
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (!fused) {
            return bn.backward(pool.backward(dy));
        }
        Tensor x = bn.input();
        if (x == null) {
            throw new IllegalStateException(bn.name() + " + relu + pool: backward without a forward (an inference "
                    + "pass keeps no input)");
        }
        if (!dxOverInput) {
            dx = Buffers.ensure(dx, x.device(), x.shape());
        }
        return bn.backwardReluPool(dy, pool, dxOverInput ? x : dx);
    }

    @Override
    public List<Param> params() {
        return bn.params();
    }

    @Override
    public List<Param> buffers() {
        return bn.buffers();
    }

    @Override
    public void setTraining(boolean training) {
        bn.setTraining(training);
    }

    @Override
    public List<Layer> children() {
        return List.of(bn, pool);
    }
}
