package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Threads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropoutCpuTest {

    private static final long SEED = 0x5EEDL;

    @ParameterizedTest
    @ValueSource(floats = {0.1f, 0.5f, 0.9f})
    void keepsAFractionOneMinusPAndScalesTheKeptOnes(float p) {
        int len = 200_000;
        float[] x = Fixtures.uniform(1, len, 0.5f, 1.5f);
        float[] y = new float[len];
        float[] mask = new float[len];
        DropoutCpu.forward(y, mask, x, len, p, SEED);
        float scale = (float) (1.0 / (1.0 - p));
        int kept = 0;
        for (int i = 0; i < len; i++) {
            assertTrue(mask[i] == 0f || mask[i] == scale, "mask value " + mask[i]);
            assertEquals(Float.floatToRawIntBits(x[i] * mask[i]), Float.floatToRawIntBits(y[i]), "y = x * mask");
            kept += mask[i] != 0f ? 1 : 0;
        }
        double frac = (double) kept / len;
        double sd = Math.sqrt(p * (1 - p) / len);   // binomial standard deviation of the fraction
        assertEquals(1 - p, frac, 5 * sd, "fraction kept");
        // No runs: neighbours are independent (lag-1 agreement ~ p^2 + (1-p)^2).
        int agree = 0;
        for (int i = 1; i < len; i++) {
            agree += (mask[i] != 0f) == (mask[i - 1] != 0f) ? 1 : 0;
        }
        double expected = p * p + (1 - p) * (1 - p);
        assertEquals(expected, (double) agree / (len - 1), 5 * Math.sqrt(expected * (1 - expected) / len), "lag-1 agreement");
    }

    @Test
    void maskDependsOnlyOnSeedAndIndex() {
        int len = 100_003;
        float[] x = Fixtures.uniform(2, len, -1f, 1f);
        float[] m1 = new float[len];
        float[] m2 = new float[len];
        DropoutCpu.forward(new float[len], m1, x, len, 0.5f, SEED);
        DropoutCpu.forward(new float[len], m2, x, len, 0.5f, SEED);
        Close.assertExact(m1, m2, "same seed");
        float[] prefix = new float[1000];
        DropoutCpu.forward(new float[1000], prefix, x, 1000, 0.5f, SEED);
        Close.assertExact(Arrays.copyOf(m1, 1000), prefix, "a shorter call gives the prefix");
        DropoutCpu.forward(new float[len], m2, x, len, 0.5f, SEED + 1);
        assertFalse(Arrays.equals(m1, m2), "another seed gives another mask");
    }

    /** The documented rule: element i is kept iff u_i = bits24(mix(seed), i) * 2^-24 >= p. */
    @Test
    void maskFollowsTheDocumentedHash() {
        int len = 5000;
        float p = 0.3f;
        float[] mask = new float[len];
        DropoutCpu.forward(new float[len], mask, new float[len], len, p, SEED);
        long state0 = DropoutCpu.mix(SEED);
        for (int i = 0; i < len; i++) {
            boolean keep = DropoutCpu.bits24(state0, i) * 0x1p-24 >= p;
            assertEquals(keep, mask[i] != 0f, "element " + i);
        }
    }

    @Test
    void oneAndThreeThreadsAreBitIdentical() {
        int len = 300_001;
        float[] x = Fixtures.uniform(3, len, -1f, 1f);
        float[] dy = Fixtures.uniform(4, len, -1f, 1f);
        float[][] y = new float[2][len];
        float[][] mask = new float[2][len];
        float[][] dx = new float[2][len];
        for (int r = 0; r < 2; r++) {
            int k = r;
            Threads.with(r == 0 ? 1 : 3, () -> {
                DropoutCpu.forward(y[k], mask[k], x, len, 0.5f, SEED);
                DropoutCpu.backward(dx[k], dy, mask[k], len);
            });
        }
        Close.assertExact(y[0], y[1], "y");
        Close.assertExact(mask[0], mask[1], "mask");
        Close.assertExact(dx[0], dx[1], "dx");
    }

    @Test
    void zeroProbabilityIsTheIdentity() {
        int len = 1001;
        float[] x = Fixtures.uniform(5, len, -1f, 1f);
        float[] y = new float[len];
        float[] mask = new float[len];
        DropoutCpu.forward(y, mask, x, len, 0f, SEED);
        Close.assertExact(x, y, "y");
        for (float m : mask) {
            assertEquals(1f, m);
        }
        float[] inPlace = x.clone();
        DropoutCpu.forward(inPlace, mask, inPlace, len, 0f, SEED);
        Close.assertExact(x, inPlace, "in place");
    }

    /** The op is linear in x for a fixed mask: dL/dx for L = <y, w> is w * mask, exactly. */
    @Test
    void backwardMultipliesByTheMask() {
        int len = 4099;
        float[] x = Fixtures.uniform(6, len, -1f, 1f);
        float[] dy = Fixtures.uniform(7, len, -1f, 1f);
        float[] mask = new float[len];
        DropoutCpu.forward(new float[len], mask, x, len, 0.3f, SEED);
        float[] dx = new float[len];
        DropoutCpu.backward(dx, dy, mask, len);
        for (int i = 0; i < len; i++) {
            assertEquals(Float.floatToRawIntBits(dy[i] * mask[i]), Float.floatToRawIntBits(dx[i]));
        }
        DropoutCpu.backward(dy, dy, mask, len);
        Close.assertExact(dx, dy, "in place");
    }

    @Test
    void badArgumentsNameTheLengthsAndP() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                DropoutCpu.forward(new float[10], new float[9], new float[10], 10, 0.5f, SEED));
        assertTrue(e.getMessage().contains("mask: length 9 < len = 10"), e.getMessage());
        for (float p : new float[]{1f, -0.1f, Float.NaN}) {
            e = assertThrows(IllegalArgumentException.class, () ->
                    DropoutCpu.forward(new float[10], new float[10], new float[10], 10, p, SEED));
            assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class, () -> DropoutCpu.backward(new float[10], new float[10], new float[2], 10));
        assertTrue(e.getMessage().contains("mask: length 2"), e.getMessage());
    }
}
