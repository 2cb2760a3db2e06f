package dev.mtdtl.tensor.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks that a compiled kernel allocates (almost) nothing: a Vector API kernel that C2 compiled boxed allocates
 * a vector object per operation, megabytes per call, so the bytes a call allocates tell a healthy compile from the
 * fallback where the time alone cannot (bench/RESULTS.md, sessions 26 and 27).
 */
public final class Allocation {

    private Allocation() {}

    /**
     * Calls op until three calls in a row allocate at most {@code limit} bytes each, on the calling thread (run
     * the kernels on one thread, so that every byte is the caller's); fails with the last call's allocation if
     * {@code deadlineNs} passes first. Skips where the JVM does not count allocated bytes per thread.
     */
    public static void assertSettles(String what, long limit, long deadlineNs, Runnable op) {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean b
                && b.isThreadAllocatedMemorySupported(), "this JVM does not count allocated bytes per thread");
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long start = System.nanoTime();
        int calm = 0;
        long last = -1;
        int calls = 0;
        while (calm < 3 && System.nanoTime() - start < deadlineNs) {
            long a0 = t.getThreadAllocatedBytes(id);
            op.run();
            last = t.getThreadAllocatedBytes(id) - a0;
            calls++;
            calm = last <= limit ? calm + 1 : 0;
        }
        assertTrue(calm == 3, what + " still allocates " + last + " bytes a call after " + calls
                + " calls (limit " + limit + "): C2 runs its vectors boxed");
    }
}
