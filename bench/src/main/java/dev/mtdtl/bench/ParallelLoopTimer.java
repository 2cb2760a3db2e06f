package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a parallel loop costs beyond its work: {@code LOOPS} loops of two chunks of {@code WORK} microseconds each
 * (a busy wait on the clock), separated by {@code GAP} microseconds of serial work on the caller, as a training
 * step's kernels follow one another. With two threads the ideal is WORK per loop; the excess is what starting
 * the worker and waking the caller cost. Compare {@code -Dmtdtl.spinMicros=0} (threads park after each loop) with
 * the default spin ({@code Parallel.SPIN_NANOS}).
 *
 * <p>Usage: {@code ParallelLoopTimer THREADS WORK_US GAP_US [LOOPS]}; prints min and median of 5 rounds of the
 * microseconds per loop, the gap taken off.
 */
public final class ParallelLoopTimer {

    private static volatile double sink;

    private ParallelLoopTimer() {}

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        long workUs = Long.parseLong(args[1]);
        long gapUs = Long.parseLong(args[2]);
        int loops = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        Parallel.setThreads(threads);
        double[] perLoop = new double[5];
        for (int round = 0; round < perLoop.length; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < loops; i++) {
                Parallel.forChunks(2, 1, (c, from, to) -> busy(workUs * 1000));
                busy(gapUs * 1000);
            }
            perLoop[round] = (System.nanoTime() - t0) / 1e3 / loops - gapUs;
        }
        Arrays.sort(perLoop);
        System.out.printf(Locale.ROOT,
                "parallel_loop threads=%d work_us=%d gap_us=%d spin_us=%s min_us=%.1f median_us=%.1f%n", threads,
                workUs, gapUs, System.getProperty("mtdtl.spinMicros", "default"), perLoop[0], perLoop[2]);
    }

    /** Busy for about {@code nanos}: floating-point work until the clock has moved that far. */
    private static void busy(long nanos) {
        long t = System.nanoTime();
        double x = 0;
        while (System.nanoTime() - t < nanos) {
            x += Math.sqrt(x + 1);
        }
        sink = x;
    }
}
