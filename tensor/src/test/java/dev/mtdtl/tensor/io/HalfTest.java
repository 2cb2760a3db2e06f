package dev.mtdtl.tensor.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfTest {

    @Test
    void everyHalfRoundTripsExactly() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Half.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(f))));
                continue;
            }
            assertEquals(h, Half.fromFloat(f) & 0xffff, "half pattern " + Integer.toHexString(h));
        }
    }

    @Test
    void knownValuesAndRounding() {
        assertEquals(1.0f, Half.toFloat((short) 0x3c00));
        assertEquals(65504f, Half.toFloat((short) 0x7bff));
        assertEquals(0x1p-24f, Half.toFloat((short) 0x0001));
        assertEquals(0x7c00, Half.fromFloat(1e6f) & 0xffff);
        // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties to even -> 1
        assertEquals(0x3c00, Half.fromFloat(1f + 0x1p-11f) & 0xffff);
        assertEquals(0x3c01, Half.fromFloat(1f + 0x1p-11f + 0x1p-20f) & 0xffff);
    }
}
