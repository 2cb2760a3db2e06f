package dev.mtdtl.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpy2DAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.DeviceOutOfMemoryException;
import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Ops;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.ConvGeom;
import dev.mtdtl.tensor.cpu.KlReduction;
import jcuda.driver.CUDA_MEMCPY2D;
import jcuda.driver.CUmemorytype;
import jcuda.CudaException;

/**
 * The GPU as a {@link Device}: tensors in device memory from the caching allocator, every op one of our
 * kernels (the {@code *Cuda} launchers, same arguments as the {@code *Cpu} kernels), all on the context's
 * one compute stream, so ops run in issue order and the host waits only where data comes back (a loss, a
 * download, {@link #synchronize()}).
 *
 * <p>Tensor memory is GC-managed ({@link DeviceBuffer#managed()}): layers reallocate their buffers only
 * when a shape changes, and what they drop goes back to the allocator's cache, not to the driver. Out of
 * device memory, {@link #zeros} collects garbage, trims the cache and tries once more, then fails with a
 * message that names the shape and the memory in use.
 *
 * <p>Open it with {@link #open()} (or through {@code dev.mtdtl.tensor.Devices}, which loads this class by name
 * so that the CPU path never loads JCuda).
 */
public final class CudaDevice implements Device, Ops {

    private static CudaDevice instance;

    private final CudaContext ctx;
    private final String name;
    private DeviceBuffer loss;   // (1): the loss of the last forward, read back by the host
    private DeviceBuffer flag;   // (1) int: any non-finite value in the last allFinite

    private CudaDevice(CudaContext ctx) {
        this.ctx = ctx;
        this.name = "cuda:0 (" + ctx.name() + ")";
    }

    /**
     * The process-wide CUDA device (device 0).
     *
     * @throws IllegalStateException with the reason when no GPU is usable (no driver, no device, natives)
     */
    public static synchronized CudaDevice open() {
        if (!Cuda.isAvailable()) {
            throw new IllegalStateException(Cuda.unavailableReason());
        }
        if (instance == null) {
            instance = new CudaDevice(Cuda.context());
        }
        return instance;
    }

    /** One line: the GPU, its compute capability, SMs and driver (what --device auto prints). */
    public String describe() {
        return ctx.describe();
    }

    private DeviceBuffer b(Tensor t) {
        if (t == null) {
            return null;
        }
        if (t.device() != this) {
            throw new IllegalArgumentException("tensor " + Shape.str(t.shape()) + " lives on " + t.device().name()
                    + ", the op runs on " + name);
        }
        return (DeviceBuffer) t.memory();
    }

    private DeviceBuffer b(Indices t) {
        if (t.device() != this) {
            throw new IllegalArgumentException(t.length() + " indices live on " + t.device().name() + ", the op runs on "
                    + name);
        }
        return (DeviceBuffer) t.memory();
    }

