package dev.mtdtl.cuda;

import jcuda.driver.CUfunction;

/** 2x2 stride-2 max pooling on device buffers (maxpool.cu); y and argmax bit-identical to tensor's MaxPoolCpu. */
public final class MaxPoolCuda {

    private MaxPoolCuda() {}

    private static final class K {
        static final PtxModule M = PtxModule.load("maxpool");
        static final CUfunction FWD = M.function("maxpool_forward_f32");
        static final CUfunction BWD = M.function("maxpool_backward_f32");
    }

    /** y, argmax (N, C, H/2, W/2) written; x (N, C, H, W) read; argmax is an int32 buffer. */
    public static void forward(DeviceBuffer y, DeviceBuffer argmax, DeviceBuffer x, int n, int c, int h, int w) {
        long outLen = check(n, c, h, w);
        DevArgs.need("y", y, outLen, "N*C*HO*WO");
        DevArgs.need("argmax", argmax, outLen, "N*C*HO*WO");
        DevArgs.need("x", x, (long) n * c * h * w, "N*C*H*W " + DevArgs.shape(n, c, h, w));
        Launch.grid1d(K.FWD, outLen, y.ptr(), argmax.ptr(), x.ptr(), n * c, h, w);
    }

    /** dx (N, C, H, W) written: dy routed to each window's maximum, zeros elsewhere. */
    public static void backward(DeviceBuffer dx, DeviceBuffer dy, DeviceBuffer argmax, int n, int c, int h, int w) {
        long outLen = check(n, c, h, w);
        long inLen = (long) n * c * h * w;
        DevArgs.need("dx", dx, inLen, "N*C*H*W " + DevArgs.shape(n, c, h, w));
        DevArgs.need("dy", dy, outLen, "N*C*HO*WO");
        DevArgs.need("argmax", argmax, outLen, "N*C*HO*WO");
        dx.fill(0f, inLen);
        Launch.grid1d(K.BWD, outLen, dx.ptr(), dy.ptr(), argmax.ptr(), n * c, h, w);
    }

    private static long check(int n, int c, int h, int w) {
        if (n < 1 || c < 1 || h < 2 || w < 2 || (long) n * c * h * w > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("max pool 2x2 needs N, C >= 1, H, W >= 2 and N*C*H*W in int range, got "
                    + DevArgs.shape(n, c, h, w));
        }
        return (long) n * c * (h / 2) * (w / 2);
    }
}
