package dev.mtdtl.tensor;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where a multi-threaded run's wall time goes, counted by the pool of {@link Parallel}: how many parallel loops
 * ran, how long the calling thread spent inside them, how much of that it waited at their ends for the other
 * threads' last chunks, and how late the workers started after a loop opened. What is not inside a loop ran on the
 * calling thread alone while the workers spun or slept: wall time minus {@link Snapshot#loopMs}.
 *
 * <p>Why: a kernel's own timer cannot see the time between kernels or the imbalance at their ends, and on a
 * 2-core machine both matter: a base-CNN step at batch 32 spent 3.3-4.5 ms of its ~55 outside its 83 loops and
 * 1.2-2.8 ms of the rest with the caller waiting (bench/RESULTS.md, session 30). {@code TrainStepTimer} prints
 * these per step.
 *
 * <p>The workers' start delays are skewed: on a 2-vCPU host almost every start comes within a microsecond of the
 * loop's opening (the worker was spinning), and a few per step come 0.1-2 ms late (the worker had parked, or its
 * virtual CPU was descheduled); the mean (~50 us) describes neither. So the snapshot also holds the median (to a
 * bucket of a log-spaced histogram) and the summed delay of the late starts, those past {@link #LATE_US}
 * (bench/RESULTS.md, session 33).
 *
 * <p>Per-loop detail, when asked ({@link #start(int)}): each loop's time, the caller's wait at its end and the serial
 * time before it, in loop order, for a timer that knows how many loops a step runs to report each loop of the step
 * by its median ({@code TrainStepTimer} with {@code -Dmtdtl.loopDetail=true}): the kernels' times inside a real
 * step, without the profiler's per-op bookkeeping.
 *
 * <p>Counted: the loops that ran on the pool (more than one chunk and more than one thread); a loop that runs
 * inline is plain serial work. Cost: off, one volatile read per loop; on, three clock reads per loop and one per
 * worker start. One run at a time: {@link #start} resets the counts.
 */
public final class LoopStats {

    /** Whether the pool counts; read once per loop by the caller and by each worker that takes the loop. */
    static volatile boolean on;

    private static final AtomicLong LOOPS = new AtomicLong();
    private static final AtomicLong LOOP_NANOS = new AtomicLong();
    private static final AtomicLong WAIT_NANOS = new AtomicLong();
    private static final AtomicLong STARTS = new AtomicLong();
    private static final AtomicLong START_NANOS = new AtomicLong();
    /** Upper edges, in us, of the start-delay histogram's buckets; the last bucket is open. */
    private static final long[] EDGES_US = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000};
    private static final AtomicLongArray START_HIST = new AtomicLongArray(EDGES_US.length + 1);
    /** A start this late (us) or later is counted as late: the worker was not spinning. */
    public static final long LATE_US = 50;
    private static final AtomicLong LATE_NANOS = new AtomicLong();
    /** Per-loop detail, (gap, loop, wait) nanos triples in loop order, or null when not asked for. */
    private static volatile long[] detail;
    /** When the last counted loop was seen done (System.nanoTime), 0 before the first since {@link #start}. */
    private static long lastDone;
    private static final AtomicInteger DETAIL_LOOPS = new AtomicInteger();

    private LoopStats() {}

    /**
     * The counts since {@link #start}.
     *
     * @param loops          parallel loops run on the pool
     * @param loopMs         the calling thread's time inside them, from a loop's opening to its last chunk done
     * @param callerWaitMs   of that, the time after the caller's own chunks, waiting for the others' last ones
     * @param workerStarts   times a worker took up a loop
     * @param workerStartUs  a worker's mean delay from a loop's opening to taking it up (a parked worker's wake-up
     *                       is most of it)
     * @param workerStartMedianUs the median delay, as the upper edge of its histogram bucket (1, 2, 5, 10, 20, 50,
     *                       100, 200, 500, 1000, 2000; past 2000 us, 2000)
     * @param lateStartMs    the summed delay of the starts of {@link #LATE_US} or more: worker time lost to wake-ups
     */
    public record Snapshot(long loops, double loopMs, double callerWaitMs, long workerStarts, double workerStartUs,
                           double workerStartMedianUs, double lateStartMs) {}

    /** Reset the counts and start counting. */
    public static void start() {
        start(0);
    }

    /** {@link #start()}, and record up to {@code detailLoops} loops one by one ({@link #detail}); 0: none. */
    public static void start(int detailLoops) {
        LOOPS.set(0);
        LOOP_NANOS.set(0);
        WAIT_NANOS.set(0);
        STARTS.set(0);
        START_NANOS.set(0);
        LATE_NANOS.set(0);
        for (int i = 0; i < START_HIST.length(); i++) {
            START_HIST.set(i, 0);
        }
        DETAIL_LOOPS.set(0);
        lastDone = 0;
        detail = detailLoops > 0 ? new long[DETAIL * detailLoops] : null;
        on = true;
    }

    /** Values per loop in {@link #detail}. */
    public static final int DETAIL = 3;

    /**
     * The loops recorded since {@link #start(int)}, in order, {@link #DETAIL} values each, in ns: element 3k is the
     * time from loop k - 1's end to loop k's opening (the caller alone; 0 for the first loop), 3k + 1 loop k's
     * time from opening to its last chunk done, 3k + 2 the caller's wait at its end (up to the capacity asked for;
     * empty when none).
     */
    public static long[] detail() {
        long[] d = detail;
        return d == null ? new long[0] : Arrays.copyOf(d, DETAIL * Math.min(DETAIL_LOOPS.get(), d.length / DETAIL));
    }

    /** Stop counting; the counts since {@link #start}. */
    public static Snapshot stop() {
        on = false;
        return snapshot();
    }

    /** The counts so far (counting goes on if it was on). */
    public static Snapshot snapshot() {
        long starts = STARTS.get();
        return new Snapshot(LOOPS.get(), LOOP_NANOS.get() / 1e6, WAIT_NANOS.get() / 1e6, starts,
                starts == 0 ? 0 : START_NANOS.get() / 1e3 / starts, medianStartUs(starts), LATE_NANOS.get() / 1e6);
    }

    /** The upper edge of the histogram bucket that holds the median start delay (0 without starts). */
    private static double medianStartUs(long starts) {
        long seen = 0;
        for (int b = 0; b < START_HIST.length() && starts > 0; b++) {
            seen += START_HIST.get(b);
            if (2 * seen >= starts) {
                return EDGES_US[Math.min(b, EDGES_US.length - 1)];
            }
        }
        return 0;
    }

    /**
     * The caller's wait at loop ends so far, in ns (counting goes on): a profiler reads it around one op to
     * attribute the waits to that op (one issuing thread at a time).
     */
    public static long callerWaitNanos() {
        return WAIT_NANOS.get();
    }

    /** Parallel loops counted so far (counting goes on). */
    public static long loopCount() {
        return LOOPS.get();
    }

    /**
     * A loop the caller opened at {@code opened}, finished its own chunks of at {@code ownDone} and saw done at
     * {@code done} (System.nanoTime).
     */
    static void loop(long opened, long ownDone, long done) {
        long k = LOOPS.getAndIncrement();
        LOOP_NANOS.addAndGet(done - opened);
        WAIT_NANOS.addAndGet(done - ownDone);
        long[] d = detail;
        if (d != null && DETAIL * k + 2 < d.length) {   // loops run one at a time (the pool serialises its callers)
            int at = (int) (DETAIL * k);
            d[at] = lastDone == 0 ? 0 : opened - lastDone;
            d[at + 1] = done - opened;
            d[at + 2] = done - ownDone;
            DETAIL_LOOPS.set((int) k + 1);
        }
        lastDone = done;
    }

    /** A worker took up a loop {@code delay} ns after it opened. */
    static void workerStart(long delay) {
        STARTS.incrementAndGet();
        START_NANOS.addAndGet(delay);
        int b = 0;
        while (b < EDGES_US.length && delay >= EDGES_US[b] * 1000) {
            b++;
        }
        START_HIST.incrementAndGet(b);
        if (delay >= LATE_US * 1000) {
            LATE_NANOS.addAndGet(delay);
        }
    }
}
