package dev.mtdtl.tensor.test;

import dev.mtdtl.tensor.Parallel;

/** Run a computation with a given pool size and restore the previous one (single vs multi-thread tests). */
public final class Threads {

    private Threads() {}

    public static void with(int threads, Runnable r) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            r.run();
        } finally {
            Parallel.setThreads(before);
        }
    }
}
