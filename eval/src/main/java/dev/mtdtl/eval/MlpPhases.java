package dev.mtdtl.eval;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The phases of one epoch of {@link MlpStep}, shared by the threads of one parallel region: phase p is a
 * number of units that any thread may claim; nobody starts phase p + 1 before every unit of phase p is done.
 *
 * <p>Why not one {@code Parallel.forEach} per phase: that parks the pool's worker between phases and
 * unparks it for the next, and waking a parked thread costs 20-50 us on this VM, twice a minibatch
 * (a minibatch is ~0.8 ms at 2 threads). Here the threads wait for each other by spinning, briefly, then
 * yielding. The barrier counts units, not threads, so it cannot deadlock when fewer threads take part than
 * the pool has (a nested call runs serially; a late worker finds its phases done and catches up): a thread
 * only ever waits for units that a running thread has claimed.
 *
 * <p>A unit that throws still counts as done (so nobody waits forever); the first failure is kept and
 * every thread stops at the next phase boundary; {@link #rethrow} hands it to the caller.
 */
final class MlpPhases {

    /** Spins before yielding: ~100 us (a PAUSE is ~40-150 cycles), more than a phase boundary takes. */
    private static final int SPINS = 1 << 12;

    private final AtomicIntegerArray claimed;
    private final AtomicIntegerArray done;
    private volatile Throwable failure;

    MlpPhases(int phases) {
        claimed = new AtomicIntegerArray(phases);
        done = new AtomicIntegerArray(phases);
    }

    /** The next unclaimed unit of phase p (beyond the phase's units: none left). */
    int claim(int p) {
        return claimed.getAndIncrement(p);
    }

    void done(int p) {
        done.incrementAndGet(p);
    }

    void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    boolean failed() {
        return failure != null;
    }

    /** Wait until all units of phase p are done. */
    void await(int p, int units) {
        int spins = 0;
        while (done.get(p) < units) {
            if (++spins < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** The first failure of a unit, if any, rethrown. */
    void rethrow() {
        Throwable t = failure;
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("MLP training failed", t);
        }
    }
}
