package dev.mtdtl.nn;

import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.GlobalAvgPoolCpu;

/** Global average pooling: (N,C,H,W) -> (N,C), y = mean over H, W; dx = dy / (H*W) broadcast. */
public final class GlobalAvgPool implements Layer {

    private int[] shape;
    private Tensor y;
    private Tensor dx;

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("global average pool: expected (N, C, H, W), got " + Shape.str(x.shape()));
        }
        shape = x.shape();
        y = Buffers.ensure(y, shape[0], shape[1]);
        GlobalAvgPoolCpu.forward(y.data(), x.data(), shape[0], shape[1], shape[2] * shape[3]);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dy.requireShape("global average pool backward dy", shape[0], shape[1]);
        dx = Buffers.ensure(dx, shape);
        GlobalAvgPoolCpu.backward(dx.data(), dy.data(), shape[0], shape[1], shape[2] * shape[3]);
        return dx;
    }
}