    private DeviceBuffer allocate(long elements, String what) {
        Cuda.context();   // bind the context to this thread (a prefetch or worker thread may be the caller)
        long bytes = Math.max(1, elements) * 4L;
        try {
            return ctx.allocator().allocate(bytes).managed();
        } catch (CudaException first) {
            System.gc();   // buffers no tensor holds any more go back through the Cleaner
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                return ctx.allocator().allocate(bytes).managed();
            } catch (CudaException e) {
                throw new DeviceOutOfMemoryException("out of GPU memory on " + name + ": " + what + " needs "
                        + mib(bytes) + ", " + mib(ctx.allocator().bytesInUse()) + " already in use", e);
            }
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public String name() {
        return name;
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
        int n = Shape.numel(shape);
        DeviceBuffer m = allocate(n, "a tensor " + Shape.str(shape));
        m.fill(0f, n);
        return Tensor.onDevice(this, m, shape);
    }

    @Override
    public Indices indices(int n) {
        DeviceBuffer m = allocate(n, n + " indices");
        m.fill(0f, n);
        return Indices.onDevice(this, m, n);
    }

    @Override
    public void copy(Indices dst, Indices src) {
        if (dst.length() != src.length()) {
            throw new IllegalArgumentException("copy of " + src.length() + " indices into " + dst.length());
        }
        if (src.device().isCpu()) {
            b(dst).upload(src.host());
        } else if (dst.device().isCpu()) {
            b(src).download(dst.host());
        } else {
            cuMemcpyDtoDAsync(b(dst).ptr(), b(src).ptr(), src.length() * 4L, ctx.stream());
        }
    }

    @Override
    public void fill(Tensor t, float v) {
        b(t).fill(v, t.numel());
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        if (dst.numel() != src.numel()) {
            throw new IllegalArgumentException("copy from " + Shape.str(src.shape()) + " into " + Shape.str(dst.shape())
                    + ": element counts differ");
        }
        if (src.device().isCpu()) {
            b(dst).upload(src.data(), 0, src.numel());
        } else if (dst.device().isCpu()) {
            float[] d = dst.data();
            if (d.length == src.numel()) {
                b(src).download(d);
            } else {
                throw new IllegalArgumentException("download into a CPU tensor of another size");
            }
        } else {
            cuMemcpyDtoDAsync(b(dst).ptr(), b(src).ptr(), src.numel() * 4L, ctx.stream());
        }
    }

    @Override
    public void synchronize() {
        ctx.synchronize();
    }

    @Override
    public long bytesInUse() {
        return ctx.allocator().bytesInUse();
    }

    // ---- ops: each forwards to its launcher ------------------------------------------------------

    @Override
    public long convWorkspaceFloats(ConvGeom g) {
        return Conv2dCuda.workspaceFloats(g);
    }

    @Override
    public void convForward(Tensor y, Tensor x, Tensor w, Tensor bias, ConvGeom g, Tensor ws) {
        Conv2dCuda.forward(b(y), b(x), b(w), b(bias), g, b(ws));
    }

    @Override
    public void convBackwardData(Tensor dx, Tensor dy, Tensor w, ConvGeom g, Tensor ws) {
        Conv2dCuda.backwardData(b(dx), b(dy), b(w), g, b(ws));
    }

    @Override
    public void convBackwardFilter(Tensor dw, Tensor db, Tensor dy, Tensor x, ConvGeom g, Tensor ws) {
        Conv2dCuda.backwardFilter(b(dw), b(db), b(dy), b(x), g, b(ws));
    }

    @Override
    public void batchNormForwardTrain(Tensor y, Tensor saveMean, Tensor saveInvstd, Tensor x, Tensor gamma, Tensor beta,
                                      Tensor runningMean, Tensor runningVar, int n, int c, int s, float momentum,
                                      float eps) {
        BatchNormCuda.forwardTrain(b(y), b(saveMean), b(saveInvstd), b(x), b(gamma), b(beta), b(runningMean),
                b(runningVar), n, c, s, momentum, eps);
    }

    @Override
    public void batchNormBackwardTrain(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor saveMean,
                                       Tensor saveInvstd, Tensor gamma, int n, int c, int s) {
        BatchNormCuda.backwardTrain(b(dx), b(dgamma), b(dbeta), b(dy), b(x), b(saveMean), b(saveInvstd), b(gamma), n, c,
                s);
    }

    @Override
    public void batchNormForwardEval(Tensor y, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                     Tensor runningVar, int n, int c, int s, float eps) {
        BatchNormCuda.forwardEval(b(y), b(x), b(gamma), b(beta), b(runningMean), b(runningVar), n, c, s, eps);
    }

    @Override
    public void batchNormBackwardEval(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor gamma,
                                      Tensor runningMean, Tensor runningVar, int n, int c, int s, float eps) {
        BatchNormCuda.backwardEval(b(dx), b(dgamma), b(dbeta), b(dy), b(x), b(gamma), b(runningMean), b(runningVar), n,
                c, s, eps);
    }

    @Override
    public void maxPoolForward(Tensor y, Indices argmax, Tensor x, int n, int c, int h, int w) {
        MaxPoolCuda.forward(b(y), b(argmax), b(x), n, c, h, w);
    }

    @Override
    public void maxPoolBackward(Tensor dx, Tensor dy, Indices argmax, int n, int c, int h, int w) {
        MaxPoolCuda.backward(b(dx), b(dy), b(argmax), n, c, h, w);
    }

    @Override
    public void reluForward(Tensor y, Tensor x, int len) {
        ReluCuda.forward(b(y), b(x), len);
    }

    @Override
    public void reluBackward(Tensor dx, Tensor dy, Tensor y, int len) {
        ReluCuda.backward(b(dx), b(dy), b(y), len);
    }

    @Override
    public void gapForward(Tensor y, Tensor x, int n, int c, int s) {
        GlobalAvgPoolCuda.forward(b(y), b(x), n, c, s);
    }

    @Override
    public void gapBackward(Tensor dx, Tensor dy, int n, int c, int s) {
        GlobalAvgPoolCuda.backward(b(dx), b(dy), n, c, s);
    }

    @Override
    public void dropoutForward(Tensor y, Tensor mask, Tensor x, int len, float p, long seed) {
        DropoutCuda.forward(b(y), b(mask), b(x), len, p, seed);
    }

    @Override
    public void dropoutBackward(Tensor dx, Tensor dy, Tensor mask, int len) {
        DropoutCuda.backward(b(dx), b(dy), b(mask), len);
    }

    /** Our SGEMM splits K into its own cached partial buffer: no caller workspace. */
    @Override
    public long linearWorkspaceFloats(int n, int in, int out) {
        return 0;
    }

    @Override
    public void linearForward(Tensor y, Tensor x, Tensor w, Tensor bias, int n, int in, int out, Tensor ws) {
        LinearCuda.forward(b(y), b(x), b(w), b(bias), n, in, out);
    }

    @Override
    public void linearBackward(Tensor dx, Tensor dw, Tensor db, Tensor dy, Tensor x, Tensor w, int n, int in, int out,
                               Tensor ws) {
        LinearCuda.backward(b(dx), b(dw), b(db), b(dy), b(x), b(w), n, in, out);
    }

    private DeviceBuffer lossBuffer() {
        if (loss == null) {
            loss = allocate(1, "the loss");
        }
        return loss;
    }

    @Override
    public float klForward(Tensor p, Tensor logits, Tensor z, int n, int k, KlReduction r) {
        SoftmaxCuda.klForward(lossBuffer(), b(p), b(logits), b(z), n, k, r);
        return loss.download(new float[1])[0];
    }

    @Override
    public void klBackward(Tensor dlogits, Tensor p, Tensor z, int n, int k, KlReduction r) {
        SoftmaxCuda.klBackward(b(dlogits), b(p), b(z), n, k, r);
    }

    @Override
    public float crossEntropyForward(Tensor p, Tensor logits, Indices target, int n, int k) {
        SoftmaxCuda.crossEntropyForward(lossBuffer(), b(p), b(logits), b(target), n, k);
        return loss.download(new float[1])[0];
    }

    @Override
    public void crossEntropyBackward(Tensor dlogits, Tensor p, Indices target, int n, int k) {
        SoftmaxCuda.crossEntropyBackward(b(dlogits), b(p), b(target), n, k);
    }

    @Override
    public void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, int t, float lr, float beta1, float beta2, float eps,
                         float weightDecay) {
        AdamCuda.step(b(p), b(g), b(m), b(v), 0, p.numel(), t, lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public void concatColumns(Tensor cat, Tensor a, Tensor bb, int n, int da, int db) {
        copy2d(b(cat), 0, da + db, b(a), 0, da, da, n);
        copy2d(b(cat), da, da + db, b(bb), 0, db, db, n);
    }

    @Override
    public void splitColumns(Tensor da, Tensor db, Tensor cat, int n, int dA, int dB) {
        copy2d(b(da), 0, dA, b(cat), 0, dA + dB, dA, n);
        copy2d(b(db), 0, dB, b(cat), dA, dA + dB, dB, n);
    }

    /** rows x width floats from src (row pitch srcLd, column offset srcCol) to dst: one strided DMA copy. */
    private void copy2d(DeviceBuffer dst, int dstCol, int dstLd, DeviceBuffer src, int srcCol, int srcLd, int width,
                        int rows) {
        CUDA_MEMCPY2D c = new CUDA_MEMCPY2D();
        c.srcMemoryType = CUmemorytype.CU_MEMORYTYPE_DEVICE;
        c.srcDevice = src.ptr();
        c.srcXInBytes = srcCol * 4L;
        c.srcPitch = srcLd * 4L;
        c.dstMemoryType = CUmemorytype.CU_MEMORYTYPE_DEVICE;
        c.dstDevice = dst.ptr();
        c.dstXInBytes = dstCol * 4L;
        c.dstPitch = dstLd * 4L;
        c.WidthInBytes = width * 4L;
        c.Height = rows;
        cuMemcpy2DAsync(c, ctx.stream());
    }

    /** One flag on the device, OR-ed by one small kernel per tensor, then one 4-byte read-back. */
    @Override
    public boolean allFinite(java.util.List<Tensor> ts) {
        if (flag == null) {
            flag = allocate(1, "the finiteness flag");
        }
        flag.fill(0f, 1);
        for (Tensor t : ts) {
            FiniteCuda.orNonFinite(flag, b(t), t.numel());
        }
        return flag.download(new int[1])[0] == 0;
    }
}
