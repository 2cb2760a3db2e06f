package dev.mtdtl.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ComputeThreadsTest {

    private static volatile Object sink;

    /** The caller's and the worker's allocation and CPU time, summed, on a pool of 2 threads. */
    @Test
    void sumsTheComputeThreadsAllocationAndCpuTime() {
        assumeTrue(ComputeThreads.countsAllocation(), "this JVM does not count per-thread allocation");
        int before = Parallel.threads();
        Parallel.setThreads(2);
        try {
            long a0 = ComputeThreads.allocatedBytes();
            long c0 = ComputeThreads.cpuNanos();
            // each of the 2 chunks allocates 8 MB and burns 20 ms of its thread's CPU, whichever thread takes it
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            Parallel.forEach(2, (t, t0, t1) -> {
                for (int i = 0; i < 8; i++) {
                    sink = new byte[1 << 20];
                }
                long end = mx.getCurrentThreadCpuTime() + 20_000_000L;
                double x = 0;
                while (mx.getCurrentThreadCpuTime() < end) {
                    x += Math.sqrt(x + 1);
                }
                sink = x;
            });
            long mb = (ComputeThreads.allocatedBytes() - a0) >> 20;
            long cpuMs = (ComputeThreads.cpuNanos() - c0) / 1_000_000;
            assertTrue(mb >= 16 && mb < 24, mb + " MB counted for 16 allocated");
            assertTrue(cpuMs >= 38, cpuMs + " ms of CPU counted for two chunks of 20 ms of CPU");
        } finally {
            Parallel.setThreads(before);
        }
    }
}
