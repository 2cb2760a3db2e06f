package dev.mtdtl.tensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Per-thread counters summed over the compute threads: the calling thread (which joins every parallel loop it
 * opens) and the current pool's workers ({@link Parallel#workerIds}). For the trainer's watch for boxed vector
 * kernels (nn's AllocationWatch) and the bench step timers (StepClock): one place that knows which threads compute.
 * Reads cost a few microseconds (one JMX call per thread kind) and allocate a few small arrays.
 */
public final class ComputeThreads {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** HotSpot's per-thread allocation counter, where the JVM has one and it is on; else null. */
    private static final com.sun.management.ThreadMXBean ALLOC = allocCounter();

    private ComputeThreads() {}

    /** Whether {@link #allocatedBytes} counts (HotSpot does); else it reads 0. */
    public static boolean countsAllocation() {
        return ALLOC != null;
    }

    /**
     * Heap bytes allocated so far by the calling thread and the pool's workers (0 where the JVM cannot say). The
     * workers are read first and the caller last, so that the array the worker ids come in is not counted in a
     * difference taken the same way around a region.
     */
    public static long allocatedBytes() {
        if (ALLOC == null) {
            return 0;
        }
        long sum = 0;
        long[] ids = Parallel.workerIds();
        if (ids.length > 0) {
            for (long b : ALLOC.getThreadAllocatedBytes(ids)) {
                sum += Math.max(0, b);   // -1: a worker that has ended (a pool replaced by setThreads)
            }
        }
        return sum + Math.max(0, ALLOC.getCurrentThreadAllocatedBytes());
    }

    /** CPU nanoseconds so far of the calling thread and the pool's workers. */
    public static long cpuNanos() {
        long sum = Math.max(0, THREADS.getCurrentThreadCpuTime());
        for (long id : Parallel.workerIds()) {
            sum += Math.max(0, THREADS.getThreadCpuTime(id));
        }
        return sum;
    }

    private static com.sun.management.ThreadMXBean allocCounter() {
        try {
            return THREADS instanceof com.sun.management.ThreadMXBean b && b.isThreadAllocatedMemorySupported()
                    && b.isThreadAllocatedMemoryEnabled() ? b : null;
        } catch (RuntimeException | LinkageError e) {   // no jdk.management module
            return null;
        }
    }
}
