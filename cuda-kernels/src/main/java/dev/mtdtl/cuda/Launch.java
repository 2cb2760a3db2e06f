package dev.mtdtl.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;

/**
 * cuLaunchKernel on the shared compute stream with arguments given as Java values: a CUdeviceptr (or any
 * NativePointerObject) is passed as a device pointer, Integer as int, Long as long long, Float as float,
 * Double as double. The mapping must match the kernel's C signature exactly; each launcher's call site
 * sits next to that signature in the .cu header.
 */
final class Launch {

    private Launch() {}

    static void grid1d(CUfunction f, long len, Object... args) {
        kernel(f, LaunchConfig.elementwise(len), 1, 1, LaunchConfig.THREADS, args);
    }

    static void kernel(CUfunction f, int gx, int gy, int gz, int threads, Object... args) {
        Pointer[] ps = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof NativePointerObject p) {
                ps[i] = Pointer.to(p);
            } else if (a instanceof Integer v) {
                ps[i] = Pointer.to(new int[] {v});
            } else if (a instanceof Long v) {
                ps[i] = Pointer.to(new long[] {v});
            } else if (a instanceof Float v) {
                ps[i] = Pointer.to(new float[] {v});
            } else if (a instanceof Double v) {
                ps[i] = Pointer.to(new double[] {v});
            } else {
                throw new IllegalArgumentException("kernel argument " + i + " of type "
                        + (a == null ? "null" : a.getClass().getName()) + " is not supported");
            }
        }
        CudaContext ctx = Cuda.context();
        cuLaunchKernel(f, gx, gy, gz, threads, 1, 1, 0, ctx.stream(), Pointer.to(ps), null);
    }
}
