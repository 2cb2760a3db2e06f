package dev.mtdtl.cuda;

import dev.mtdtl.tensor.DeviceMemory;

import java.lang.ref.Cleaner;

import static jcuda.driver.JCudaDriver.*;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

/**
 * A block of device memory from a {@link DeviceAllocator}, holding float32 (or int32) elements.
 * Close it (try-with-resources) to return it to the allocator's cache; closing twice is a no-op, and
 * any use after close throws. Copies from and to Java arrays first drain the compute stream, then copy
 * synchronously (cuMemcpyHtoD/DtoH): a Java array may move under the GC, so JCuda cannot hand it to an
 * asynchronous copy, and our stream is non-blocking, so a plain synchronous copy would not wait for its
 * kernels by itself. That is what tests, checkpoints and the loss read-back need; the overlapping upload
 * path is {@link PinnedBuffer#uploadAsync}.
 */
public final class DeviceBuffer implements AutoCloseable, DeviceMemory {

    /** Gives GC-managed buffers (tensors of {@link CudaDevice}) back to their allocator's cache. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final DeviceAllocator owner;   // null for a view
    private final DeviceBuffer parent;     // a view keeps its buffer reachable (and so not cleaned)
    private Cleaner.Cleanable cleanable;   // set by managed()
    private final CUdeviceptr ptr;
    private final long bytes;      // as requested
    private final long size;       // size class actually held
    private boolean closed;

    DeviceBuffer(DeviceAllocator owner, CUdeviceptr ptr, long bytes, long size) {
        this(owner, null, ptr, bytes, size);
    }

    private DeviceBuffer(DeviceAllocator owner, DeviceBuffer parent, CUdeviceptr ptr, long bytes, long size) {
        this.owner = owner;
        this.parent = parent;
        this.ptr = ptr;
        this.bytes = bytes;
        this.size = size;
    }

    /**
     * A view of elements [offset, offset+elements) of this buffer, e.g. one parameter inside the ParamArena's
     * single allocation. It does not own memory: closing it does nothing, and it must not outlive this buffer.
     */
    public DeviceBuffer view(long offset, long elements) {
        if (offset < 0 || elements < 0 || (offset + elements) * 4 > bytes) {
            throw new IndexOutOfBoundsException("view [" + offset + ", " + (offset + elements) + ") outside a buffer of "
                    + bytes / 4 + " elements");
        }
        return new DeviceBuffer(null, this, at(offset), elements * 4, 0);
    }

    @Override
    public DeviceBuffer slice(long offset, long elements) {
        return view(offset, elements);
    }

    /**
     * Hand this buffer's lifetime to the GC: once no tensor, view or slice refers to it, it goes back to the
     * allocator's cache (not to the driver). For tensors, whose owners (layers, optimisers) never close them;
     * returns this. Safe without events for the same reason as the allocator's reuse: one stream, in order.
     */
    DeviceBuffer managed() {
        if (owner == null || cleanable != null) {
            throw new IllegalStateException("only an owning buffer can be managed, once");
        }
        DeviceAllocator o = owner;
        CUdeviceptr p = ptr;
        long sz = size;
        cleanable = CLEANER.register(this, () -> o.release(p, sz));   // captures no reference to this
        return this;
    }

    /** The device pointer (start of the buffer). */
    public CUdeviceptr ptr() {
        check();
        return ptr;
    }

    /** The device pointer {@code elements} 4-byte elements in. */
    public CUdeviceptr at(long elements) {
        check();
        if (elements < 0 || elements * 4 > bytes) {
            throw new IndexOutOfBoundsException("offset " + elements + " outside a buffer of " + bytes / 4 + " elements");
        }
        return elements == 0 ? ptr : ptr.withByteOffset(elements * 4);
    }

    /** Capacity in 4-byte elements (as requested, not the rounded size class). */
    public long elements() {
        return bytes / 4;
    }

    public long bytes() {
        return bytes;
    }

    public DeviceBuffer upload(float[] src) {
        return upload(src, 0, src.length);
    }

    /** Copies src[off, off+len) to the start of this buffer, after the work already enqueued. */
    public DeviceBuffer upload(float[] src, int off, int len) {
        fits(len);
        if (off < 0 || (long) off + len > src.length) {
            throw new IndexOutOfBoundsException("src[" + off + ", " + ((long) off + len) + ") outside " + src.length);
        }
        Cuda.context().synchronize();   // earlier kernels may still use this buffer
        cuMemcpyHtoD(ptr(), Pointer.to(src).withByteOffset((long) off * Sizeof.FLOAT), (long) len * 4);
        return this;
    }

    public DeviceBuffer upload(int[] src) {
        fits(src.length);
        Cuda.context().synchronize();
        cuMemcpyHtoD(ptr(), Pointer.to(src), (long) src.length * 4);
        return this;
    }

    /** Copies the first dst.length elements into dst once every kernel enqueued before has finished. */
    public float[] download(float[] dst) {
        fits(dst.length);
        Cuda.context().synchronize();
        cuMemcpyDtoH(Pointer.to(dst), ptr(), (long) dst.length * 4);
        return dst;
    }

    public int[] download(int[] dst) {
        fits(dst.length);
        Cuda.context().synchronize();
        cuMemcpyDtoH(Pointer.to(dst), ptr(), (long) dst.length * 4);
        return dst;
    }

    /** Sets the first {@code len} elements to the 32-bit pattern of {@code value} (0f: all-zero bits). */
    public void fill(float value, long len) {
        fits(len);
        cuMemsetD32Async(ptr(), Float.floatToRawIntBits(value), len, Cuda.context().stream());
    }

    private void fits(long len) {
        if (len < 0 || len * 4 > bytes) {
            throw new IllegalArgumentException(len + " elements do not fit a buffer of " + bytes / 4);
        }
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("device buffer used after close");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (cleanable != null) {
                cleanable.clean();  // runs the release once, here or never again by the GC
            } else if (owner != null) {    // a view owns nothing
                owner.release(ptr, size);
            }
        }
    }
}
