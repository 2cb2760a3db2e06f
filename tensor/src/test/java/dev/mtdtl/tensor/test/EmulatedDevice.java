package dev.mtdtl.tensor.test;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.DeviceMemory;
import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Ops;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.ConvGeom;
import dev.mtdtl.tensor.cpu.CpuDevice;
import dev.mtdtl.tensor.cpu.KlReduction;

import java.util.Arrays;

/**
 * A non-CPU {@link Device} for CPU tests of the device seam: its tensors are not CPU tensors (their
 * {@code data()} throws, as a GPU tensor's does) but hold heap memory that only this class reads, and each
 * op runs the CPU kernel on that memory. A layer, loss, optimiser, trainer or checkpoint path that reaches
 * for {@code data()} instead of going through {@link Ops}, or that forgets an upload or a download, fails
 * here on any machine; results must be bit-identical to the CPU's (the same kernels run).
 *
 * <p>It counts uploads and downloads, so that a test can check what crosses the "bus".
 */
public final class EmulatedDevice implements Device, Ops {

    /** Heap memory posing as device memory. */
    static final class Mem implements DeviceMemory {
        final float[] a;
        final int[] idx;
        final int off;
        final int len;

        Mem(float[] a, int[] idx, int off, int len) {
            this.a = a;
            this.idx = idx;
            this.off = off;
            this.len = len;
        }

        @Override
        public long elements() {
            return len;
        }

        @Override
        public DeviceMemory slice(long offset, long elements) {
            return new Mem(a, idx, off + (int) offset, (int) elements);
        }
    }

    private final CpuDevice cpu = CpuDevice.INSTANCE;
    public long uploads;
    public long downloads;
    /** Allocations left before zeros/indices fail as out of memory (to test the error path). */
    public long allocationsLeft = Long.MAX_VALUE;

    private void allocate(String what) {
        if (allocationsLeft-- <= 0) {
            throw new dev.mtdtl.tensor.DeviceOutOfMemoryException("out of emulated memory: " + what + " needs 1 KiB", null);
        }
    }

    @Override
    public String name() {
        return "emulated";
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
        int n = dev.mtdtl.tensor.Shape.numel(shape);
        allocate("a tensor " + dev.mtdtl.tensor.Shape.str(shape));
        return Tensor.onDevice(this, new Mem(new float[n], null, 0, n), shape);
    }

    @Override
    public Indices indices(int n) {
        allocate(n + " indices");
        return Indices.onDevice(this, new Mem(null, new int[n], 0, n), n);
    }

    /** The tensor's memory as a CPU tensor of the same shape (shares the array: writes go through). */
    private Tensor h(Tensor t) {
        if (t == null) {
            return null;
        }
        if (t.device() != this) {
            throw new IllegalArgumentException("tensor " + t + " is not on the emulated device");
        }
        Mem m = (Mem) t.memory();
        if (m.off != 0 || m.a.length < t.numel()) {
            throw new IllegalStateException("the emulator wraps allocations and their heads (arena slots) only");
        }
        return Tensor.ofPrefix(m.a, t.shape());
    }

    private Tensor ws(Tensor t) {
        return t == null ? null : Tensor.of(((Mem) t.memory()).a, t.numel());
    }

    private Indices h(Indices i) {
        if (i.device() != this) {
            throw new IllegalArgumentException("indices are not on the emulated device");
        }
        return Indices.of(((Mem) i.memory()).idx);
    }

    @Override
    public void copy(Indices dst, Indices src) {
        int[] s = src.device() == this ? h(src).host() : src.host();
        int[] d = dst.device() == this ? h(dst).host() : dst.host();
        if (src.device().isCpu()) {
            uploads++;
        } else if (dst.device().isCpu()) {
            downloads++;
        }
        System.arraycopy(s, 0, d, 0, s.length);
    }

    @Override
    public void fill(Tensor t, float v) {
        Arrays.fill(h(t).data(), 0, t.numel(), v);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        float[] s = src.device() == this ? h(src).data() : src.data();
        float[] d = dst.device() == this ? h(dst).data() : dst.data();
        if (src.device().isCpu()) {
            uploads++;
        } else if (dst.device().isCpu()) {
            downloads++;
        }
        System.arraycopy(s, 0, d, 0, src.numel());
    }

    @Override
    public void synchronize() {}

    @Override
    public long convWorkspaceFloats(ConvGeom g) {
        return cpu.convWorkspaceFloats(g);
    }

    @Override
    public void convForward(Tensor y, Tensor x, Tensor w, Tensor b, ConvGeom g, Tensor ws) {
        cpu.convForward(h(y), h(x), h(w), h(b), g, ws(ws));
    }

    @Override
    public void convBackwardData(Tensor dx, Tensor dy, Tensor w, ConvGeom g, Tensor ws) {
        cpu.convBackwardData(h(dx), h(dy), h(w), g, ws(ws));
    }

    @Override
    public void convBackwardFilter(Tensor dw, Tensor db, Tensor dy, Tensor x, ConvGeom g, Tensor ws) {
        cpu.convBackwardFilter(h(dw), h(db), h(dy), h(x), g, ws(ws));
    }

