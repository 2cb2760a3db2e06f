package dev.mtdtl.eval;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntUnaryOperator;

/**
 * The phases of one epoch of {@link MlpStep}, shared by the threads of one parallel region: phase p is a
 * number of units that any thread may claim; nobody starts phase p + 1 before every unit of phase p is done.
 *
 * <p>Why not one {@code Parallel.forEach} per phase: that parks the pool's worker between phases and
 * unparks it for the next, and waking a parked thread costs 20-50 us on this VM, twice a minibatch
 * (a minibatch is ~0.8 ms at 2 threads). Here a thread that runs out of units spins for a while (long
 * enough for the others' last units on a quiet machine), and only then parks until the thread that finishes
 * the phase's last unit unparks it (not Thread.yield: on a loaded machine a yield gives the core away for a
 * whole time slice, several ms, at every phase boundary). The barrier counts units, not threads, so it cannot deadlock when fewer threads take part than
 * the pool has (a nested call runs serially; a late worker finds its phases done and catches up): a thread
 * only ever waits for units that a running thread has claimed.
 *
 * <p>A unit that throws still counts as done (so nobody waits forever); the first failure is kept and
 * every thread stops at the next phase boundary; {@link #rethrow} hands it to the caller.
 */
final class MlpPhases {

    /** Spins before parking: some 20-60 us (a PAUSE is ~40-150 cycles), about one unit of work. */
    private static final int SPINS = 1 << 11;

    /** The work of one unit. */
    @FunctionalInterface
    interface Unit {
        void run(int phase, int unit);
    }

    private final int phases;
    private final AtomicIntegerArray claimed;
    private final AtomicIntegerArray done;
    /** Parked thread of each participant (null: not parked). */
    private final AtomicReferenceArray<Thread> parked;
    private volatile Throwable failure;

    /** {@code phases} phases for {@code participants} threads, numbered 0 .. participants - 1. */
    MlpPhases(int phases, int participants) {
        this.phases = phases;
        claimed = new AtomicIntegerArray(phases);
        done = new AtomicIntegerArray(phases);
        parked = new AtomicReferenceArray<>(participants);
    }

    /**
     * Participant {@code who}'s part: every unit it can claim, phase after phase ({@code unitsOf(p)} units in
     * phase p); returns after the last phase, or at the first phase boundary after a unit failed.
     */
    void take(int who, IntUnaryOperator unitsOf, Unit body) {
        for (int p = 0; p < phases; p++) {
            int units = unitsOf.applyAsInt(p);
            for (int u; (u = claim(p)) < units; ) {
                try {
                    if (!failed()) {
                        body.run(p, u);
                    }
                } catch (Throwable e) {
                    fail(e);
                } finally {
                    done(p, units);
                }
            }
            await(who, p, units);
            if (failed()) {
                return;
            }
        }
    }

    /** The next unclaimed unit of phase p (beyond the phase's units: none left). */
    private int claim(int p) {
        return claimed.getAndIncrement(p);
    }

    /** A unit of phase p (of {@code units}) is done; the last one wakes the parked participants. */
    private void done(int p, int units) {
        if (done.incrementAndGet(p) == units) {
            for (int i = 0; i < parked.length(); i++) {
                Thread t = parked.get(i);
                if (t != null) {
                    LockSupport.unpark(t);
                }
            }
        }
    }

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    private boolean failed() {
        return failure != null;
    }

    /**
     * Participant {@code who} waits until all units of phase p are done. It announces itself before its last
     * look at the count and the finisher counts before it looks for parked threads (both volatile), so either
     * the waiter sees the phase done or the finisher sees the waiter: no lost wake-up.
     */
    private void await(int who, int p, int units) {
        for (int spins = 0; done.get(p) < units; spins++) {
            if (spins < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            parked.set(who, Thread.currentThread());
            if (done.get(p) < units) {
                LockSupport.park(this);
            }
            parked.set(who, null);
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
