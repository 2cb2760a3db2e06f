package dev.mtdtl.nn;

import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

/**
 * Max pooling 2x2, stride 2, no padding, floor mode: (N,C,H,W) -> (N,C,H/2,W/2). An odd last row or
 * column is never in a window and gets zero gradient. Backward routes each output gradient to the
 * window's first maximum in row-major order (PyTorch's choice on CPU), via the saved argmax.
 */
public final class MaxPool2d implements Layer {

    private int[] shape;     // input shape (N, C, H, W)
    private Scratch sc = new Scratch();   // y, dx, argmax: shareable, see Scratch

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(2) < 2 || x.dim(3) < 2) {
            throw new IllegalArgumentException("maxpool 2x2: expected (N, C, H>=2, W>=2), got " + Shape.str(x.shape()));
        }
        shape = x.shape();
        int n = shape[0];
        int c = shape[1];
        int h = shape[2];
        int w = shape[3];
        Device d = x.device();
        sc.y = Buffers.ensure(sc.y, d, n, c, h / 2, w / 2);
        sc.argmax = Buffers.ensure(sc.argmax, d, sc.y.numel());
        d.ops().maxPoolForward(sc.y, sc.argmax, x, n, c, h, w);
        return sc.y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dy.requireShape("maxpool backward dy", sc.y.shape());
        Device d = dy.device();
        sc.dx = Buffers.ensure(sc.dx, d, shape);
        d.ops().maxPoolBackward(sc.dx, dy, sc.argmax, shape[0], shape[1], shape[2], shape[3]);
        return sc.dx;
    }

    /** The argmax of the last forward (flat index within each (n, c) plane). */
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