    @Override
    public void batchNormForwardTrain(Tensor y, Tensor saveMean, Tensor saveInvstd, Tensor x, Tensor gamma, Tensor beta,
                                      Tensor runningMean, Tensor runningVar, int n, int c, int s, float momentum,
                                      float eps) {
        cpu.batchNormForwardTrain(h(y), h(saveMean), h(saveInvstd), h(x), h(gamma), h(beta), h(runningMean),
                h(runningVar), n, c, s, momentum, eps);
    }

    @Override
    public void batchNormBackwardTrain(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor saveMean,
                                       Tensor saveInvstd, Tensor gamma, int n, int c, int s) {
        cpu.batchNormBackwardTrain(h(dx), h(dgamma), h(dbeta), h(dy), h(x), h(saveMean), h(saveInvstd), h(gamma), n, c,
                s);
    }

    @Override
    public void batchNormForwardEval(Tensor y, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                     Tensor runningVar, int n, int c, int s, float eps) {
        cpu.batchNormForwardEval(h(y), h(x), h(gamma), h(beta), h(runningMean), h(runningVar), n, c, s, eps);
    }

    @Override
    public void batchNormBackwardEval(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor gamma,
                                      Tensor runningMean, Tensor runningVar, int n, int c, int s, float eps) {
        cpu.batchNormBackwardEval(h(dx), h(dgamma), h(dbeta), h(dy), h(x), h(gamma), h(runningMean), h(runningVar), n,
                c, s, eps);
    }

    @Override
    public void maxPoolForward(Tensor y, Indices argmax, Tensor x, int n, int c, int hh, int w) {
        cpu.maxPoolForward(h(y), h(argmax), h(x), n, c, hh, w);
    }

    @Override
    public void maxPoolBackward(Tensor dx, Tensor dy, Indices argmax, int n, int c, int hh, int w) {
        cpu.maxPoolBackward(h(dx), h(dy), h(argmax), n, c, hh, w);
    }

    @Override
    public void reluForward(Tensor y, Tensor x, int len) {
        cpu.reluForward(h(y), h(x), len);
    }

    @Override
    public void reluBackward(Tensor dx, Tensor dy, Tensor y, int len) {
        cpu.reluBackward(h(dx), h(dy), h(y), len);
    }

    @Override
    public void gapForward(Tensor y, Tensor x, int n, int c, int s) {
        cpu.gapForward(h(y), h(x), n, c, s);
    }

    @Override
    public void gapBackward(Tensor dx, Tensor dy, int n, int c, int s) {
        cpu.gapBackward(h(dx), h(dy), n, c, s);
    }

    @Override
    public void dropoutForward(Tensor y, Tensor mask, Tensor x, int len, float p, long seed) {
        cpu.dropoutForward(h(y), h(mask), h(x), len, p, seed);
    }

    @Override
    public void dropoutBackward(Tensor dx, Tensor dy, Tensor mask, int len) {
        cpu.dropoutBackward(h(dx), h(dy), h(mask), len);
    }

    @Override
    public long linearWorkspaceFloats(int n, int in, int out) {
        return cpu.linearWorkspaceFloats(n, in, out);
    }

    @Override
    public void linearForward(Tensor y, Tensor x, Tensor w, Tensor b, int n, int in, int out, Tensor ws) {
        cpu.linearForward(h(y), h(x), h(w), h(b), n, in, out, ws(ws));
    }

    @Override
    public void linearBackward(Tensor dx, Tensor dw, Tensor db, Tensor dy, Tensor x, Tensor w, int n, int in, int out,
                               Tensor ws) {
        cpu.linearBackward(h(dx), h(dw), h(db), h(dy), h(x), h(w), n, in, out, ws(ws));
    }

    @Override
    public float klForward(Tensor p, Tensor logits, Tensor z, int n, int k, KlReduction r) {
        return cpu.klForward(h(p), h(logits), h(z), n, k, r);
    }

    @Override
    public void klBackward(Tensor dlogits, Tensor p, Tensor z, int n, int k, KlReduction r) {
        cpu.klBackward(h(dlogits), h(p), h(z), n, k, r);
    }

    @Override
    public float crossEntropyForward(Tensor p, Tensor logits, Indices target, int n, int k) {
        return cpu.crossEntropyForward(h(p), h(logits), h(target), n, k);
    }

    @Override
    public void crossEntropyBackward(Tensor dlogits, Tensor p, Indices target, int n, int k) {
        cpu.crossEntropyBackward(h(dlogits), h(p), h(target), n, k);
    }

    @Override
    public void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, int t, float lr, float beta1, float beta2, float eps,
                         float weightDecay) {
        cpu.adamStep(h(p), h(g), h(m), h(v), t, lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public void concatColumns(Tensor cat, Tensor a, Tensor b, int n, int da, int db) {
        cpu.concatColumns(h(cat), h(a), h(b), n, da, db);
    }

    @Override
    public void splitColumns(Tensor da, Tensor db, Tensor cat, int n, int dA, int dB) {
        cpu.splitColumns(h(da), h(db), h(cat), n, dA, dB);
    }

    @Override
    public boolean allFinite(java.util.List<Tensor> ts) {
        return cpu.allFinite(ts.stream().map(this::h).toList());
    }
}
