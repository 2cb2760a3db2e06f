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
        assertTrue(s.workerStartMedianUs() >= 1 && s.workerStartMedianUs() <= 2000, "median start delay " + s);
        assertTrue(s.lateStartMs() >= 0 && s.lateStartMs() <= s.workerStartUs() * s.workerStarts() / 1e3 + 1e-9,
                "late starts " + s);
    }

    @Test
    void recordsEachLoopWhenAsked() {
        Parallel.setThreads(2);
        LoopStats.start(3);
        for (int i = 0; i < 5; i++) {
            if (i > 0) {
                busy(200);            // serial work between loops: the gap before loop i
            }
            Parallel.forChunks(2, 1, (c, from, to) -> busy(c == 0 ? 10 : 300));
        }
        LoopStats.Snapshot s = LoopStats.stop();
        long[] d = LoopStats.detail();
        assertEquals(LoopStats.DETAIL * 3, d.length, "three of five loops recorded, as asked");
        for (int k = 0; k < 3; k++) {
            long gap = d[LoopStats.DETAIL * k], loop = d[LoopStats.DETAIL * k + 1], wait = d[LoopStats.DETAIL * k + 2];
            assertTrue(loop >= 300_000 && wait >= 0 && wait <= loop && gap >= 0, "loop " + k + ": " + loop
                    + " ns, wait " + wait + ", gap before " + gap);
            assertTrue(k == 0 ? gap == 0 : gap >= 200_000, "loop " + k + ": the serial 200 us before it, " + gap);
        }
        assertEquals(5, s.loops());
        LoopStats.start();
        Parallel.forChunks(2, 1, (c, from, to) -> busy(10));
        assertEquals(0, LoopStats.detail().length, "a plain start records no detail");
    }

    @Test
    void countsNothingWhenOffOrOnOneThread() {
        Parallel.setThreads(2);
        LoopStats.start();
        LoopStats.stop();
        Parallel.forChunks(4, 1, (c, from, to) -> busy(20));
        assertEquals(new LoopStats.Snapshot(0, 0, 0, 0, 0, 0, 0), LoopStats.snapshot());
        assertEquals(0, LoopStats.detail().length);
        Parallel.setThreads(1);
        LoopStats.start();
        Parallel.forChunks(4, 1, (c, from, to) -> busy(20));
        assertEquals(0, LoopStats.stop().loops());
    }
}
