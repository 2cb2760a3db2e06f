package dev.mtdtl.nn;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Ops;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

/**
 * ReLU in place, then 2x2 max pooling with stride 2 (floor mode): the end of each of the base network's first
 * five blocks, (N, C, H, W) -> (N, C, H/2, W/2). The same arithmetic as {@link Relu} followed by
 * {@link MaxPool2d}, with a backward that needs neither the ReLU's output nor the pool's input, so that the
 * full-size activation can be forgotten (or its buffer lent to the next block, {@link MemoryPlan}) as soon as
 * the pool has read it.
 *
 * <p>Why the ReLU's mask can be read on the pooled side. Unfused, backward is dx = relu'(r) * P^T(dy), where r
 * is the ReLU output and P^T scatters each pooled gradient to its window's argmax (first maximum of r in
 * row-major order) and puts zeros elsewhere. A zero stays zero under the mask, so only the argmax entries
 * matter, and there r[argmax] is exactly the pooled value p. Hence dx = P^T(dy * [p > 0]): the mask applied to
 * the (4x smaller) pooled gradient, bit for bit the same result.
 */
public final class ReluPool implements Layer {

    private int[] shape;                   // input shape (N, C, H, W)
    private Scratch sc = new Scratch();    // y (pooled, kept for backward), argmax, dx: see Scratch

    /** A fresh instance (no parameters); for {@link Twins}. */
    public ReluPool twin() {
        return new ReluPool();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(2) < 2 || x.dim(3) < 2) {
            throw new IllegalArgumentException("relu + maxpool 2x2: expected (N, C, H>=2, W>=2), got "
                    + Shape.str(x.shape()));
        }
        prepare(x, x.dim(0) * x.dim(1) * (x.dim(2) / 2) * (x.dim(3) / 2));
        Ops ops = x.device().ops();
        ops.reluForward(x, x, x.numel());   // in place: the input is the batch norm's output, read by no one else
        ops.maxPoolForward(sc.y, sc.argmax, x, shape[0], shape[1], shape[2], shape[3]);
        return sc.y;
    }

    /**
     * Size the pooled output for an (N, C, H, W) input that is never stored ({@link BatchNorm#forwardConvReluPoolEval},
     * inference only) and return it; the argmax is left as it was, and no backward may follow.
     */
    Tensor prepareOutput(Device d, int n, int c, int h, int w) {
        shape = new int[]{n, c, h, w};
        sc.y = Buffers.ensure(sc.y, d, n, c, h / 2, w / 2);
        return sc.y;
    }

    /**
     * Size the output and an argmax of {@code argmaxLength} indices for input x (N, C, H, W) on x's device:
     * forward's own, or the fused op's format for {@link BatchNormReluPool}, whose op writes them.
     */
    void prepare(Tensor x, int argmaxLength) {
        shape = x.shape();
        Device d = x.device();
        sc.y = Buffers.ensure(sc.y, d, shape[0], shape[1], shape[2] / 2, shape[3] / 2);
        sc.argmax = Buffers.ensure(sc.argmax, d, argmaxLength);
    }

    /** The pooled output of the last forward (N, C, H/2, W/2). */
    Tensor output() {
        return sc.y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dy.requireShape("relu + maxpool backward dy", sc.y.shape());
        Device d = dy.device();
        Ops ops = d.ops();
        ops.reluBackward(dy, dy, sc.y, dy.numel());   // the mask [p > 0] on the pooled side, in place (see above)
        Tensor dx = sc.inputGrad(dy, d, shape);
        ops.maxPoolBackward(dx, dy, sc.argmax, shape[0], shape[1], shape[2], shape[3]);
        return dx;
    }

    /**
     * The argmax of the last forward: the flat index within each (n, c) plane, or, after a fused forward of
     * {@link BatchNormReluPool}, that op's device format ({@code Ops.fusedArgmaxLength}).
     */
    public Indices argmax() {
        return sc.argmax;
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
