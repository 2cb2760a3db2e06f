package dev.mtdtl.nn;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

import java.util.List;

/**
 * Fully connected layer, PyTorch nn.Linear layout: x:(N,IN) w:(OUT,IN) b:(OUT) -> y = x W^T + b.
 * Backward: dx = dy W (written), dW += dy^T x, db += sum over N of dy.
 */
public final class Linear implements Layer {

    private final Param w;   // (OUT, IN)
    private final Param b;   // (OUT) or null
    private final int in;
    private final int out;
    private Tensor x;
    private Scratch sc = new Scratch();   // y, dx: shareable, see Scratch

    public Linear(String name, int in, int out, boolean bias) {
        Shape.requirePositive(name + " in_features", in);
        Shape.requirePositive(name + " out_features", out);
        this.in = in;
        this.out = out;
        this.w = Param.trainable(name + ".weight", out, in);
        this.b = bias ? Param.trainable(name + ".bias", out) : null;
    }

    private Linear(Linear o) {
        this.in = o.in;
        this.out = o.out;
        this.w = o.w;
        this.b = o.b;
    }

    /** A second instance sharing this layer's parameters (value and gradient), with its own caches. */
    public Linear twin() {
        return new Linear(this);
    }

    public Param weight() {
        return w;
    }

    public Param bias() {
        return b;
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != in) {
            throw new IllegalArgumentException(w.name() + ": expected input (N, " + in + "), got " + Shape.str(x.shape()));
        }
        this.x = x;
        Device d = x.device();
        Buffers.sameDevice(w, d);
        sc.y = Buffers.ensure(sc.y, d, x.dim(0), out);
        ensureWorkspace(d, x.dim(0));
        d.ops().linearForward(sc.y, x, w.value(), b == null ? null : b.value(), x.dim(0), in, out, sc.ws);
        return sc.y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        int n = x.dim(0);
        dy.requireShape(w.name() + " backward dy", n, out);
        Device d = x.device();
        sc.dx = Buffers.ensure(sc.dx, d, n, in);
        ensureWorkspace(d, n);
        d.ops().linearBackward(sc.dx, w.grad(), b == null ? null : b.grad(), dy, x, w.value(), n, in, out, sc.ws);
        return sc.dx;
    }

    /** GEMM scratch owned by the layer (shared through its Scratch), grown once per batch size, not per call. */
    private void ensureWorkspace(Device d, int n) {
        sc.ws = Buffers.workspace(sc.ws, d, d.ops().linearWorkspaceFloats(n, in, out));
    }

    @Override
    public List<Param> params() {
        return b == null ? List.of(w) : List.of(w, b);
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
