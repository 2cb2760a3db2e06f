package dev.mtdtl.tensor;

import dev.mtdtl.tensor.cpu.CpuDevice;

/**
 * Where tensors live and ops run: the CPU (heap arrays, {@link CpuDevice}) or a GPU (device memory,
 * cuda-kernels' CudaDevice). A layer asks its input for {@link Tensor#device()} and runs
 * {@code device.ops()}; it never names a device class, so one forward/backward serves both devices and
 * no CUDA class is loaded on the CPU path.
 *
 * <p>Memory: {@link #zeros} and {@link #indices} allocate on this device; {@link #copy} moves data
 * between this device and the CPU (or within this device). Ops are asynchronous on a GPU (one stream,
 * in issue order); anything that hands data to the host ({@link Tensor#toCpu()}, a loss value) waits.
 */
public interface Device {

    /** The CPU device (a singleton; also what {@link Tensor#zeros} uses). */
    static Device cpu() {
        return CpuDevice.INSTANCE;
    }

    /** "cpu", or e.g. "cuda:0 (NVIDIA H200)". */
    String name();

    boolean isCpu();

    /** The compute ops of this device. */
    Ops ops();

    /** A zero tensor of the given shape on this device. */
    Tensor zeros(int... shape);

    /** {@code n} zero int32 indices on this device. */
    Indices indices(int n);

    /** Copy int32 indices (CPU or this device) into {@code dst} on this device. */
    void copy(Indices dst, Indices src);

    /** Set every element of {@code t} (on this device) to {@code v}. */
    void fill(Tensor t, float v);

    /**
     * Copy {@code src} into {@code dst} (same element count). One of them is on this device, the other on
     * this device or on the CPU: this is the upload and download path.
     */
    void copy(Tensor dst, Tensor src);

    /** Wait until every op issued so far has finished (a no-op on the CPU). */
    void synchronize();

    /** Bytes of device memory held by this device's allocator (0 on the CPU: the heap is the JVM's). */
    default long bytesInUse() {
        return 0;
    }
}
