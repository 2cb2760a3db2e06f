package dev.mtdtl.nn;

import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

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
        sc.y = Buffers.ensure(sc.y, x.device(), shape[0], shape[1]);
        x.device().ops().gapForward(sc.y, x, shape[0], shape[1], shape[2] * shape[3]);
        return sc.y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dy.requireShape("global average pool backward dy", shape[0], shape[1]);
        sc.dx = Buffers.ensure(sc.dx, dy.device(), shape);
        dy.device().ops().gapBackward(sc.dx, dy, shape[0], shape[1], shape[2] * shape[3]);
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
