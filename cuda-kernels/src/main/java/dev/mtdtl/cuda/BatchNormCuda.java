package dev.mtdtl.cuda;

import jcuda.driver.CUfunction;

/**
 * Batch normalisation on device buffers (batchnorm.cu), the four entry points of tensor's BatchNormCpu
 * with the same arguments. Scratch (per-channel partial sums in double, the shift and the per-channel
 * coefficients) comes from the caching allocator and goes back before return; its size depends on the
 * shape only. Sequence per call: see the header of batchnorm.cu.
 */
public final class BatchNormCuda {

    private BatchNormCuda() {}

    private static final class K {
        static final PtxModule M = PtxModule.load("batchnorm");
        static final CUfunction PARTIAL = M.function("batchnorm_partial_f32");
        static final CUfunction STATS = M.function("batchnorm_stats_f32");
        static final CUfunction EVAL_COEF = M.function("batchnorm_eval_coef_f32");
        static final CUfunction FWD = M.function("batchnorm_forward_f32");
        static final CUfunction GRAD_COEF = M.function("batchnorm_grad_coef_f32");
        static final CUfunction BWD = M.function("batchnorm_backward_f32");
    }

    private static final int MODE_SUM = 0, MODE_DEV = 1, MODE_GRAD = 2;

    /** Training forward; see BatchNormCpu.forwardTrain for every argument. */
    public static void forwardTrain(DeviceBuffer y, DeviceBuffer saveMean, DeviceBuffer saveInvstd, DeviceBuffer x,
                                    DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer runningMean, DeviceBuffer runningVar,
                                    int n, int c, int s, float momentum, float eps) {
        long len = check(n, c, s, y, x);
        need(c, saveMean, saveInvstd, gamma, beta, runningMean, runningVar);
        checkEps(eps);
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        long cnt = (long) n * s;
        if (cnt < 2) {
            throw new IllegalArgumentException("training batch norm needs N*S > 1 values per channel, got " + DevArgs.shape(n, c, s));
        }
        int parts = LaunchConfig.bnParts(cnt, c);
        CudaContext ctx = Cuda.context();
        try (DeviceBuffer part = ctx.alloc(4L * c * parts);      // (C, parts, 2) doubles
             DeviceBuffer shift = ctx.alloc(c);
             DeviceBuffer coef = ctx.alloc(4L * c)) {
            int cb = LaunchConfig.ceilDiv(c, LaunchConfig.THREADS);
            Launch.kernel(K.PARTIAL, parts, c, 1, LaunchConfig.THREADS, part.ptr(), x.ptr(), x.ptr(), shift.ptr(), n, c, s, parts, MODE_SUM);
            Launch.kernel(K.STATS, cb, 1, 1, LaunchConfig.THREADS, coef.ptr(), shift.ptr(), saveMean.ptr(), saveInvstd.ptr(),
                    runningMean.ptr(), runningVar.ptr(), part.ptr(), gamma.ptr(), beta.ptr(), c, parts, cnt, momentum, eps, 0);
            Launch.kernel(K.PARTIAL, parts, c, 1, LaunchConfig.THREADS, part.ptr(), x.ptr(), x.ptr(), shift.ptr(), n, c, s, parts, MODE_DEV);
            Launch.kernel(K.STATS, cb, 1, 1, LaunchConfig.THREADS, coef.ptr(), shift.ptr(), saveMean.ptr(), saveInvstd.ptr(),
                    runningMean.ptr(), runningVar.ptr(), part.ptr(), gamma.ptr(), beta.ptr(), c, parts, cnt, momentum, eps, 1);
            Launch.grid1d(K.FWD, len, y.ptr(), x.ptr(), coef.ptr(), n, c, s);
        }
    }

    /** Training backward; dgamma, dbeta ACCUMULATED; see BatchNormCpu.backwardTrain. */
    public static void backwardTrain(DeviceBuffer dx, DeviceBuffer dgamma, DeviceBuffer dbeta, DeviceBuffer dy, DeviceBuffer x,
                                     DeviceBuffer saveMean, DeviceBuffer saveInvstd, DeviceBuffer gamma, int n, int c, int s) {
        long len = check(n, c, s, dx, x);
        DevArgs.need("dy", dy, len, "N*C*S");
        need(c, dgamma, dbeta, saveMean, saveInvstd, gamma);
        backward(dx, dgamma, dbeta, dy, x, saveMean, saveInvstd, gamma, saveInvstd, n, c, s, 0f, 1);
    }

