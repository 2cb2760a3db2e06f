package dev.mtdtl.nn;

import dev.mtdtl.tensor.ComputeThreads;

import java.util.Locale;

/**
 * The trainer's watch for vector kernels that C2 compiled boxed: heap bytes the compute threads (the training
 * thread and the kernel pool's workers) allocate per step, judged after the JIT's warm-up.
 *
 * <p>Why: a CPU step whose kernels C2 compiled well allocates well under a megabyte (0.40 MB at batch 32, bench's
 * TrainStepTimer); one running the Vector API's boxed fallback allocates tens of bytes per vector operation, tens
 * of megabytes a step. Which kernels C2 compiles well can depend on the order and timing of its compilations, so it
 * differs from JVM to JVM, and a boxed kernel stays so for the JVM's life: session 31 found the fused batch-norm
 * backward boxed in about one JVM in ten (44 MB a step, its steps about 10 % slower), and fixed that cause
 * (bench/RESULTS.md). This watch tells the user of a long run when some other cause strikes, instead of leaving a
 * slow run unexplained. It reads two per-thread counters around each step (a few microseconds) and nothing else.
 */
final class AllocationWatch {

    /** Steps of each run not judged: C2 compiles the big kernels during the first tens of steps. */
    static final long WARMUP_STEPS = 100;
    /** Mean MB a step above which kernels are taken to run boxed: about 30x a well compiled step at batch 32. */
    static final double WARN_MB = 16;

    private final long warmup;
    private final double warnMb;
    private long seen;          // steps since the run started
    private long judged;        // steps past the warm-up since the last check
    private long bytes;         // their allocation
    private long before = -1;   // the counters at the current step's start
    private boolean warned;

    AllocationWatch() {
        this(WARMUP_STEPS, WARN_MB);
    }

    AllocationWatch(long warmup, double warnMb) {
        this.warmup = warmup;
        this.warnMb = warnMb;
    }

    /** Whether this JVM can count per-thread allocation (HotSpot can); without it the watch stays silent. */
    static boolean available() {
        return ComputeThreads.countsAllocation();
    }

    void beforeStep() {
        before = seen >= warmup ? ComputeThreads.allocatedBytes() : -1;
    }

    void afterStep() {
        if (before >= 0) {
            bytes += Math.max(0, ComputeThreads.allocatedBytes() - before);
            judged++;
        }
        seen++;
        before = -1;
    }

    /**
     * The mean allocation of the steps judged since the last check, and a one-line warning if it is above the
     * threshold and none was given before in this run, else null. Resets the mean.
     */
    String check() {
        if (judged == 0) {
            return null;
        }
        double mb = bytes / 1e6 / judged;
        long steps = judged;
        judged = 0;
        bytes = 0;
        if (warned || !(mb > warnMb)) {
            return null;
        }
        warned = true;
        return warning(mb, steps);
    }

    static String warning(double mbPerStep, long steps) {
        return String.format(Locale.ROOT, "warning: the compute threads allocated %.1f MB a step over the last %d "
                + "steps (a step whose vector kernels C2 compiled well allocates under 1 MB): some kernel runs the "
                + "Vector API's boxed fallback in this JVM, and stays so for the JVM's life. A fresh JVM usually "
                + "compiles it well; `mtdtl profile` names the op (its alloc KB column; README, \"Profiling\").",
                mbPerStep, steps);
    }
}
