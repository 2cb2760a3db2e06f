package dev.mtdtl.cuda;

import jcuda.driver.CUfunction;

/** ReLU on device buffers (relu.cu); the same contract and bits as tensor's ReluCpu. */
public final class ReluCuda {

    private ReluCuda() {}

    private static final class K {
        static final PtxModule M = PtxModule.load("relu");
        static final CUfunction FWD = M.function("relu_forward_f32");
        static final CUfunction BWD = M.function("relu_backward_f32");
    }

    /** y[i] = max(x[i], 0), i in [0, len). y may be x. */
    public static void forward(DeviceBuffer y, DeviceBuffer x, int len) {
        DevArgs.nonNegative("len", len);
        DevArgs.need("y", y, len, "len");
        DevArgs.need("x", x, len, "len");
        Launch.grid1d(K.FWD, len, y.ptr(), x.ptr(), (long) len);
    }

    /** dx[i] = y[i] > 0 ? dy[i] : 0 (y = forward output). dx may be dy. */
    public static void backward(DeviceBuffer dx, DeviceBuffer dy, DeviceBuffer y, int len) {
        DevArgs.nonNegative("len", len);
        DevArgs.need("dx", dx, len, "len");
        DevArgs.need("dy", dy, len, "len");
        DevArgs.need("y", y, len, "len");
        Launch.grid1d(K.BWD, len, dx.ptr(), dy.ptr(), y.ptr(), (long) len);
    }
}