    /** Eval forward with the running statistics; see BatchNormCpu.forwardEval. */
    public static void forwardEval(DeviceBuffer y, DeviceBuffer x, DeviceBuffer gamma, DeviceBuffer beta,
                                   DeviceBuffer runningMean, DeviceBuffer runningVar, int n, int c, int s, float eps) {
        long len = check(n, c, s, y, x);
        need(c, gamma, beta, runningMean, runningVar);
        checkEps(eps);
        try (DeviceBuffer coef = Cuda.context().alloc(4L * c)) {
            Launch.kernel(K.EVAL_COEF, LaunchConfig.ceilDiv(c, LaunchConfig.THREADS), 1, 1, LaunchConfig.THREADS,
                    coef.ptr(), gamma.ptr(), beta.ptr(), runningMean.ptr(), runningVar.ptr(), c, eps);
            Launch.grid1d(K.FWD, len, y.ptr(), x.ptr(), coef.ptr(), n, c, s);
        }
    }

    /** Eval backward; dgamma, dbeta ACCUMULATED; see BatchNormCpu.backwardEval. */
    public static void backwardEval(DeviceBuffer dx, DeviceBuffer dgamma, DeviceBuffer dbeta, DeviceBuffer dy, DeviceBuffer x,
                                    DeviceBuffer gamma, DeviceBuffer runningMean, DeviceBuffer runningVar,
                                    int n, int c, int s, float eps) {
        long len = check(n, c, s, dx, x);
        DevArgs.need("dy", dy, len, "N*C*S");
        need(c, dgamma, dbeta, gamma, runningMean, runningVar);
        checkEps(eps);
        backward(dx, dgamma, dbeta, dy, x, runningMean, runningVar, gamma, runningVar, n, c, s, eps, 0);
    }

    /** Shared backward: center = saveMean (train) or runningMean (eval); invstd read in train, rv in eval. */
    private static void backward(DeviceBuffer dx, DeviceBuffer dgamma, DeviceBuffer dbeta, DeviceBuffer dy, DeviceBuffer x,
                                 DeviceBuffer center, DeviceBuffer invstd, DeviceBuffer gamma, DeviceBuffer rv,
                                 int n, int c, int s, float eps, int train) {
        long cnt = (long) n * s;
        int parts = LaunchConfig.bnParts(cnt, c);
        CudaContext ctx = Cuda.context();
        try (DeviceBuffer part = ctx.alloc(4L * c * parts);
             DeviceBuffer coef = ctx.alloc(4L * c)) {
            Launch.kernel(K.PARTIAL, parts, c, 1, LaunchConfig.THREADS, part.ptr(), x.ptr(), dy.ptr(), center.ptr(), n, c, s, parts, MODE_GRAD);
            Launch.kernel(K.GRAD_COEF, LaunchConfig.ceilDiv(c, LaunchConfig.THREADS), 1, 1, LaunchConfig.THREADS,
                    coef.ptr(), dgamma.ptr(), dbeta.ptr(), part.ptr(), center.ptr(), invstd.ptr(), gamma.ptr(), rv.ptr(),
                    c, parts, cnt, eps, train);
            Launch.grid1d(K.BWD, (long) n * c * s, dx.ptr(), dy.ptr(), x.ptr(), coef.ptr(), n, c, s);
        }
    }

    private static long check(int n, int c, int s, DeviceBuffer out, DeviceBuffer in) {
        DevArgs.positive("N", n);
        DevArgs.positive("C", c);
        DevArgs.positive("S", s);
        long len = (long) n * c * s;
        DevArgs.need("output", out, len, "N*C*S " + DevArgs.shape(n, c, s));
        DevArgs.need("x", in, len, "N*C*S " + DevArgs.shape(n, c, s));
        return len;
    }

    private static void need(int c, DeviceBuffer... perChannel) {
        for (int i = 0; i < perChannel.length; i++) {
            DevArgs.need("per-channel argument " + i, perChannel[i], c, "C = " + c);
        }
    }

    private static void checkEps(float eps) {
        if (!(eps >= 0f) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        }
    }
}
