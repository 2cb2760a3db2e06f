package dev.mtdtl.cuda;

import static jcuda.driver.JCudaDriver.*;

import dev.mtdtl.tensor.cpu.ConvGeom;
import dev.mtdtl.tensor.cpu.KlReduction;
import dev.mtdtl.tensor.test.Fixtures;
import jcuda.driver.CUevent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Times the base CNN (nn's BaseCnn, one source, K = 50) on the GPU with our kernels: one training step
 * (forward, KL loss, backward, one fused Adam over the whole ParamArena) and eval-mode inference, at
 * batch N, plus the largest single ops. Timed with cuEvents around {@code iters} repetitions after
 * {@code warmup}; prints lines "TIME <name> <ms> [<GFLOP/s>]" that bench/gpu_check.sh turns into a table.
 *
 * <p>This is benchmark code and lives in test sources on purpose (no benchmark code in a library's
 * src/main); it is the driver of the GPU session, not a JUnit test. It mirrors the layer sequence of
 * BaseCnn by hand with the launchers, the way nn's CUDA path will call them.
 *
 * <p>Usage: {@code java ... dev.mtdtl.cuda.CudaStepTiming [batch=128] [iters=10]}
 */
public final class CudaStepTiming {

    static final int[] CH = {16, 32, 64, 64, 128, 256, 256};
    static final int K = 50, FEAT = 256;

    private final int n;
    private final CudaContext ctx = Cuda.context();
    private final List<Blk> blocks = new ArrayList<>();
    private final DeviceBuffer params, grads, m, v, ws;
    private final long nParams;
    private final int fcW, fcB, bnG, bnB, outW, outB;    // offsets in the arena
    private final DeviceBuffer bnRm, bnRv, bnMean, bnInv;
    private final DeviceBuffer x, z, loss, gap, h1, h2, h3, mask, logits, p;
    private final DeviceBuffer dlogits, dh3, dh2, dh1, dgap;
    private long off;

    /** One conv block: conv, BN, ReLU and (blocks 1..5) a max pool. */
    private final class Blk {
        final ConvGeom g;
        final boolean pool;
        final int w, b, gamma, beta;
        final DeviceBuffer rm, rv, mean, inv, conv, act, pooled, argmax, dact, dconv;
        final int ho, wo;

        Blk(ConvGeom g, boolean pool) {
            this.g = g;
            this.pool = pool;
            w = take(g.wSize());
            b = take(g.oc());
            gamma = take(g.oc());
            beta = take(g.oc());
            rm = ctx.alloc(g.oc());
            rv = ctx.alloc(g.oc());
            mean = ctx.alloc(g.oc());
            inv = ctx.alloc(g.oc());
            conv = ctx.alloc(g.ySize());
            act = ctx.alloc(g.ySize());
            dact = ctx.alloc(g.ySize());
            dconv = ctx.alloc(g.ySize());
            ho = g.ho() / (pool ? 2 : 1);
            wo = g.wo() / (pool ? 2 : 1);
            pooled = pool ? ctx.alloc((long) g.n() * g.oc() * ho * wo) : null;
            argmax = pool ? ctx.alloc((long) g.n() * g.oc() * ho * wo) : null;
        }

        DeviceBuffer out() {
            return pool ? pooled : act;
        }
    }

    CudaStepTiming(int n) {
        this.n = n;
        int c = 2, h = 216, w = 128;
        List<ConvGeom> geoms = new ArrayList<>();
        for (int i = 0; i < CH.length; i++) {
            ConvGeom g = i == 0 ? new ConvGeom(n, c, h, w, CH[0], 5, 5, 2, 1, 2, 2)
                    : i == 6 ? ConvGeom.same(n, c, h, w, CH[i], 1) : ConvGeom.same(n, c, h, w, CH[i], 3);
            geoms.add(g);
            c = CH[i];
            h = i < 5 ? g.ho() / 2 : g.ho();
            w = i < 5 ? g.wo() / 2 : g.wo();
        }
        // Lay out the ParamArena first (offsets), then allocate it once.
        long wsMax = 0;
        for (int i = 0; i < geoms.size(); i++) {
            wsMax = Math.max(wsMax, Conv2dCuda.workspaceFloats(geoms.get(i)));
        }
        // Arena layout: the conv blocks' (w, b, gamma, beta) from 0 in block order (taken again by Blk below),
        // then fc_feature, bn_feature and fc_out.
        off = 0;
        for (ConvGeom g : geoms) {
            off += g.wSize() + 3L * g.oc();
        }
        fcW = take(FEAT * FEAT);
        fcB = take(FEAT);
        bnG = take(FEAT);
        bnB = take(FEAT);
        outW = take(K * FEAT);
        outB = take(K);
        nParams = off;
        params = ctx.alloc(nParams);
        grads = ctx.alloc(nParams);
        m = ctx.alloc(nParams);
        v = ctx.alloc(nParams);
        off = 0;
        for (int i = 0; i < geoms.size(); i++) {
            blocks.add(new Blk(geoms.get(i), i < 5));
        }
        ws = ctx.alloc(wsMax);
        params.upload(Fixtures.uniform(1, (int) nParams, -0.05f, 0.05f));
        for (Blk b : blocks) {
            params.view(b.gamma, b.g.oc()).fill(1f, b.g.oc());
            b.rm.fill(0f, b.g.oc());
            b.rv.fill(1f, b.g.oc());
        }
        m.fill(0f, nParams);
        v.fill(0f, nParams);
        bnRm = ctx.alloc(FEAT);
        bnRv = ctx.alloc(FEAT);
        bnRm.fill(0f, FEAT);
        bnRv.fill(1f, FEAT);
        bnMean = ctx.alloc(FEAT);
        bnInv = ctx.alloc(FEAT);
        x = ctx.alloc((long) n * 2 * 216 * 128).upload(Fixtures.uniform(2, n * 2 * 216 * 128, -1f, 1f));
        float[] zh = Fixtures.uniform(3, n * K, 0f, 1f);
        for (int r = 0; r < n; r++) {
            float s = 0;
            for (int j = 0; j < K; j++) {
                s += zh[r * K + j];
            }
            for (int j = 0; j < K; j++) {
                zh[r * K + j] /= s;
            }
        }
        z = ctx.alloc((long) n * K).upload(zh);
        loss = ctx.alloc(1);
        gap = ctx.alloc((long) n * FEAT);
        h1 = ctx.alloc((long) n * FEAT);
        h2 = ctx.alloc((long) n * FEAT);
        h3 = ctx.alloc((long) n * FEAT);
        mask = ctx.alloc((long) n * FEAT);
        logits = ctx.alloc((long) n * K);
        p = ctx.alloc((long) n * K);
        dlogits = ctx.alloc((long) n * K);
        dh3 = ctx.alloc((long) n * FEAT);
        dh2 = ctx.alloc((long) n * FEAT);
        dh1 = ctx.alloc((long) n * FEAT);
        dgap = ctx.alloc((long) n * FEAT);
    }

    private int take(long len) {
        long o = off;
        off += len;
        return Math.toIntExact(o);
    }

    private DeviceBuffer P(int o, long len) {
        return params.view(o, len);
    }

    private DeviceBuffer G(int o, long len) {
        return grads.view(o, len);
    }

    /** Forward; train = batch statistics and dropout, else running statistics and no dropout. */
    void forward(boolean train, long seed) {
        DeviceBuffer in = x;
        for (Blk b : blocks) {
            ConvGeom g = b.g;
            int oc = g.oc(), s = g.ho() * g.wo();
            Conv2dCuda.forward(b.conv, in, P(b.w, g.wSize()), P(b.b, oc), g, ws);
            if (train) {
                BatchNormCuda.forwardTrain(b.act, b.mean, b.inv, b.conv, P(b.gamma, oc), P(b.beta, oc), b.rm, b.rv, n, oc, s, 0.1f, 1e-5f);
            } else {
                BatchNormCuda.forwardEval(b.act, b.conv, P(b.gamma, oc), P(b.beta, oc), b.rm, b.rv, n, oc, s, 1e-5f);
            }
            ReluCuda.forward(b.act, b.act, g.ySize());
            if (b.pool) {
                MaxPoolCuda.forward(b.pooled, b.argmax, b.act, n, oc, g.ho(), g.wo());
            }
            in = b.out();
        }
        Blk last = blocks.get(blocks.size() - 1);
        GlobalAvgPoolCuda.forward(gap, last.out(), n, FEAT, last.ho * last.wo);
        LinearCuda.forward(h1, gap, P(fcW, FEAT * FEAT), P(fcB, FEAT), n, FEAT, FEAT);
        if (train) {
            BatchNormCuda.forwardTrain(h2, bnMean, bnInv, h1, P(bnG, FEAT), P(bnB, FEAT), bnRm, bnRv, n, FEAT, 1, 0.1f, 1e-5f);
        } else {
            BatchNormCuda.forwardEval(h2, h1, P(bnG, FEAT), P(bnB, FEAT), bnRm, bnRv, n, FEAT, 1, 1e-5f);
        }
        ReluCuda.forward(h2, h2, n * FEAT);
        DeviceBuffer toOut = h2;
        if (train) {
            DropoutCuda.forward(h3, mask, h2, n * FEAT, 0.5f, seed);
            toOut = h3;
        }
        LinearCuda.forward(logits, toOut, P(outW, K * FEAT), P(outB, K), n, FEAT, K);
        if (train) {
            SoftmaxCuda.klForward(loss, p, logits, z, n, K, KlReduction.MEAN);
        } else {
            SoftmaxCuda.softmax(p, logits, n, K);
        }
    }

    void backwardAndStep(int t) {
        grads.fill(0f, nParams);
        SoftmaxCuda.klBackward(dlogits, p, z, n, K, KlReduction.MEAN);
        LinearCuda.backward(dh3, G(outW, K * FEAT), G(outB, K), dlogits, h3, P(outW, K * FEAT), n, FEAT, K);
        DropoutCuda.backward(dh2, dh3, mask, n * FEAT);
        ReluCuda.backward(dh2, dh2, h2, n * FEAT);
        BatchNormCuda.backwardTrain(dh1, G(bnG, FEAT), G(bnB, FEAT), dh2, h1, bnMean, bnInv, P(bnG, FEAT), n, FEAT, 1);
        LinearCuda.backward(dgap, G(fcW, FEAT * FEAT), G(fcB, FEAT), dh1, gap, P(fcW, FEAT * FEAT), n, FEAT, FEAT);
        Blk last = blocks.get(blocks.size() - 1);
        GlobalAvgPoolCuda.backward(last.dact, dgap, n, FEAT, last.ho * last.wo);
        for (int i = blocks.size() - 1; i >= 0; i--) {
            Blk b = blocks.get(i);
            ConvGeom g = b.g;
            int oc = g.oc(), s = g.ho() * g.wo();
            // b.dact holds dL/d(block output); for pooled blocks, route it back through the pool first
            DeviceBuffer dRelu = b.dact;
            if (b.pool) {
                MaxPoolCuda.backward(b.dconv, b.dact, b.argmax, n, oc, g.ho(), g.wo());
                dRelu = b.dconv;
            }
            ReluCuda.backward(dRelu, dRelu, b.act, g.ySize());
            DeviceBuffer dBn = dRelu == b.dact ? b.dconv : b.dact;
            BatchNormCuda.backwardTrain(dBn, G(b.gamma, oc), G(b.beta, oc), dRelu, b.conv, b.mean, b.inv, P(b.gamma, oc), n, oc, s);
            DeviceBuffer in = i == 0 ? x : blocks.get(i - 1).out();
            Conv2dCuda.backwardFilter(G(b.w, g.wSize()), G(b.b, oc), dBn, in, g, ws);
            if (i > 0) {
                Conv2dCuda.backwardData(blocks.get(i - 1).dact, dBn, P(b.w, g.wSize()), g, ws);
            }
        }
        AdamCuda.step(params, grads, m, v, 0, (int) nParams, t, 2.5e-4f, 0.9f, 0.999f, 1e-8f, 1e-6f);
    }

    /** Milliseconds per call of r, cuEvent-timed over iters calls after warmup calls. */
    static double time(int warmup, int iters, Runnable r) {
        for (int i = 0; i < warmup; i++) {
            r.run();
        }
        CudaContext ctx = Cuda.context();
        CUevent a = new CUevent(), b = new CUevent();
        cuEventCreate(a, 0);
        cuEventCreate(b, 0);
        cuEventRecord(a, ctx.stream());
        for (int i = 0; i < iters; i++) {
            r.run();
        }
        cuEventRecord(b, ctx.stream());
        cuEventSynchronize(b);
        float[] ms = new float[1];
        cuEventElapsedTime(ms, a, b);
        cuEventDestroy(a);
        cuEventDestroy(b);
        return ms[0] / iters;
    }

    static void line(String name, double ms, double flops) {
        System.out.println(String.format(Locale.ROOT, "TIME %-34s %10.3f ms%s", name, ms,
                flops > 0 ? String.format(Locale.ROOT, " %10.1f GFLOP/s", flops / ms / 1e6) : ""));
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int iters = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        CudaContext ctx = Cuda.context();
        System.out.println("DEVICE " + ctx.describe());
        CudaStepTiming net = new CudaStepTiming(batch);
        System.out.println("PARAMS " + net.nParams);
        int[] t = {0};
        long allocsBefore = ctx.allocator().driverAllocations();
        double train = time(2, iters, () -> {
            net.forward(true, 42 + t[0]);
            net.backwardAndStep(++t[0]);
        });
        long steadyAllocs = ctx.allocator().driverAllocations();
        double infer = time(2, iters, () -> net.forward(false, 0));
        float[] l = net.loss.download(new float[1]);
        System.out.println(String.format(Locale.ROOT, "LOSS %.6f (finite: %b)", l[0], Float.isFinite(l[0])));
        System.out.println("ALLOCS driver allocations during warm-up+timed steps: " + (steadyAllocs - allocsBefore));
        line("train_step_b" + batch, train, 0);
        line("inference_b" + batch, infer, 0);
        // The heaviest single ops (block by block) so the step time can be attributed.
        for (int i = 0; i < net.blocks.size(); i++) {
            Blk b = net.blocks.get(i);
            DeviceBuffer in = i == 0 ? net.x : net.blocks.get(i - 1).out();
            ConvGeom g = b.g;
            line("conv" + CudaStepTiming.name(i) + "_forward", time(1, iters, () ->
                    Conv2dCuda.forward(b.conv, in, net.P(b.w, g.wSize()), net.P(b.b, g.oc()), g, net.ws)), g.flops());
            line("conv" + CudaStepTiming.name(i) + "_backward_filter", time(1, iters, () ->
                    Conv2dCuda.backwardFilter(net.G(b.w, g.wSize()), net.G(b.b, g.oc()), b.conv, in, g, net.ws)), g.flops());
            if (i > 0) {
                DeviceBuffer dIn = net.blocks.get(i - 1).dact;
                line("conv" + CudaStepTiming.name(i) + "_backward_data", time(1, iters, () ->
                        Conv2dCuda.backwardData(dIn, b.conv, net.P(b.w, g.wSize()), g, net.ws)), g.flops());
            }
            line("bn" + CudaStepTiming.name(i) + "_forward_train", time(1, iters, () ->
                    BatchNormCuda.forwardTrain(b.act, b.mean, b.inv, b.conv, net.P(b.gamma, g.oc()), net.P(b.beta, g.oc()),
                            b.rm, b.rv, batch, g.oc(), g.ho() * g.wo(), 0.1f, 1e-5f)), 0);
        }
        int sq = 4096;
        try (DeviceBuffer a = ctx.alloc((long) sq * sq); DeviceBuffer bb = ctx.alloc((long) sq * sq);
             DeviceBuffer c = ctx.alloc((long) sq * sq)) {
            a.fill(0.5f, (long) sq * sq);
            bb.fill(0.25f, (long) sq * sq);
            line("sgemm_4096_nn", time(1, 5, () -> GemmCuda.sgemm(false, false, sq, sq, sq, 1f, a, 0, sq, bb, 0, sq, 0f, c, 0, sq)),
                    2.0 * sq * sq * sq);
        }
        System.out.println("DONE");
    }

    static String name(int i) {
        return CudaStepTiming.CH.length - 1 == i ? "62" : i == 5 ? "61" : String.valueOf(i + 1);
    }
}
