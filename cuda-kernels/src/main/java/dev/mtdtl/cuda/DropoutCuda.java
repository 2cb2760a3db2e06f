package dev.mtdtl.cuda;

import jcuda.driver.CUfunction;

/** Inverted dropout on device buffers (dropout.cu): the mask is bit-identical to tensor's DropoutCpu for the same seed. */
public final class DropoutCuda {

    private DropoutCuda() {}

    private static final class K {
        static final PtxModule M = PtxModule.load("dropout");
        static final CUfunction FWD = M.function("dropout_forward_f32");
        static final CUfunction BWD = M.function("dropout_backward_f32");
    }

    /** y = x * mask, mask in {0, 1/(1-p)} from (seed, i) only. p in [0, 1). y may be x. */
    public static void forward(DeviceBuffer y, DeviceBuffer mask, DeviceBuffer x, int len, float p, long seed) {
        DevArgs.nonNegative("len", len);
        DevArgs.need("y", y, len, "len");
        DevArgs.need("mask", mask, len, "len");
        DevArgs.need("x", x, len, "len");
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout p must be in [0, 1), got " + p);
        }
        // Exactly DropoutCpu's host arithmetic; p = 0 gives threshold 0 and scale 1 (keep all, y = x).
        float scale = (float) (1.0 / (1.0 - p));
        long threshold = (long) Math.ceil(p * 0x1p24);
        Launch.grid1d(K.FWD, len, y.ptr(), mask.ptr(), x.ptr(), (long) len, scale, threshold, seed);
    }

    /** dx = dy * mask. dx may be dy. */
    public static void backward(DeviceBuffer dx, DeviceBuffer dy, DeviceBuffer mask, int len) {
        DevArgs.nonNegative("len", len);
        DevArgs.need("dx", dx, len, "len");
        DevArgs.need("dy", dy, len, "len");
        DevArgs.need("mask", mask, len, "len");
        Launch.grid1d(K.BWD, len, dx.ptr(), dy.ptr(), mask.ptr(), (long) len);
    }
}
