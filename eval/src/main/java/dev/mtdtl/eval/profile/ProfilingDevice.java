package dev.mtdtl.eval.profile;

import dev.mtdtl.tensor.ComputeThreads;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.DeviceMemory;
import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.LoopStats;
import dev.mtdtl.tensor.Ops;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.ConvGeom;
import dev.mtdtl.tensor.cpu.KlReduction;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@link Device} that runs every op on an inner device (the CPU or a GPU) and records each call: its name,
 * its shapes, its wall time (the inner device is synchronised before and after, so a GPU op's time is its
 * own and not the queue's), the FLOPs it does and the bytes it must move. The network, loss, optimiser and
 * trainer run on it unchanged: they only see a non-CPU device and its {@link Ops}.
 *
 * <p>Tensors made here wrap a tensor of the inner device ({@link Wrapped}); each op unwraps its arguments
 * and calls the inner device's op, so the arithmetic is exactly the inner device's (a profiled step
 * computes the same bits as a plain one). Host-device copies are recorded on a GPU; on the CPU the wrapper's
 * uploads and downloads are plain array copies that a CPU run does not make, so they are not recorded.
 *
 * <p>Cost model (documented once here, the "compulsory traffic" model): bytes = 4 x (every element an op
 * must read, counted once, plus every element it writes; an accumulated gradient counts as read and write).
 * Real kernels move more (im2col buffers, a second pass of batch norm, cache misses), so GB/s here is a lower
 * bound on the traffic and the roofline's intensity an upper bound. FLOPs count a multiply-add as 2 and a
 * compare, exp or square root as 1, following each kernel's Javadoc.
 */
public final class ProfilingDevice implements Device, Ops {

    /**
     * One recorded op call. {@code detail}: shapes; {@code startNs}: from the recorder's epoch; {@code allocBytes}:
     * heap bytes the compute threads (the calling thread and the CPU pool's workers) allocated during the call (-1
     * where the JVM cannot say): a kernel that C2 compiled boxed shows whichever thread ran it.
     */
    public record OpCall(String op, String detail, long startNs, long nanos, double flops, double bytes,
                         String thread, long allocBytes, long loops, long waitNanos) {

        /** A call with no parallel loops counted (a device that runs none, or LoopStats off). */
        public OpCall(String op, String detail, long startNs, long nanos, double flops, double bytes, String thread,
                      long allocBytes) {
            this(op, detail, startNs, nanos, flops, bytes, thread, allocBytes, 0, 0);
        }
    }

    /** Device memory of this device: a tensor (or indices) of the inner device. */
    static final class Wrapped implements DeviceMemory {
        final Tensor t;
        final Indices i;

        Wrapped(Tensor t, Indices i) {
            this.t = t;
            this.i = i;
        }

        @Override
        public long elements() {
            return t != null ? t.numel() : i.length();
        }

        @Override
        public DeviceMemory slice(long offset, long elements) {
            if (offset != 0 || t == null) {   // a head of a tensor (an arena slot) is all the layers take
                throw new UnsupportedOperationException("the profiling device wraps allocations and their heads only");
            }
            return new Wrapped(t.head(Math.toIntExact(elements)), null);
        }
    }

    private final Device inner;
    private final long epoch = System.nanoTime();
    private final List<OpCall> calls = new ArrayList<>();
    private boolean recording;

    public ProfilingDevice(Device inner) {
        this.inner = inner;
    }

    /** The device the ops run on. */
    public Device inner() {
        return inner;
    }

    /** Start (true) or stop recording calls; ops run either way. */
    public void record(boolean on) {
        recording = on;
    }

    /** The calls recorded so far, in issue order (the list is live: copy it before clearing). */
    public List<OpCall> calls() {
        return calls;
    }

    public void clear() {
        calls.clear();
    }

    /** Nanoseconds since this device was made (the trace's clock). */
    public long now() {
        return System.nanoTime() - epoch;
    }

    // ---- timing ----------------------------------------------------------------------------------

    /** The compute threads' allocation counter when {@link #start} ran (one thread issues ops at a time). */
    private long alloc0;
    /** The CPU pool's loop count and caller wait ({@link LoopStats}) when {@link #start} ran. */
    private long loops0;
    private long wait0;

    private long start() {
        if (recording) {
            inner.synchronize();
            alloc0 = allocated();
            loops0 = LoopStats.loopCount();
            wait0 = LoopStats.callerWaitNanos();
        }
        return System.nanoTime();
    }

    private void end(long t0, String op, String detail, double flops, double bytes) {
        if (!recording) {
            return;
        }
        inner.synchronize();
        long t1 = System.nanoTime();
        long a = allocated();
        calls.add(new OpCall(op, detail, t0 - epoch, t1 - t0, flops, bytes, Thread.currentThread().getName(),
                a < 0 || alloc0 < 0 ? -1 : a - alloc0, LoopStats.loopCount() - loops0,
                LoopStats.callerWaitNanos() - wait0));
    }

    /**
     * Run {@code body} as one recorded op (when recording) with the given cost model: how the profile times work
     * that does not go through a device, such as the audio front end ({@link FrontEnd}).
     */
    public <T> T timed(String op, String detail, double flops, double bytes, java.util.function.Supplier<T> body) {
        long t0 = start();
        T r = body.get();
        end(t0, op, detail, flops, bytes);
        return r;
    }

    private static long allocated() {
        return ComputeThreads.countsAllocation() ? ComputeThreads.allocatedBytes() : -1;
    }

    private static String s(Tensor t) {
        return t == null ? "-" : dev.mtdtl.tensor.Shape.str(t.shape());
    }

    private static String geom(ConvGeom g) {
        return String.format(Locale.ROOT, "%dx%dx%dx%d k%dx%d s%d,%d -> %dx%dx%dx%d", g.n(), g.c(), g.h(), g.w(),
                g.kh(), g.kw(), g.sh(), g.sw(), g.n(), g.oc(), g.ho(), g.wo());
    }

    // ---- wrapping --------------------------------------------------------------------------------

    private Tensor u(Tensor t) {
        if (t == null) {
            return null;
        }
        if (t.device() != this) {
            throw new IllegalArgumentException("tensor " + t + " is not on the profiling device");
        }
        Tensor it = ((Wrapped) t.memory()).t;
        return it.hasShape(t.shape()) ? it : it.numel() == t.numel() ? it.view(t.shape()) : it.head(t.shape());
    }

    private Indices u(Indices i) {
        if (i.device() != this) {
            throw new IllegalArgumentException("indices are not on the profiling device");
        }
        return ((Wrapped) i.memory()).i;
    }

    private List<Tensor> u(List<Tensor> ts) {
        List<Tensor> r = new ArrayList<>(ts.size());
        for (Tensor t : ts) {
            r.add(u(t));
        }
        return r;
    }

    // ---- Device ----------------------------------------------------------------------------------

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean isCpu() {
        return false;
    }

    @Override
    public Ops ops() {
        return this;
    }

    @Override
    public Tensor zeros(int... shape) {
        Tensor t = inner.zeros(shape);
        return Tensor.onDevice(this, new Wrapped(t, null), shape);
    }

    @Override
    public Indices indices(int n) {
        return Indices.onDevice(this, new Wrapped(null, inner.indices(n)), n);
    }

    @Override
    public void copy(Indices dst, Indices src) {
        Indices d = dst.device() == this ? u(dst) : dst;
        Indices s = src.device() == this ? u(src) : src;
        long t0 = start();
        if (d.device().isCpu() && s.device().isCpu()) {
            System.arraycopy(s.host(), 0, d.host(), 0, s.length());
        } else {
            (d.device().isCpu() ? s.device() : d.device()).copy(d, s);
        }
        copied(t0, s.device().isCpu(), d.device().isCpu(), s.length(), "int32[" + s.length() + "]");
    }

    @Override
    public void fill(Tensor t, float v) {
        long t0 = start();
        u(t).fill(v);
        end(t0, "fill", s(t), 0, 4.0 * t.numel());
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        Tensor d = dst.device() == this ? u(dst) : dst;
        Tensor s = src.device() == this ? u(src) : src;
        long t0 = start();
        d.copyFrom(s);
        copied(t0, src.device().isCpu(), dst.device().isCpu(), src.numel(), s(src));
    }

    /** Record a copy: host<->device on a GPU (bytes crossing the bus), device->device anywhere. */
    private void copied(long t0, boolean fromHost, boolean toHost, long n, String detail) {
        if (fromHost || toHost) {
            if (!inner.isCpu()) {
                end(t0, fromHost ? "copy.h2d" : "copy.d2h", detail, 0, 4.0 * n);
            }
        } else {
            end(t0, "copy.d2d", detail, 0, 8.0 * n);
        }
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    @Override
    public long bytesInUse() {
        return inner.bytesInUse();
    }

    // ---- Ops: convolution ------------------------------------------------------------------------

    @Override
    public long convWorkspaceFloats(ConvGeom g) {
        return inner.ops().convWorkspaceFloats(g);
    }

    @Override
    public void convForward(Tensor y, Tensor x, Tensor w, Tensor b, ConvGeom g, Tensor ws) {
        long t0 = start();
        inner.ops().convForward(u(y), u(x), u(w), u(b), g, u(ws));
        end(t0, "conv.fwd", geom(g), g.flops(), 4.0 * ((double) g.xSize() + g.wSize() + g.ySize() + g.oc()));
    }

    @Override
    public void convBackwardData(Tensor dx, Tensor dy, Tensor w, ConvGeom g, Tensor ws) {
        long t0 = start();
        inner.ops().convBackwardData(u(dx), u(dy), u(w), g, u(ws));
        end(t0, "conv.bwd_data", geom(g), g.flops(), 4.0 * ((double) g.ySize() + g.wSize() + g.xSize()));
    }

    @Override
    public void convBackwardFilter(Tensor dw, Tensor db, Tensor dy, Tensor x, ConvGeom g, Tensor ws) {
        long t0 = start();
        inner.ops().convBackwardFilter(u(dw), u(db), u(dy), u(x), g, u(ws));
        // dw: read and written (accumulated); db adds one sum over N*HO*WO per output channel
        double flops = g.flops() + (db == null ? 0 : (double) g.ySize());
        end(t0, "conv.bwd_filter", geom(g), flops,
                4.0 * ((double) g.ySize() + g.xSize() + 2.0 * g.wSize() + (db == null ? 0 : 2.0 * g.oc())));
    }

    // ---- Ops: batch norm (len = n*c*s; per-channel tensors are negligible and not counted) --------

    private static String bn(int n, int c, int s) {
        return n + "x" + c + "x" + s;
    }

    @Override
    public void batchNormForwardTrain(Tensor y, Tensor saveMean, Tensor saveInvstd, Tensor x, Tensor gamma, Tensor beta,
                                      Tensor runningMean, Tensor runningVar, int n, int c, int s, float momentum,
                                      float eps) {
        long t0 = start();
        inner.ops().batchNormForwardTrain(u(y), u(saveMean), u(saveInvstd), u(x), u(gamma), u(beta), u(runningMean),
                u(runningVar), n, c, s, momentum, eps);
        double len = (double) n * c * s;   // mean (1), variance (3: subtract, square, add), normalise + affine (3)
        end(t0, "bn.fwd_train", bn(n, c, s), 7 * len, 8 * len);
    }

    @Override
    public void batchNormBackwardTrain(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor saveMean,
                                       Tensor saveInvstd, Tensor gamma, int n, int c, int s) {
        long t0 = start();
        inner.ops().batchNormBackwardTrain(u(dx), u(dgamma), u(dbeta), u(dy), u(x), u(saveMean), u(saveInvstd),
                u(gamma), n, c, s);
        double len = (double) n * c * s;   // sums of dy and dy*xhat (4), then dx (5)
        end(t0, "bn.bwd_train", bn(n, c, s), 9 * len, 12 * len);
    }

    @Override
    public void batchNormForwardEval(Tensor y, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                     Tensor runningVar, int n, int c, int s, float eps) {
        long t0 = start();
        inner.ops().batchNormForwardEval(u(y), u(x), u(gamma), u(beta), u(runningMean), u(runningVar), n, c, s, eps);
        double len = (double) n * c * s;   // one scale-and-shift FMA per element
        end(t0, "bn.fwd_eval", bn(n, c, s), 2 * len, 8 * len);
    }

    @Override
    public void batchNormBackwardEval(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor gamma,
                                      Tensor runningMean, Tensor runningVar, int n, int c, int s, float eps) {
        long t0 = start();
        inner.ops().batchNormBackwardEval(u(dx), u(dgamma), u(dbeta), u(dy), u(x), u(gamma), u(runningMean),
                u(runningVar), n, c, s, eps);
        double len = (double) n * c * s;
        end(t0, "bn.bwd_eval", bn(n, c, s), 5 * len, 12 * len);
    }

    // ---- Ops: batch norm + ReLU + pool in one op (where the inner device has it) ----------------------

    @Override
    public boolean fusesBatchNormReluPool() {
        return inner.ops().fusesBatchNormReluPool();
    }

    @Override
    public int fusedArgmaxLength(int n, int c, int h, int w) {
        return inner.ops().fusedArgmaxLength(n, c, h, w);
    }

    @Override
    public void batchNormReluPoolBackwardEval(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Indices argmax,
                                              Tensor y, Tensor x, Tensor gamma, Tensor runningMean,
                                              Tensor runningVar, int n, int c, int h, int w, float eps) {
        long t0 = start();
        inner.ops().batchNormReluPoolBackwardEval(u(dx), u(dgamma), u(dbeta), u(dy), u(argmax), u(y), u(x), u(gamma),
                u(runningMean), u(runningVar), n, c, h, w, eps);
        double in = (double) n * c * h * w;
        end(t0, "bnpool.bwd_eval", n + "x" + c + "x" + h + "x" + w, 4 * in, 4 * (3 * in + 1.5 * in));
    }

    @Override
    public void batchNormReluPoolForwardTrain(Tensor y, Indices argmax, Tensor saveMean, Tensor saveInvstd, Tensor x,
                                              Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, int n,
                                              int c, int h, int w, float momentum, float eps) {
        long t0 = start();
        inner.ops().batchNormReluPoolForwardTrain(u(y), u(argmax), u(saveMean), u(saveInvstd), u(x), u(gamma), u(beta),
                u(runningMean), u(runningVar), n, c, h, w, momentum, eps);
        double in = (double) n * c * h * w;
        double out = in / 4;   // statistics (3 reads' worth of flops), normalise (2), ReLU (1), 3 compares per output
        end(t0, "bnpool.fwd_train", n + "x" + c + "x" + h + "x" + w, 6 * in + 3 * out, 4 * (3 * in + 2 * out));
    }

    @Override
    public boolean fusesConvBatchNormReluPoolEval(ConvGeom g) {
        return inner.ops().fusesConvBatchNormReluPoolEval(g);
    }

    @Override
    public long convBatchNormReluPoolEvalWorkspaceFloats(ConvGeom g) {
        return inner.ops().convBatchNormReluPoolEvalWorkspaceFloats(g);
    }

    @Override
    public void convBatchNormReluPoolForwardEval(Tensor y, Tensor x, Tensor w, Tensor b, Tensor gamma, Tensor beta,
                                                 Tensor runningMean, Tensor runningVar, float eps, ConvGeom g,
                                                 Tensor ws) {
        long t0 = start();
        inner.ops().convBatchNormReluPoolForwardEval(u(y), u(x), u(w), u(b), u(gamma), u(beta), u(runningMean),
                u(runningVar), eps, g, u(ws));
        double out = (double) g.ySize() / 4;   // FLOPs: the conv's, then the batch norm + pool's (as bnpool.fwd_eval)
        end(t0, "convpool.fwd_eval", geom(g), g.flops() + 3.0 * g.ySize() + 3 * out,
                4.0 * ((double) g.xSize() + g.wSize() + out));
    }

    @Override
    public void batchNormReluPoolForwardEval(Tensor y, Indices argmax, Tensor x, Tensor gamma, Tensor beta,
                                             Tensor runningMean, Tensor runningVar, int n, int c, int h, int w,
                                             float eps) {
        long t0 = start();
        inner.ops().batchNormReluPoolForwardEval(u(y), u(argmax), u(x), u(gamma), u(beta), u(runningMean),
                u(runningVar), n, c, h, w, eps);
        double in = (double) n * c * h * w;
        double out = in / 4;
        end(t0, "bnpool.fwd_eval", n + "x" + c + "x" + h + "x" + w, 3 * in + 3 * out, 4 * (in + 2 * out));
    }

    @Override
    public void batchNormReluPoolBackwardTrain(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Indices argmax,
                                               Tensor y, Tensor x, Tensor saveMean, Tensor saveInvstd, Tensor gamma,
                                               int n, int c, int h, int w) {
        long t0 = start();
        inner.ops().batchNormReluPoolBackwardTrain(u(dx), u(dgamma), u(dbeta), u(dy), u(argmax), u(y), u(x),
                u(saveMean), u(saveInvstd), u(gamma), n, c, h, w);
        double in = (double) n * c * h * w;
        double out = in / 4;   // two passes over x (sums, then dx: 3 + 4 flops), the gradient rebuilt per plane
        end(t0, "bnpool.bwd_train", n + "x" + c + "x" + h + "x" + w, 7 * in, 4 * (3 * in + 6 * out));
    }

    // ---- Ops: pooling, element-wise ----------------------------------------------------------------

    @Override
    public void maxPoolForward(Tensor y, Indices argmax, Tensor x, int n, int c, int h, int w) {
        long t0 = start();
        inner.ops().maxPoolForward(u(y), u(argmax), u(x), n, c, h, w);
        double in = (double) n * c * h * w;
        double out = (double) n * c * (h / 2) * (w / 2);   // 3 compares per output; writes value and argmax
        end(t0, "pool.fwd", n + "x" + c + "x" + h + "x" + w, 3 * out, 4 * (in + 2 * out));
    }

    @Override
    public void maxPoolBackward(Tensor dx, Tensor dy, Indices argmax, int n, int c, int h, int w) {
        long t0 = start();
        inner.ops().maxPoolBackward(u(dx), u(dy), u(argmax), n, c, h, w);
        double in = (double) n * c * h * w;
        double out = (double) n * c * (h / 2) * (w / 2);   // a scatter: no arithmetic
        end(t0, "pool.bwd", n + "x" + c + "x" + h + "x" + w, 0, 4 * (in + 2 * out));
    }

    @Override
    public void reluForward(Tensor y, Tensor x, int len) {
        long t0 = start();
        inner.ops().reluForward(u(y), u(x), len);
        end(t0, "relu.fwd", String.valueOf(len), len, 8.0 * len);
    }

    @Override
    public void reluBackward(Tensor dx, Tensor dy, Tensor y, int len) {
        long t0 = start();
        inner.ops().reluBackward(u(dx), u(dy), u(y), len);
        end(t0, "relu.bwd", String.valueOf(len), len, 12.0 * len);
    }

    @Override
    public void gapForward(Tensor y, Tensor x, int n, int c, int s) {
        long t0 = start();
        inner.ops().gapForward(u(y), u(x), n, c, s);
        double len = (double) n * c * s;
        end(t0, "gap.fwd", bn(n, c, s), len, 4 * (len + (double) n * c));
    }

    @Override
    public void gapBackward(Tensor dx, Tensor dy, int n, int c, int s) {
        long t0 = start();
        inner.ops().gapBackward(u(dx), u(dy), n, c, s);
        double len = (double) n * c * s;
        end(t0, "gap.bwd", bn(n, c, s), len, 4 * (len + (double) n * c));
    }

    @Override
    public void dropoutForward(Tensor y, Tensor mask, Tensor x, int len, float p, long seed) {
        long t0 = start();
        inner.ops().dropoutForward(u(y), u(mask), u(x), len, p, seed);
        end(t0, "dropout.fwd", String.valueOf(len), 2.0 * len, 12.0 * len);   // draw-compare, scale; writes y, mask
    }

    @Override
    public void dropoutBackward(Tensor dx, Tensor dy, Tensor mask, int len) {
        long t0 = start();
        inner.ops().dropoutBackward(u(dx), u(dy), u(mask), len);
        end(t0, "dropout.bwd", String.valueOf(len), len, 12.0 * len);
    }

    // ---- Ops: linear -------------------------------------------------------------------------------

    @Override
    public long linearWorkspaceFloats(int n, int in, int out) {
        return inner.ops().linearWorkspaceFloats(n, in, out);
    }

    @Override
    public void linearForward(Tensor y, Tensor x, Tensor w, Tensor b, int n, int in, int out, Tensor ws) {
        long t0 = start();
        inner.ops().linearForward(u(y), u(x), u(w), u(b), n, in, out, u(ws));
        end(t0, "linear.fwd", n + "x" + in + " -> " + out, 2.0 * n * in * out + (double) n * out,
                4.0 * ((double) n * in + (double) in * out + out + (double) n * out));
    }

    @Override
    public void linearBackward(Tensor dx, Tensor dw, Tensor db, Tensor dy, Tensor x, Tensor w, int n, int in, int out,
                               Tensor ws) {
        long t0 = start();
        inner.ops().linearBackward(u(dx), u(dw), u(db), u(dy), u(x), u(w), n, in, out, u(ws));
        double gemm = 2.0 * n * in * out;   // dw = dy^T x, and dx = dy w when asked for
        double flops = gemm + (dx == null ? 0 : gemm) + (db == null ? 0 : (double) n * out);
        double bytes = 4.0 * ((double) n * out + (double) n * in + 2.0 * in * out
                + (dx == null ? 0 : (double) in * out + (double) n * in) + (db == null ? 0 : 2.0 * out));
        end(t0, "linear.bwd", n + "x" + in + " -> " + out, flops, bytes);
    }

    // ---- Ops: losses (softmax: max, subtract, exp, sum, divide ~ 5 per element) ---------------------

    @Override
    public float klForward(Tensor p, Tensor logits, Tensor z, int n, int k, KlReduction r) {
        long t0 = start();
        float v = inner.ops().klForward(u(p), u(logits), u(z), n, k, r);
        end(t0, "kl.fwd", n + "x" + k, 8.0 * n * k, 12.0 * n * k);   // softmax, then z (log z - log p)
        return v;
    }

    @Override
    public void klBackward(Tensor dlogits, Tensor p, Tensor z, int n, int k, KlReduction r) {
        long t0 = start();
        inner.ops().klBackward(u(dlogits), u(p), u(z), n, k, r);
        end(t0, "kl.bwd", n + "x" + k, 2.0 * n * k, 12.0 * n * k);   // (p - z) / scale
    }

    @Override
    public float crossEntropyForward(Tensor p, Tensor logits, Indices target, int n, int k) {
        long t0 = start();
        float v = inner.ops().crossEntropyForward(u(p), u(logits), u(target), n, k);
        end(t0, "ce.fwd", n + "x" + k, 5.0 * n * k, 8.0 * n * k + 4.0 * n);
        return v;
    }

    @Override
    public void crossEntropyBackward(Tensor dlogits, Tensor p, Indices target, int n, int k) {
        long t0 = start();
        inner.ops().crossEntropyBackward(u(dlogits), u(p), u(target), n, k);
        end(t0, "ce.bwd", n + "x" + k, 2.0 * n * k, 8.0 * n * k + 4.0 * n);
    }

    // ---- Ops: optimiser, layout, checks --------------------------------------------------------------

    @Override
    public void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, int t, float lr, float beta1, float beta2, float eps,
                         float weightDecay) {
        long t0 = start();
        inner.ops().adamStep(u(p), u(g), u(m), u(v), t, lr, beta1, beta2, eps, weightDecay);
        // g + wd p (2), m (3), v (4), sqrt + eps + divide + update (5): 14; reads p g m v, writes p m v
        double len = p.numel();
        end(t0, "adam", String.valueOf(p.numel()), 14 * len, 28 * len);
    }

    @Override
    public void adamSteps(List<Tensor> p, List<Tensor> g, List<Tensor> m, List<Tensor> v, int t, float lr, float beta1,
                          float beta2, float eps, float weightDecay) {
        long t0 = start();
        inner.ops().adamSteps(u(p), u(g), u(m), u(v), t, lr, beta1, beta2, eps, weightDecay);
        double len = 0;
        for (Tensor x : p) {
            len += x.numel();
        }
        end(t0, "adam", p.size() + " tensors, " + (long) len, 14 * len, 28 * len);
    }

    @Override
    public void concatColumns(Tensor cat, Tensor a, Tensor b, int n, int da, int db) {
        long t0 = start();
        inner.ops().concatColumns(u(cat), u(a), u(b), n, da, db);
        end(t0, "concat", n + "x(" + da + "+" + db + ")", 0, 8.0 * n * (da + db));
    }

    @Override
    public void splitColumns(Tensor da, Tensor db, Tensor cat, int n, int dA, int dB) {
        long t0 = start();
        inner.ops().splitColumns(u(da), u(db), u(cat), n, dA, dB);
        end(t0, "split", n + "x(" + dA + "+" + dB + ")", 0, 8.0 * n * (dA + dB));
    }

    @Override
    public boolean allFinite(List<Tensor> ts) {
        long t0 = start();
        boolean ok = inner.ops().allFinite(u(ts));
        long len = 0;
        for (Tensor t : ts) {
            len += t.numel();
        }
        end(t0, "finite", ts.size() + " tensors, " + len, len, 4.0 * len);
        return ok;
    }
}
