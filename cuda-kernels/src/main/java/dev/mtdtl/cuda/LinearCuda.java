package dev.mtdtl.cuda;

import jcuda.driver.CUfunction;

/**
 * Fully connected layer on device buffers (nn.Linear layout, tensor's LinearCpu): x (N, IN), w (OUT, IN),
 * b (OUT), y (N, OUT) = x W^T + b; backward dx = dy W (written), dW += dy^T x, db += sum_n dy (accumulated).
 * Products through {@link GemmCuda}, bias parts through linear.cu.
 */
public final class LinearCuda {

    private LinearCuda() {}

    private static final class K {
        static final PtxModule M = PtxModule.load("linear");
        static final CUfunction BIAS_FWD = M.function("linear_bias_forward_f32");
        static final CUfunction BIAS_BWD = M.function("linear_bias_backward_f32");
    }

    public static void forward(DeviceBuffer y, DeviceBuffer x, DeviceBuffer w, DeviceBuffer b, int n, int in, int out) {
        check(n, in, out);
        DevArgs.need("b", b, out, "OUT");
        GemmCuda.sgemm(false, true, n, out, in, 1f, x, 0, in, w, 0, in, 0f, y, 0, out);
        Launch.grid1d(K.BIAS_FWD, (long) n * out, y.ptr(), b.ptr(), n, out);
    }

    /** dx may be null (first layer: no data gradient needed). */
    public static void backward(DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db, DeviceBuffer dy, DeviceBuffer x,
                                DeviceBuffer w, int n, int in, int out) {
        check(n, in, out);
        DevArgs.need("db", db, out, "OUT");
        if (dx != null) {
            GemmCuda.sgemm(false, false, n, in, out, 1f, dy, 0, out, w, 0, in, 0f, dx, 0, in);
        }
        GemmCuda.sgemm(true, false, out, in, n, 1f, dy, 0, out, x, 0, in, 1f, dw, 0, in);
        Launch.grid1d(K.BIAS_BWD, out, db.ptr(), dy.ptr(), n, out);
    }

    private static void check(int n, int in, int out) {
        DevArgs.positive("N", n);
        DevArgs.positive("IN", in);
        DevArgs.positive("OUT", out);
    }
}
