package dev.mtdtl.nn;

import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.LinearCpu;

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
        sc.y = Buffers.ensure(sc.y, x.dim(0), out);
        ensureWorkspace(x.dim(0));
        LinearCpu.forward(sc.y.data(), x.data(), w.value().data(), b == null ? null : b.value().data(), x.dim(0), in, out,
                sc.ws);
        return sc.y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        int n = x.dim(0);
        dy.requireShape(w.name() + " backward dy", n, out);
        sc.dx = Buffers.ensure(sc.dx, n, in);
        ensureWorkspace(n);
        LinearCpu.backward(sc.dx.data(), w.grad().data(), b == null ? null : b.grad().data(), dy.data(), x.data(),
                w.value().data(), n, in, out, sc.ws);
        return sc.dx;
    }

    /** GEMM scratch owned by the layer (shared through its Scratch), grown once per batch size, not per call. */
    private void ensureWorkspace(int n) {
        long need = LinearCpu.workspaceFloats(n, in, out);
        if (sc.ws == null || sc.ws.length < need) {
            sc.ws = new float[Math.toIntExact(need)];
        }
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
