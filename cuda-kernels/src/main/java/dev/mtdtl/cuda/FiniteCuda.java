package dev.mtdtl.cuda;

import jcuda.driver.CUfunction;

/** The device-side finiteness check (finite.cu): one flag for many tensors, one read-back. */
public final class FiniteCuda {

    private FiniteCuda() {}

    private static final class K {
        static final PtxModule M = PtxModule.load("finite");
        static final CUfunction FLAG = M.function("finite_flag_f32");
    }

    /** flag[0] |= 1 when any of x[0, len) is NaN or +-Inf (flag is not cleared here). */
    public static void orNonFinite(DeviceBuffer flag, DeviceBuffer x, long len) {
        DevArgs.need("flag", flag, 1, "1");
        DevArgs.need("x", x, len, "len");
        if (len > 0) {
            Launch.grid1d(K.FLAG, len, flag.ptr(), x.ptr(), len);
        }
    }
}
