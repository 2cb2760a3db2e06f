package dev.mtdtl.cuda;

import jcuda.driver.CUfunction;

/** Global average pooling on device buffers (gap.cu), the contract of tensor's GlobalAvgPoolCpu. */
public final class GlobalAvgPoolCuda {

    private GlobalAvgPoolCuda() {}

    private static final class K {
        static final PtxModule M = PtxModule.load("gap");
        static final CUfunction FWD = M.function("gap_forward_f32");
        static final CUfunction BWD = M.function("gap_backward_f32");
    }

    /** y (N, C) = mean over S of x (N, C, S). */
    public static void forward(DeviceBuffer y, DeviceBuffer x, int n, int c, int s) {
        int planes = planes(n, c, s);
        DevArgs.need("y", y, planes, "N*C");
        DevArgs.need("x", x, (long) planes * s, "N*C*S " + DevArgs.shape(n, c, s));
        Launch.kernel(K.FWD, LaunchConfig.warpPerRow(planes), 1, 1, LaunchConfig.THREADS, y.ptr(), x.ptr(), planes, s);
    }

    /** dx (N, C, S) = dy / S broadcast (written). */
    public static void backward(DeviceBuffer dx, DeviceBuffer dy, int n, int c, int s) {
        int planes = planes(n, c, s);
        DevArgs.need("dx", dx, (long) planes * s, "N*C*S " + DevArgs.shape(n, c, s));
        DevArgs.need("dy", dy, planes, "N*C");
        Launch.grid1d(K.BWD, (long) planes * s, dx.ptr(), dy.ptr(), planes, s);
    }

    private static int planes(int n, int c, int s) {
        DevArgs.positive("N", n);
        DevArgs.positive("C", c);
        DevArgs.positive("S", s);
        return Math.multiplyExact(n, c);
    }
}
