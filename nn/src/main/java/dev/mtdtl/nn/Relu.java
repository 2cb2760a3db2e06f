package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;

/**
 * ReLU, y = max(x, 0); dx = dy where y > 0, else 0 (the derivative at 0 is taken as 0, as PyTorch).
 *
 * <p>With {@code inPlace} the output overwrites the input buffer: right after a BatchNorm, whose
 * backward needs its own input but not its output, this saves one activation per block. Backward only
 * needs y, which is what stays in the buffer. dx overwrites dy in place likewise.
 */
public final class Relu implements Layer {

    private final boolean inPlace;
    private Tensor y;
    private Tensor dx;

    public Relu(boolean inPlace) {
        this.inPlace = inPlace;
    }

    /** A fresh instance (ReLU has no parameters); for {@link Twins}. */
    public Relu twin() {
        return new Relu(inPlace);
    }

    @Override
    public Tensor forward(Tensor x) {
        y = inPlace ? x : Buffers.ensure(y, x.device(), x.shape());
        x.device().ops().reluForward(y, x, x.numel());
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dy.requireShape("relu backward dy", y.shape());
        dx = inPlace ? dy : Buffers.ensure(dx, dy.device(), dy.shape());
        dy.device().ops().reluBackward(dx, dy, y, dy.numel());
        return dx;
    }
}
