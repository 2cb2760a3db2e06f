package dev.mtdtl.cuda;

import dev.mtdtl.tensor.cpu.KlReduction;
import jcuda.driver.CUfunction;

/**
 * Softmax, KL loss and cross-entropy on device buffers (softmax_kl.cu), the contract of tensor's
 * SoftmaxCpu. The loss forms that return a float copy one number back (a host sync); the forms taking
 * a {@code loss} buffer leave it on the device, so a training step needs no sync.
 */
public final class SoftmaxCuda {

    private SoftmaxCuda() {}

    private static final class K {
        static final PtxModule M = PtxModule.load("softmax_kl");
        static final CUfunction SOFTMAX = M.function("softmax_forward_f32");
        static final CUfunction KL_FWD = M.function("softmax_kl_forward_f32");
        static final CUfunction CE_FWD = M.function("softmax_ce_forward_f32");
        static final CUfunction REDUCE = M.function("softmax_loss_reduce_f32");
        static final CUfunction KL_BWD = M.function("softmax_kl_backward_f32");
        static final CUfunction CE_BWD = M.function("softmax_ce_backward_f32");
    }

    /** p (N, K) = softmax(logits) row-wise. */
    public static void softmax(DeviceBuffer p, DeviceBuffer logits, int n, int k) {
        check(n, k, p, logits);
        Launch.kernel(K.SOFTMAX, LaunchConfig.warpPerRow(n), 1, 1, LaunchConfig.THREADS, p.ptr(), logits.ptr(), n, k);
    }

    /** KL(z || softmax(logits)) reduced by r into loss[0] (device); p written for {@link #klBackward}. */
    public static void klForward(DeviceBuffer loss, DeviceBuffer p, DeviceBuffer logits, DeviceBuffer z, int n, int k, KlReduction r) {
        check(n, k, p, logits);
        DevArgs.need("z", z, (long) n * k, "N*K");
        DevArgs.need("loss", loss, 1, "1");
        try (DeviceBuffer rows = Cuda.context().alloc(2L * n)) {   // (N) doubles
            Launch.kernel(K.KL_FWD, LaunchConfig.warpPerRow(n), 1, 1, LaunchConfig.THREADS, p.ptr(), rows.ptr(), logits.ptr(), z.ptr(), n, k);
            Launch.kernel(K.REDUCE, 1, 1, 1, 32, loss.ptr(), rows.ptr(), n, 1.0 / r.denominator(n, k));
        }
    }

    /** As above, returning the loss (synchronises). */
    public static float klForward(DeviceBuffer p, DeviceBuffer logits, DeviceBuffer z, int n, int k, KlReduction r) {
        try (DeviceBuffer loss = Cuda.context().alloc(1)) {
            klForward(loss, p, logits, z, n, k, r);
            return loss.download(new float[1])[0];
        }
    }

    /** dlogits = (p * sum z - z) / denom, written. */
    public static void klBackward(DeviceBuffer dlogits, DeviceBuffer p, DeviceBuffer z, int n, int k, KlReduction r) {
        check(n, k, dlogits, p);
        DevArgs.need("z", z, (long) n * k, "N*K");
        Launch.kernel(K.KL_BWD, LaunchConfig.warpPerRow(n), 1, 1, LaunchConfig.THREADS, dlogits.ptr(), p.ptr(), z.ptr(), n, k,
                1.0 / r.denominator(n, k));
    }

    /** Mean cross-entropy with int32 class indices target (N) into loss[0]; p written. Targets must lie in [0, K). */
    public static void crossEntropyForward(DeviceBuffer loss, DeviceBuffer p, DeviceBuffer logits, DeviceBuffer target, int n, int k) {
        check(n, k, p, logits);
        DevArgs.need("target", target, n, "N");
        DevArgs.need("loss", loss, 1, "1");
        try (DeviceBuffer rows = Cuda.context().alloc(2L * n)) {
            Launch.kernel(K.CE_FWD, LaunchConfig.warpPerRow(n), 1, 1, LaunchConfig.THREADS, p.ptr(), rows.ptr(), logits.ptr(), target.ptr(), n, k);
            Launch.kernel(K.REDUCE, 1, 1, 1, 32, loss.ptr(), rows.ptr(), n, 1.0 / n);
        }
    }

    public static float crossEntropyForward(DeviceBuffer p, DeviceBuffer logits, DeviceBuffer target, int n, int k) {
        try (DeviceBuffer loss = Cuda.context().alloc(1)) {
            crossEntropyForward(loss, p, logits, target, n, k);
            return loss.download(new float[1])[0];
        }
    }

    /** dlogits = (p - onehot(target)) / N, written. */
    public static void crossEntropyBackward(DeviceBuffer dlogits, DeviceBuffer p, DeviceBuffer target, int n, int k) {
        check(n, k, dlogits, p);
        DevArgs.need("target", target, n, "N");
        Launch.grid1d(K.CE_BWD, (long) n * k, dlogits.ptr(), p.ptr(), target.ptr(), n, k, 1.0 / n);
    }

    private static void check(int n, int k, DeviceBuffer out, DeviceBuffer in) {
        DevArgs.positive("N", n);
        DevArgs.positive("K", k);
        DevArgs.need("output", out, (long) n * k, "N*K " + DevArgs.shape(n, k));
        DevArgs.need("input", in, (long) n * k, "N*K " + DevArgs.shape(n, k));
    }
}
