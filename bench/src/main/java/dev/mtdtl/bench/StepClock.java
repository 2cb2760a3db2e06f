package dev.mtdtl.bench;

import dev.mtdtl.tensor.ComputeThreads;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Wall time, compute CPU time and garbage-collector activity of one timed region, for step timers
 * that must say something useful on a shared, overloaded machine: with a load average of 10 on 2 cores
 * a step's wall time is mostly waiting for a core, but the CPU time of the threads that do the work
 * (the caller and the kernel pool's {@code mtdtl-cpu-*} workers, which park instead of spinning) is
 * close to what the step costs on an idle machine. GC threads are counted apart (JMX collection time
 * and count), so allocation churn shows as its own number rather than as "slower kernels". The bytes the
 * compute threads allocate are counted too: a kernel that C2 compiled without inlining its Vector API calls
 * boxes every vector (tens of bytes per operation), so megabytes per step flag a JIT fallback that the time
 * alone cannot tell from a noisy neighbour.
 */
final class StepClock {

    private long wall0;
    private long cpu0;
    private long gcMs0;
    private long gcCount0;
    private long alloc0;

    /** Wall ms, compute-thread CPU ms, GC ms and GC count of the last {@link #start}/{@link #stop} pair. */
    double wallMs;
    double cpuMs;
    double gcMs;
    long gcCount;
    /** MB allocated by the compute threads (heap bytes; the caller's own and the kernel workers'). */
    double allocMb;

    void start() {
        gcMs0 = gcMillis();
        gcCount0 = gcCount();
        cpu0 = ComputeThreads.cpuNanos();
        alloc0 = ComputeThreads.allocatedBytes();
        wall0 = System.nanoTime();
    }

    void stop() {
        long w = System.nanoTime();
        long a = ComputeThreads.allocatedBytes();
        long c = ComputeThreads.cpuNanos();
        allocMb = (a - alloc0) / 1e6;
        wallMs = (w - wall0) / 1e6;
        cpuMs = (c - cpu0) / 1e6;
        gcMs = gcMillis() - gcMs0;
        gcCount = gcCount() - gcCount0;
    }

    private static long gcMillis() {
        long s = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            s += Math.max(0, b.getCollectionTime());
        }
        return s;
    }

    private static long gcCount() {
        long s = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            s += Math.max(0, b.getCollectionCount());
        }
        return s;
    }
}
