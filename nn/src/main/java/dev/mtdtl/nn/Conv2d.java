package dev.mtdtl.nn;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Ops;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.ConvGeom;

import java.util.List;

/**
 * 2-D convolution (cross-correlation, as PyTorch's nn.Conv2d), NCHW, zero padding on both sides.
 * x:(N,C,H,W)  w:(OC,C,KH,KW)  b:(OC)  ->  y:(N,OC,HO,WO), HO = floor((H + 2PH - KH)/SH) + 1.
 *
 * <p>Backward: dx = conv-transpose of dy with w (written); dw += sum_n dy (x) x-patches; db += sum of dy
 * over N, HO, WO. The kernels run on the input's device ({@link Ops#convForward} and friends; on the CPU
 * {@code Conv2dCpu}); scratch space is owned here and sized once per input shape and device.
 */
public final class Conv2d implements Layer {

    private final Param w;   // (OC, C, KH, KW)
    private final Param b;   // (OC) or null
    private final int c;
    private final int oc;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int ph;
    private final int pw;

    private boolean inputGrad = true;
    private Tensor x;        // (N, C, H, W), saved by forward for backward
    private ConvGeom g;
    private Scratch sc = new Scratch();   // y (N, OC, HO, WO), dx (N, C, H, W), ws: shareable and placed, see Scratch
    private long wsNeed;                  // workspace floats for g on dev
    private Device dev;

    /** A square-kernel convolution with "same"-style symmetric padding {@code pad} on both axes. */
    public Conv2d(String name, int c, int oc, int k, int sh, int sw, int pad, boolean bias) {
        this(name, c, oc, k, k, sh, sw, pad, pad, bias);
    }

    public Conv2d(String name, int c, int oc, int kh, int kw, int sh, int sw, int ph, int pw, boolean bias) {
        Shape.requirePositive(name + " in_channels", c);
        Shape.requirePositive(name + " out_channels", oc);
        this.c = c;
        this.oc = oc;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
        this.w = Param.trainable(name + ".weight", oc, c, kh, kw);
        this.b = bias ? Param.trainable(name + ".bias", oc) : null;
    }

    /** A twin over the same {@link Param} objects (values and gradients) with its own caches. */
    private Conv2d(Conv2d o) {
        this.c = o.c;
        this.oc = o.oc;
        this.kh = o.kh;
        this.kw = o.kw;
        this.sh = o.sh;
        this.sw = o.sw;
        this.ph = o.ph;
        this.pw = o.pw;
        this.w = o.w;
        this.b = o.b;
        this.inputGrad = o.inputGrad;
    }

    /**
     * A second instance of this layer that shares its parameters (value and gradient tensors) but
     * keeps its own activation caches, so that the same weights can be applied twice before one
     * backward (the Siamese self pair): both backwards accumulate into the one gradient.
     */
    public Conv2d twin() {
        return new Conv2d(this);
    }

    /**
     * Whether backward computes dL/dx. The first layer of a network has no use for it (the input is
     * data), and its data gradient is the most expensive pass of conv1; off, backward returns null.
     */
    public Conv2d setInputGrad(boolean on) {
        this.inputGrad = on;
        this.g = null;   // the workspace size depends on it
        return this;
    }

    public Param weight() {
        return w;
    }

    public Param bias() {
        return b;
    }

    /** fan_in = C*KH*KW and fan_out = OC*KH*KW, as PyTorch and Glorot count them for convolutions. */
    public int fanIn() {
        return c * kh * kw;
    }

    public int fanOut() {
        return oc * kh * kw;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != c) {
            throw new IllegalArgumentException(w.name() + ": expected input (N, " + c + ", H, W), got "
                    + Shape.str(x.shape()));
        }
        this.x = x;
        Device d = x.device();
        Buffers.sameDevice(w, d);
        Ops ops = d.ops();
        ConvGeom geom = new ConvGeom(x.dim(0), c, x.dim(2), x.dim(3), oc, kh, kw, sh, sw, ph, pw);
        if (!geom.equals(g) || d != dev) {
            g = geom;
            dev = d;
            wsNeed = ops.convWorkspaceFloats(g, inputGrad);
        }
        Tensor ws = sc.workspace(d, wsNeed);   // asked every call: the scratch or the arena may be shared
        Tensor y = sc.output(d, g.n(), oc, g.ho(), g.wo());
        ops.convForward(y, x, w.value(), b == null ? null : b.value(), g, ws);
        return y;
    }

    /**
     * This conv and {@code next} (the block's batch norm in evaluation mode, ReLU and pool) as one inference op
     * ({@link Ops#convBatchNormReluPoolForwardEval}) where the device offers it for this geometry; null where it
     * does not (the caller runs the two layers' forwards). Leaves no input for a backward: one would throw.
     */
    Tensor inferThroughPool(Tensor x, BatchNormReluPool next) {
        if (x.rank() != 4 || x.dim(1) != c || !next.evaluationMode()) {
            return null;
        }
        Device d = x.device();
        Ops ops = d.ops();
        ConvGeom geom = new ConvGeom(x.dim(0), c, x.dim(2), x.dim(3), oc, kh, kw, sh, sw, ph, pw);
        if (!ops.fusesConvBatchNormReluPoolEval(geom)) {
            return null;
        }
        Buffers.sameDevice(w, d);
        Tensor ws = sc.workspace(d, ops.convBatchNormReluPoolEvalWorkspaceFloats(geom));
        this.x = null;
        return next.forwardEvalAfterConv(x, w.value(), b == null ? null : b.value(), geom, ws);
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (x == null) {
            throw new IllegalStateException(w.name()
                    + ": backward without a forward (an inference pass keeps no input)");
        }
        dy.requireShape(w.name() + " backward dy", g.n(), oc, g.ho(), g.wo());
        Ops ops = dev.ops();
        Tensor ws = sc.workspace(dev, wsNeed);
        ops.convBackwardFilter(w.grad(), b == null ? null : b.grad(), dy, x, g, ws);
        if (!inputGrad) {
            return null;
        }
        Tensor dx = sc.inputGrad(dy, dev, g.n(), c, g.h(), g.w());
        ops.convBackwardData(dx, dy, w.value(), g, ws);
        return dx;
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
