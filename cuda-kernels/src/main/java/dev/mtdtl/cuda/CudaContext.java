package dev.mtdtl.cuda;

import static jcuda.driver.JCudaDriver.*;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * One device's primary context, the stream every op is enqueued on, and the device's caching allocator.
 *
 * <p>Ops run in enqueue order on {@link #stream()}; a buffer released to the allocator may be handed to
 * the next op at once because that op runs after every earlier one on the same stream. The upload of
 * the next batch can overlap compute through {@link #copyStream()} and an event (see PinnedBuffer).
 * Obtain it with {@link Cuda#context()}; it lives for the process ({@link #close()} is for tests and tools).
 */
public final class CudaContext implements AutoCloseable {

    private final CUdevice device;
    private final CUcontext context;
    private final CUstream stream;
    private final CUstream copyStream;
    private final DeviceAllocator allocator;
    private final String name;
    private final int driverVersion;
    private final int major, minor, smCount;

    private CudaContext(CUdevice device, CUcontext context) {
        this.device = device;
        this.context = context;
        byte[] nm = new byte[256];
        cuDeviceGetName(nm, nm.length, device);
        int len = 0;
        while (len < nm.length && nm[len] != 0) {
            len++;
        }
        this.name = new String(nm, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
        int[] v = new int[1];
        cuDriverGetVersion(v);
        this.driverVersion = v[0];
        this.major = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        this.minor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        this.smCount = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        this.stream = new CUstream();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        this.copyStream = new CUstream();
        cuStreamCreate(copyStream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        this.allocator = new DeviceAllocator();
    }

    /** Retains the primary context of device {@code ordinal}; throws CudaException or LinkageError on failure. */
    static CudaContext create(int ordinal) {
        JCudaDriver.setExceptionsEnabled(true);   // once: every driver call below throws instead of returning codes
        cuInit(0);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (count[0] <= ordinal) {
            throw new IllegalStateException("no CUDA device " + ordinal + " (the driver reports " + count[0] + ")");
        }
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, ordinal);
        CUcontext ctx = new CUcontext();
        cuDevicePrimaryCtxRetain(ctx, dev);
        cuCtxSetCurrent(ctx);
        return new CudaContext(dev, ctx);
    }

    /** Makes this context current on the calling thread (JCuda calls act on the thread's current context). */
    void bind() {
        cuCtxSetCurrent(context);
    }

    public CUstream stream() {
        return stream;
    }

    /** A second stream for host-to-device copies that overlap compute on {@link #stream()}. */
    public CUstream copyStream() {
        return copyStream;
    }

    public DeviceAllocator allocator() {
        return allocator;
    }

    /** Shorthand: a device buffer of {@code floats} floats (or ints) from the caching allocator. */
    public DeviceBuffer alloc(long floats) {
        return allocator.allocate(floats * 4L);
    }

    /** Waits until everything enqueued on the compute stream has finished. */
    public void synchronize() {
        cuStreamSynchronize(stream);
    }

    public String name() {
        return name;
    }

    /** e.g. 13000 for CUDA 13.0. */
    public int driverVersion() {
        return driverVersion;
    }

    public int computeCapability() {
        return major * 10 + minor;
    }

    public int smCount() {
        return smCount;
    }

    /** "NVIDIA H100 80GB HBM3, sm_90, 132 SMs, driver CUDA 13.0". */
    public String describe() {
        return name + ", sm_" + computeCapability() + ", " + smCount + " SMs, driver CUDA " + driverVersion / 1000 + "."
                + (driverVersion % 1000) / 10;
    }

    private int attribute(int attr) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attr, device);
        return v[0];
    }

    /** Frees the allocator's memory and the streams, and releases the primary context. */
    @Override
    public void close() {
        bind();
        cuStreamSynchronize(stream);
        allocator.close();
        cuStreamDestroy(stream);
        cuStreamDestroy(copyStream);
        cuDevicePrimaryCtxRelease(device);
    }
}
