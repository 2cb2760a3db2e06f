package dev.mtdtl.cuda;

import static jcuda.driver.JCudaDriver.*;

import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Page-locked host memory (cuMemAllocHost): the DMA engine copies it to the device without a staging
 * copy, and asynchronously, so the next batch's upload on the context's copy stream can overlap the
 * current step's kernels on the compute stream. Double-buffered use (device buffers A and B):
 * <pre>
 *   pinned.floats().put(batch(k + 1));        // host fills (after the previous upload from it completed)
 *   pinned.uploadAsync(k odd ? A : B, n);     // copy stream; starts once the kernels enqueued SO FAR are done
 *   ... enqueue step k's kernels on buffer (k odd ? B : A) ...   // they overlap the copy
 *   pinned.waitUpload();                      // compute stream waits for the copy (an event, not a host sync)
 * </pre>
 * {@link #uploadAsync} orders the copy after every kernel already enqueued on the compute stream (an
 * event), so it never overwrites a buffer that an earlier step still reads; enqueue the upload of batch
 * k+1 before step k's kernels to get the overlap. Freed by {@link #close()} (cuMemFreeHost), never by the GC.
 */
public final class PinnedBuffer implements AutoCloseable {

    private final Pointer host = new Pointer();
    private final long bytes;
    private final FloatBuffer floats;
    private final CUevent copied = new CUevent();     // recorded on the copy stream after the copy
    private final CUevent computed = new CUevent();   // recorded on the compute stream before the copy
    private boolean closed;

    public PinnedBuffer(long elements) {
        Cuda.context();
        this.bytes = elements * 4;
        cuMemAllocHost(host, bytes);
        this.floats = host.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
        cuEventCreate(copied, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        cuEventCreate(computed, CUevent_flags.CU_EVENT_DISABLE_TIMING);
    }

    /** A view of the pinned memory as floats (position 0, limit = capacity). */
    public FloatBuffer floats() {
        return floats.duplicate().clear();
    }

    /**
     * Enqueues a copy of the first {@code elements} floats to dst on the copy stream, after the kernels already
     * enqueued on the compute stream, and records an event for {@link #waitUpload}. The pinned memory must not be
     * refilled before that event (waitUpload then a later step, or {@link #close()}).
     */
    public void uploadAsync(DeviceBuffer dst, long elements) {
        if (elements * 4 > bytes || elements > dst.elements()) {
            throw new IllegalArgumentException(elements + " elements exceed the pinned (" + bytes / 4 + ") or device ("
                    + dst.elements() + ") buffer");
        }
        CudaContext ctx = Cuda.context();
        CUstream cs = ctx.copyStream();
        cuEventRecord(computed, ctx.stream());
        cuStreamWaitEvent(cs, computed, 0);
        cuMemcpyHtoDAsync(dst.ptr(), host, elements * 4, cs);
        cuEventRecord(copied, cs);
    }

    /** Makes the compute stream wait for the last {@link #uploadAsync} (no host blocking). */
    public void waitUpload() {
        cuStreamWaitEvent(Cuda.context().stream(), copied, 0);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cuEventSynchronize(copied);
            cuEventDestroy(copied);
            cuEventDestroy(computed);
            cuMemFreeHost(host);
        }
    }
}
