package dev.mtdtl.eval;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MlpPhases: a phase starts only after every unit of the one before; no deadlock with absent participants; failures. */
class MlpPhasesTest {

    private static final int PHASES = 200;

    private static int unitsOf(int p) {
        return 1 + p % 7;
    }

    /** Each unit checks that the previous phase is complete, then counts itself. */
    private static MlpPhases.Unit checking(AtomicIntegerArray count, AtomicIntegerArray early) {
        return (p, u) -> {
            if (p > 0 && count.get(p - 1) != unitsOf(p - 1)) {
                early.incrementAndGet(p);
            }
            count.incrementAndGet(p);
        };
    }

    @Test
    void threeThreadsKeepThePhaseOrderAndRunEveryUnitOnce() throws InterruptedException {
        MlpPhases ph = new MlpPhases(PHASES, 3);
        AtomicIntegerArray count = new AtomicIntegerArray(PHASES);
        AtomicIntegerArray early = new AtomicIntegerArray(PHASES);
        Thread[] ts = new Thread[3];
        for (int i = 0; i < 3; i++) {
            int who = i;
            ts[i] = new Thread(() -> ph.take(who, MlpPhasesTest::unitsOf, checking(count, early)));
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join(60_000);
            assertTrue(!t.isAlive(), "a participant did not finish");
        }
        ph.rethrow();
        for (int p = 0; p < PHASES; p++) {
            assertEquals(unitsOf(p), count.get(p), "units run in phase " + p);
            assertEquals(0, early.get(p), "units of phase " + p + " started before the phase before it ended");
        }
    }

    @Test
    void participantsRunOneAfterAnotherStillFinish() {
        // What Parallel does with a nested call: the chunks run serially on one thread.
        MlpPhases ph = new MlpPhases(PHASES, 2);
        AtomicIntegerArray count = new AtomicIntegerArray(PHASES);
        AtomicIntegerArray early = new AtomicIntegerArray(PHASES);
        ph.take(0, MlpPhasesTest::unitsOf, checking(count, early));
        ph.take(1, MlpPhasesTest::unitsOf, checking(count, early));
        for (int p = 0; p < PHASES; p++) {
            assertEquals(unitsOf(p), count.get(p));
        }
    }

    @Test
    void aFailingUnitStopsEveryParticipantAndIsRethrown() throws InterruptedException {
        MlpPhases ph = new MlpPhases(PHASES, 2);
        IllegalStateException boom = new IllegalStateException("unit 1 of phase 50");
        AtomicIntegerArray count = new AtomicIntegerArray(PHASES);
        MlpPhases.Unit body = (p, u) -> {
            count.incrementAndGet(p);
            if (p == 50 && u == 1) {
                throw boom;
            }
        };
        Thread other = new Thread(() -> ph.take(1, MlpPhasesTest::unitsOf, body));
        other.start();
        ph.take(0, MlpPhasesTest::unitsOf, body);
        other.join(60_000);
        assertTrue(!other.isAlive(), "the other participant did not stop");
        assertSame(boom, assertThrows(IllegalStateException.class, ph::rethrow));
        assertEquals(0, count.get(51), "no unit runs after the failing phase");
    }
}
