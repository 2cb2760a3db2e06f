package dev.mtdtl.cuda;

import dev.mtdtl.tensor.cpu.ConvGeom;
import jcuda.driver.CUfunction;

/**
 * 2-D convolution on device buffers (conv2d.cu + sgemm.cu), the contract of tensor's Conv2dCpu:
 * forward writes y, backwardData writes dx, backwardFilter ACCUMULATES into dw and db.
 *
 * <p>Algorithm: im2col over the whole batch, col (R, Q) with R = C*KH*KW and Q = N*HO*WO, then one GEMM
 * per direction (see conv2d.cu's header). Scratch: {@code ws} of at least {@link #workspaceFloats}
 * elements (one buffer sized for the largest layer serves every layer and direction), or null to take
 * it from the caching allocator. For the base CNN at batch 128 the largest is conv1: R = 50,
 * Q = 1.77 M, about 0.5 GB.
 */
public final class Conv2dCuda {

    private Conv2dCuda() {}

    private static final class K {
        static final PtxModule M = PtxModule.load("conv2d");
        static final CUfunction IM2COL = M.function("conv2d_im2col_f32");
        static final CUfunction COL2IM = M.function("conv2d_col2im_f32");
        static final CUfunction BIAS_FWD = M.function("conv2d_bias_forward_f32");
        static final CUfunction DY_BWD = M.function("conv2d_dy_backward_f32");
        static final CUfunction BIAS_BWD = M.function("conv2d_bias_backward_f32");
    }

    /** Scratch elements for any direction: col (R*Q) + a (OC, Q) permuted copy. */
    public static long workspaceFloats(ConvGeom g) {
        return rows(g) * cols(g) + (long) g.oc() * cols(g);
    }

    public static void forward(DeviceBuffer y, DeviceBuffer x, DeviceBuffer w, DeviceBuffer b, ConvGeom g, DeviceBuffer ws) {
        DevArgs.need("y", y, g.ySize(), "y of " + g);
        DevArgs.need("x", x, g.xSize(), "x of " + g);
        DevArgs.need("w", w, g.wSize(), "w of " + g);
        DevArgs.need("b", b, g.oc(), "b of " + g);
        try (Scratch s = new Scratch(g, ws)) {
            long r = rows(g), q = cols(g);
            im2col(s.ws, x, g);
            GemmCuda.launch(false, false, g.oc(), (int) q, (int) r, 1f, w.ptr(), (int) r, 0, s.ws.ptr(), (int) q, 0,
                    0f, s.ws.at(r * q), (int) q, 0, 1, 0);
            Launch.grid1d(K.BIAS_FWD, g.ySize(), y.ptr(), s.ws.at(r * q), b.ptr(), g.n(), g.oc(), g.ho() * g.wo());
        }
    }

    public static void backwardData(DeviceBuffer dx, DeviceBuffer dy, DeviceBuffer w, ConvGeom g, DeviceBuffer ws) {
        DevArgs.need("dx", dx, g.xSize(), "x of " + g);
        DevArgs.need("dy", dy, g.ySize(), "y of " + g);
        DevArgs.need("w", w, g.wSize(), "w of " + g);
        try (Scratch s = new Scratch(g, ws)) {
            long r = rows(g), q = cols(g);
            Launch.grid1d(K.DY_BWD, g.ySize(), s.ws.at(r * q), dy.ptr(), g.n(), g.oc(), g.ho() * g.wo());
            // dcol (R, Q) = w^T (R x OC; w stored OC x R) * dyt (OC, Q)
            GemmCuda.launch(true, false, (int) r, (int) q, g.oc(), 1f, w.ptr(), (int) r, 0, s.ws.at(r * q), (int) q, 0,
                    0f, s.ws.ptr(), (int) q, 0, 1, 0);
            Launch.grid1d(K.COL2IM, g.xSize(), prepend(dx, s.ws, g));
        }
    }

    public static void backwardFilter(DeviceBuffer dw, DeviceBuffer db, DeviceBuffer dy, DeviceBuffer x, ConvGeom g, DeviceBuffer ws) {
        DevArgs.need("dw", dw, g.wSize(), "w of " + g);
        DevArgs.need("db", db, g.oc(), "b of " + g);
        DevArgs.need("dy", dy, g.ySize(), "y of " + g);
        DevArgs.need("x", x, g.xSize(), "x of " + g);
        try (Scratch s = new Scratch(g, ws)) {
            long r = rows(g), q = cols(g);
            im2col(s.ws, x, g);
            DeviceBuffer dyt = s.ws;   // at offset r*q
            Launch.grid1d(K.DY_BWD, g.ySize(), dyt.at(r * q), dy.ptr(), g.n(), g.oc(), g.ho() * g.wo());
            Launch.kernel(K.BIAS_BWD, g.oc(), 1, 1, LaunchConfig.THREADS, db.ptr(), dyt.at(r * q), g.oc(), q);
            // dw (OC, R) += dyt (OC, Q) * col^T (Q x R; col stored R x Q): short M, N and a long K -> split-K
            int m = g.oc(), n = (int) r, k = (int) q;
            int splits = LaunchConfig.splitK(m, n, k);
            int kPer = LaunchConfig.kPerSlice(k, splits);
            splits = LaunchConfig.ceilDiv(k, kPer);
            try (DeviceBuffer part = Cuda.context().alloc((long) splits * m * n)) {
                GemmCuda.launch(false, true, m, n, k, 1f, dyt.at(r * q), k, 0, s.ws.ptr(), k, 0,
                        0f, part.ptr(), n, (long) m * n, splits, splits == 1 ? 0 : kPer);
                GemmCuda.splitKReduce(dw.ptr(), part.ptr(), m, n, n, splits, 1f);   // dw += sum of slices
            }
        }
    }

    private static void im2col(DeviceBuffer col, DeviceBuffer x, ConvGeom g) {
        Launch.grid1d(K.IM2COL, rows(g) * cols(g), prepend(col, x, g));
    }

    private static Object[] prepend(DeviceBuffer out, DeviceBuffer in, ConvGeom g) {
        Object[] geo = geom(g);
        Object[] a = new Object[geo.length];
        System.arraycopy(geo, 0, a, 0, geo.length);
        a[0] = out.ptr();
        a[1] = in.ptr();
        return a;
    }

    /** (out, in, n, c, h, w, kh, kw, sh, sw, ph, pw, ho, wo); out and in filled by the caller. */
    private static Object[] geom(ConvGeom g) {
        return new Object[] {null, null, g.n(), g.c(), g.h(), g.w(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.ho(), g.wo()};
    }

    static long rows(ConvGeom g) {
        return (long) g.c() * g.kh() * g.kw();
    }

    static long cols(ConvGeom g) {
        return (long) g.n() * g.ho() * g.wo();
    }

    /** The caller's workspace, or one from the allocator returned on close. */
    private static final class Scratch implements AutoCloseable {
        final DeviceBuffer ws;
        private final boolean owned;

        Scratch(ConvGeom g, DeviceBuffer given) {
            long need = workspaceFloats(g);
            if (given != null) {
                DevArgs.need("ws", given, need, "Conv2dCuda.workspaceFloats(" + g + ")");
            }
            this.owned = given == null;
            this.ws = owned ? Cuda.context().alloc(need) : given;
        }

        @Override
        public void close() {
            if (owned) {
                ws.close();
            }
        }
    }
}
