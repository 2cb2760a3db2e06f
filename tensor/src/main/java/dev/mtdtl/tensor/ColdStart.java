package dev.mtdtl.tensor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Which of a kernel's two forms runs: its Vector API form, or a scalar twin that does the same float operations lane by
 * lane (the same bits, checked by {@code ColdStartTest} in dsp and {@code ColdStartKernelsTest} here), for the first
 * units of work a JVM does. The twins: the audio front end's FFT, mel bank, dB and resampler (dsp), and the network's
 * direct convolution tile, fused batch norm + ReLU + pool planes, GEMM micro-tiles, and the copies of the GEMM's B
 * panels and of the small layers' lowering (im2col).
 *
 * <p>Why: until C2 has compiled a kernel, its Vector API calls run the JDK's Java fallback, which allocates an array
 * per vector operation and runs one to two orders of magnitude slower than the compiled code. A 30 s clip is too
 * little work to get the FFT, the mel bank and the resampler through C2's thresholds before the clip is done, so a
 * one-shot {@code mtdtl embed FILE} spent most of its time there (bench/RESULTS.md, "A one-shot embed is mostly JIT
 * warm-up": 2.9 GB allocated by the first call). Scalar code needs no intrinsics: the interpreter and C1 run it at a
 * fraction of the compiled vector speed, far above the fallback's, and C2 compiles it quickly. So each kernel runs its
 * scalar twin for a budget of work per JVM (the front end's: about the first 32 s of stereo audio, a 30 s preview;
 * the network's: about one 30 s file's forward pass), then its vector form, which from then on gets hot and compiled
 * as before.
 *
 * <p>A run over much audio pays the vector warm-up once either way, and sooner without the scalar start: a fresh
 * JVM's folder of thirty 30 s previews took about 0.5 s longer with it, a 10-minute MP3 3-6 % (bench/RESULTS.md,
 * "Session 52"). So such runs end it ({@link #endForBatch}): a folder's {@code embed}, {@code mel} or {@code mfcc},
 * a corpus's {@code prepare}, a training run, an extraction from a mel store, {@code mtdtl profile} (which times warm
 * kernels), and a file longer than a minute once its length is known ({@code DbMelStream}). The scalar start is for a one-file run, where it is most of the time
 * saved.
 *
 * <p>The budget is counted per kernel, from every thread; which units run scalar depends on timing when several
 * threads share it, but both forms give the same bits, so no result depends on it. {@code -Dmtdtl.coldStart=false}
 * turns the scalar start off (every unit vector), {@code true} or unset keeps it; benchmarks of warm kernels are not
 * affected (their warm-up spends the budget).
 */
public final class ColdStart {

    /** Whether scalar starts are on: system property {@code mtdtl.coldStart}, default true. */
    public static final boolean ON = on(System.getProperty("mtdtl.coldStart"));

    /**
     * {@code mtdtl.coldStart}: true or false (any case), on when unset; another value is ignored with a line, as
     * {@code mtdtl.spinMicros} is (a misspelt "flase" would otherwise have left it on without a word).
     */
    static boolean on(String s) {
        if (s == null || s.isBlank() || s.trim().equalsIgnoreCase("true")) {
            return true;
        }
        if (s.trim().equalsIgnoreCase("false")) {
            return false;
        }
        System.err.println("mtdtl: ignoring invalid mtdtl.coldStart '" + s + "' (true or false); the scalar start "
                + "stays on");
        return true;
    }

    /** See {@link #force}. */
    private static volatile Boolean force;

    /** Set by {@link #endForBatch}: every kernel runs its vector form from then on. */
    private static volatile boolean ended;

    private final long budget;
    private final AtomicLong used = new AtomicLong();

    /** A kernel's budget: {@code budget} units of its work run scalar. */
    public ColdStart(long budget) {
        this.budget = budget;
    }

    /**
     * Ends the scalar start for every kernel of this JVM: for a caller about to process many files, whose vector
     * warm-up is paid once either way (the class comment). Results do not change.
     */
    public static void endForBatch() {
        ended = true;
    }

    /** Whether {@link #endForBatch} has been called in this JVM. */
    static boolean ended() {
        return ended;
    }

    /**
     * For tests: true runs every unit of every kernel scalar, false every unit vector, null (the default) follows the
     * budgets. Both forms give the same bits, so setting it never changes a result, only which code computes it.
     */
    public static void force(Boolean f) {
        force = f;
    }

    /**
     * Whether the next {@code units} of work run the scalar twin (and count against the budget). Once the budget is
     * spent, a plain read: no contention between threads on the warm path.
     */
    public boolean scalar(long units) {
        Boolean f = force;
        if (f != null) {
            return f;
        }
        if (!ON || ended || used.get() >= budget) {
            return false;
        }
        return used.getAndAdd(units) < budget;
    }
}
