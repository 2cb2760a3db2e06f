package dev.mtdtl.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParallelTest {

    @AfterEach
    void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void chunksDependOnlyOnSizeAndGrain() {
        assertEquals(0, Parallel.chunkCount(0, 7));
        assertEquals(3, Parallel.chunkCount(15, 7));
        for (int t : new int[]{1, 3}) {
            Parallel.setThreads(t);
            long[] seen = new long[3];
            Parallel.forChunks(15, 7, (c, from, to) -> seen[c] = ((long) from << 32) | to);
            assertEquals((0L << 32) | 7, seen[0]);
            assertEquals((7L << 32) | 14, seen[1]);
            assertEquals((14L << 32) | 15, seen[2]);
        }
    }

    @Test
    void nestedCallsRunSeriallyFromEveryThreadIncludingTheCaller() {
        Parallel.setThreads(3);
        AtomicLong sum = new AtomicLong();
        Parallel.forEach(8, (c, a, b) -> Parallel.forEach(100, (c2, x, y) -> sum.addAndGet(x)));
        assertEquals(8L * (99 * 100 / 2), sum.get());
    }

    @Test
    void exceptionsReachTheCaller() {
        Parallel.setThreads(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(10, (c, a, b) -> {
            if (c == 7) {
                throw new IllegalStateException("chunk 7");
            }
        }));
        assertEquals("chunk 7", e.getMessage());
        // the pool still works afterwards
        AtomicLong n = new AtomicLong();
        Parallel.forEach(10, (c, a, b) -> n.incrementAndGet());
        assertEquals(10, n.get());
    }

    /**
     * Chunks go to threads by owned ranges first, then by helping: every chunk runs exactly once for any thread
     * count, also when one participant is much slower (the others take over the rest of its range), and with
     * 2 threads and an idle pool each half runs on one thread (the caller's on the caller).
     */
    @Test
    void everyChunkRunsOnceAndOwnedRangesStayTogether() {
        for (int t = 1; t <= 4; t++) {
            Parallel.setThreads(t);
            for (int chunks : new int[]{1, 2, 3, 7, 64}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
                Thread caller = Thread.currentThread();
                Parallel.forChunks(chunks * 5, 5, (c, from, to) -> {
                    if (Thread.currentThread() != caller && c % 2 == 0) {
                        try {
                            Thread.sleep(2);   // a slow worker: the caller must help with its range
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    runs.incrementAndGet(c);
                });
                for (int c = 0; c < chunks; c++) {
                    assertEquals(1, runs.get(c), "chunk " + c + " of " + chunks + " at " + t + " threads");
                }
            }
        }
        Parallel.setThreads(2);
        Thread caller = Thread.currentThread();
        String[] who = new String[64];
        for (int round = 0; round < 20; round++) {   // a woken worker takes its half; the caller never waits long
            Parallel.forChunks(64, 1, (c, from, to) -> {
                who[c] = Thread.currentThread() == caller ? "caller" : "worker";
                busy(20_000);
            });
        }
        assertEquals("caller", who[0], "chunk 0 is the caller's own");
    }

    private static double busy(int n) {
        double x = 0;
        for (int i = 0; i < n; i++) {
            x += Math.sqrt(i);
        }
        return x;
    }
}
