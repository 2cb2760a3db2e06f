package dev.mtdtl.nn;

import dev.mtdtl.tensor.Parallel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AllocationWatchTest {

    /** Keeps the allocations below observable (escape analysis must not remove them). */
    private static volatile Object sink;

    /** A "step" that allocates {@code mb} MB on each of the pool's threads, the caller included. */
    private static void step(AllocationWatch w, int mb) {
        w.beforeStep();
        Parallel.forEach(Parallel.threads(), (t, t0, t1) -> {
            for (int i = 0; i < mb; i++) {
                sink = new byte[1 << 20];
            }
        });
        w.afterStep();
    }

    /** Runs {@code body} on a pool of 2 threads where the JVM counts per-thread allocation (else skips). */
    private static void onTwoThreads(Runnable body) {
        assumeTrue(AllocationWatch.available(), "this JVM does not count per-thread allocation");
        int before = Parallel.threads();
        Parallel.setThreads(2);
        try {
            body.run();
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void warnsOnceAfterTheWarmUpWhenStepsAllocateMegabytesOnAnyComputeThread() {
        onTwoThreads(() -> {
            AllocationWatch w = new AllocationWatch(3, 8);
            for (int i = 0; i < 3; i++) {
                step(w, 20);                     // warm-up steps: not judged however much they allocate
            }
            assertNull(w.check(), "nothing judged yet");
            for (int i = 0; i < 4; i++) {
                step(w, 0);
            }
            assertNull(w.check(), "steps that allocate (almost) nothing");
            for (int i = 0; i < 4; i++) {
                step(w, 5);                      // 2 threads x 5 MB: 10.5 MB a step, counted on both threads
            }
            String warning = w.check();
            assertNotNull(warning, "10.5 MB a step against a threshold of 8");
            assertTrue(warning.contains("10.") && warning.contains("last 4 steps"), warning);
            step(w, 5);
            assertNull(w.check(), "one warning a run");
        });
    }

    @Test
    void theWorkersAllocationCounts() {
        onTwoThreads(() -> {
            AllocationWatch w = new AllocationWatch(0, 8);
            workerRan = false;
            w.beforeStep();
            Parallel.forEach(2, (t, t0, t1) -> {      // only a chunk the worker takes allocates
                if (Thread.currentThread().getName().startsWith("mtdtl-cpu-")) {
                    workerRan = true;
                    for (int i = 0; i < 12; i++) {
                        sink = new byte[1 << 20];
                    }
                }
            });
            w.afterStep();
            String warning = w.check();
            // the caller may have taken both chunks (then nothing was allocated and no warning is due)
            assertEquals(workerRan, warning != null, "worker ran: " + workerRan + ", warning: " + warning);
        });
    }

    private static volatile boolean workerRan;

    @Test
    void theWarningSaysWhatAndWhatToDo() {
        String s = AllocationWatch.warning(44.01, 200);
        assertTrue(s.startsWith("warning: ") && s.contains("44.0 MB a step") && s.contains("last 200 steps")
                && s.contains("boxed") && s.contains("mtdtl profile"), s);
    }
}
