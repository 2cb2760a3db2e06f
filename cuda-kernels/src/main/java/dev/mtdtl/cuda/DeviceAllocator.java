package dev.mtdtl.cuda;

import static jcuda.driver.JCudaDriver.*;

import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching device allocator: {@link DeviceBuffer#close()} returns a block to a free list keyed by its
 * rounded size, and the next {@link #allocate} of that size class reuses it without a driver call
 * (cuMemAlloc and cuMemFree synchronise the device and cost tens of microseconds each; a training step
 * allocates the same shapes every iteration, so after the first step no driver allocation happens).
 *
 * <p>Deterministic: memory goes back when a buffer is closed (try-with-resources), never through the GC;
 * {@link #trim()} frees every cached block after synchronising the context, and runs by itself once
 * when cuMemAlloc reports out-of-memory. Size classes ({@link #roundSize}): powers of two from 512 bytes
 * up to 1 MiB, then multiples of 1 MiB, so at most half (small) or 1 MiB (large) is wasted per block.
 *
 * <p>Reuse is safe without events because every op runs on the one compute stream in enqueue order: a
 * block freed by op k and reused by op k+1 is only touched after op k finished. Work on another stream
 * must finish (or be waited on) before its buffers are closed.
 */
public final class DeviceAllocator implements AutoCloseable {

    static final long MIN_BLOCK = 512;
    static final long LARGE = 1L << 20;

    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private long bytesInUse, bytesCached, driverAllocs;

    DeviceAllocator() {}

    /** The size class of a request: 512, 1024, ... 1 MiB, then the next multiple of 1 MiB. */
    static long roundSize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation: " + bytes + " bytes");
        }
        if (bytes <= MIN_BLOCK) {
            return MIN_BLOCK;
        }
        if (bytes <= LARGE) {
            return Long.highestOneBit(bytes - 1) << 1;
        }
        return (bytes + LARGE - 1) / LARGE * LARGE;
    }

    /** A buffer of at least {@code bytes} bytes (contents undefined). Close it to give it back. */
    public synchronized DeviceBuffer allocate(long bytes) {
        long size = roundSize(bytes);
        ArrayDeque<CUdeviceptr> list = free.get(size);
        CUdeviceptr p = list == null ? null : list.pollLast();   // LIFO: the most recently used block is warm in L2
        if (p != null) {
            bytesCached -= size;
        } else {
            p = driverAlloc(size);
        }
        bytesInUse += size;
        return new DeviceBuffer(this, p, bytes, size);
    }

    synchronized void release(CUdeviceptr p, long size) {
        bytesInUse -= size;
        bytesCached += size;
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).addLast(p);
    }

    private CUdeviceptr driverAlloc(long size) {
        CUdeviceptr p = new CUdeviceptr();
        try {
            cuMemAlloc(p, size);
        } catch (CudaException e) {
            if (!e.getMessage().contains(CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY))) {
                throw e;
            }
            trim();
            cuMemAlloc(p, size);    // a second failure propagates
        }
        driverAllocs++;
        return p;
    }

    /** Frees every cached (not in use) block back to the driver, after every stream of the context has drained. */
    public synchronized void trim() {
        cuCtxSynchronize();   // the compute stream and the copy stream
        for (ArrayDeque<CUdeviceptr> list : free.values()) {
            for (CUdeviceptr p : list) {
                cuMemFree(p);
            }
        }
        free.clear();
        bytesCached = 0;
    }

    public synchronized long bytesInUse() {
        return bytesInUse;
    }

    public synchronized long bytesCached() {
        return bytesCached;
    }

    /** How many times cuMemAlloc was called (a steady-state training step should add none). */
    public synchronized long driverAllocations() {
        return driverAllocs;
    }

    /** Frees the cache; buffers still open are the caller's leak and stay allocated until the context goes. */
    @Override
    public void close() {
        trim();
    }
}
