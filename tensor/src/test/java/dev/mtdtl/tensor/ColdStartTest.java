package dev.mtdtl.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ColdStart}'s switch and budget. (That the scalar twins give the vector kernels' bits is checked where the
 * kernels are: {@code ColdStartKernelsTest} here, {@code ColdStartTest} in dsp.)
 */
class ColdStartTest {

    @AfterEach
    void follow() {
        ColdStart.force(null);
    }

    @Test
    void thePropertyTakesTrueOrFalseAndIgnoresAnythingElse() {
        assertTrue(ColdStart.on(null));
        assertTrue(ColdStart.on(" "));
        assertTrue(ColdStart.on("TRUE"));
        assertFalse(ColdStart.on("false"));
        assertFalse(ColdStart.on(" False "));
        assertTrue(ColdStart.on("flase"));   // a line on stderr, and the default
        assertTrue(ColdStart.on("0"));
    }

    @Test
    void aBudgetRunsScalarUntilSpentAndForceOverridesIt() {
        ColdStart c = new ColdStart(10);
        // the tensor module's tests never end the scalar start (nothing here trains or embeds a folder)
        assertTrue(ColdStart.ON && !ColdStart.ended(), "the scalar start is off in this test JVM");
        // every unit up to the budget is scalar, the unit that crosses it too, none after
        assertTrue(c.scalar(4));
        assertTrue(c.scalar(4));
        assertTrue(c.scalar(4));   // 8 < 10: this one crosses
        assertFalse(c.scalar(1));
        ColdStart.force(true);
        assertTrue(c.scalar(1));
        ColdStart.force(false);
        assertFalse(new ColdStart(Long.MAX_VALUE).scalar(1));
        ColdStart.force(null);
        assertEquals(false, c.scalar(1));
    }
}
