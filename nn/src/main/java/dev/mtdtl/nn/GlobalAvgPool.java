package dev.mtdtl.nn;

import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.GlobalAvgPoolCpu;

/** Global average pooling: (N,C,H,W) -> (N,C), y = mean over H, W; dx = dy / (H*W) broadcast. */
public final class GlobalAvgPool implements Layer {

    private int[] shape;
    private Scratch sc = new Scratch();   // y, dx: shareable, see Scratch

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("global average pool: expected (N, C, H, W), got " + Shape.str(x.shape()));
        }
        shape = x.shape();
        sc.y = Buffers.ensure(sc.y, shape[0], shape[1]);
        GlobalAvgPoolCpu.forward(sc.y.data(), x.data(), shape[0], shape[1], shape[2] * shape[3]);
        return sc.y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dy.requireShape("global average pool backward dy", shape[0], shape[1]);
        sc.dx = Buffers.ensure(sc.dx, shape);
        GlobalAvgPoolCpu.backward(sc.dx.data(), dy.data(), shape[0], shape[1], shape[2] * shape[3]);
        return sc.dx;
    }

    @Override
    public Scratch scratch() {
        return sc;
    }

    @Override
    public void useScratch(Scratch s) {
        sc = s;
    }
}
