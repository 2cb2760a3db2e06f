package dev.mtdtl.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JitFlagsTest {

    @Test
    void warnsAtTheDefaultLimitAndNamesTheOption() {
        String w = JitFlags.warning(100);
        assertTrue(w != null && w.contains("-XX:PerMethodTrapLimit=100;") && w.contains(JitFlags.OPTION), w);
    }

    @Test
    void silentWhenRaisedOrUnknown() {
        assertNull(JitFlags.warning(JitFlags.TRAP_LIMIT));
        assertNull(JitFlags.warning(JitFlags.ENOUGH));
        assertNull(JitFlags.warning(-1));
    }

    /** The build starts its test JVMs the way the launcher starts a job (pom.xml, jit.flag). */
    @Test
    void theTestJvmRunsWithTheLaunchersLimit() {
        assertEquals(JitFlags.TRAP_LIMIT, JitFlags.trapLimit(),
                "surefire's argLine lacks " + JitFlags.OPTION + " (pom.xml, jit.flag)");
        assertNull(JitFlags.trapLimitWarning());
    }
}
