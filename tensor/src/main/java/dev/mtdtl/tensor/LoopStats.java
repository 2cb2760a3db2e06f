package dev.mtdtl.tensor;

import java.util.concurrent.atomic.AtomicLong;

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
     */
    public record Snapshot(long loops, double loopMs, double callerWaitMs, long workerStarts, double workerStartUs) {}

    /** Reset the counts and start counting. */
    public static void start() {
        LOOPS.set(0);
        LOOP_NANOS.set(0);
        WAIT_NANOS.set(0);
        STARTS.set(0);
        START_NANOS.set(0);
        on = true;
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
                starts == 0 ? 0 : START_NANOS.get() / 1e3 / starts);
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
        LOOPS.incrementAndGet();
        LOOP_NANOS.addAndGet(done - opened);
        WAIT_NANOS.addAndGet(done - ownDone);
    }

    /** A worker took up a loop {@code delay} ns after it opened. */
    static void workerStart(long delay) {
        STARTS.incrementAndGet();
        START_NANOS.addAndGet(delay);
    }
}
