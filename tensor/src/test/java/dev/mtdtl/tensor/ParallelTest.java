package dev.mtdtl.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
}
