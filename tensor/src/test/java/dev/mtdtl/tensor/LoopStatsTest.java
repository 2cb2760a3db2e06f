package dev.mtdtl.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LoopStats counts the loops that run on the pool, their time, the caller's wait and the workers' starts. */
class LoopStatsTest {

    private final int threads0 = Parallel.threads();

    @AfterEach
    void restore() {
        LoopStats.stop();
        Parallel.setThreads(threads0);
    }

    /** Spin for about us microseconds (a chunk of known length, not optimised away). */
    private static void busy(long us) {
        long end = System.nanoTime() + us * 1000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void countsPoolLoopsAndTheCallersWait() {
        Parallel.setThreads(3);
        LoopStats.start();
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            // chunk 0 (the caller's own range first) is short, the others long: the caller waits at the end
            Parallel.forChunks(3, 1, (c, from, to) -> busy(c == 0 ? 50 : 2000));
        }
        double wallMs = (System.nanoTime() - t0) / 1e6;
        Parallel.forChunks(1, 1, (c, from, to) -> busy(10));     // one chunk: inline, not a pool loop
        LoopStats.Snapshot s = LoopStats.stop();
        assertEquals(20, s.loops());
        assertTrue(s.loopMs() >= 20 * 2.0 && s.loopMs() <= wallMs, "time inside loops " + s + ", wall " + wallMs);
        assertTrue(s.callerWaitMs() > 0 && s.callerWaitMs() < s.loopMs(), "the caller's wait " + s);
        assertTrue(s.workerStarts() >= 1 && s.workerStarts() <= 20 * 2, "worker starts " + s);
        assertTrue(s.workerStartUs() >= 0, "worker start delay " + s);
    }

    @Test
    void countsNothingWhenOffOrOnOneThread() {
        Parallel.setThreads(2);
        LoopStats.start();
        LoopStats.stop();
        Parallel.forChunks(4, 1, (c, from, to) -> busy(20));
        assertEquals(new LoopStats.Snapshot(0, 0, 0, 0, 0), LoopStats.snapshot());
        Parallel.setThreads(1);
        LoopStats.start();
        Parallel.forChunks(4, 1, (c, from, to) -> busy(20));
        assertEquals(0, LoopStats.stop().loops());
    }
}
