package dev.mtdtl.data.synth;

import dev.mtdtl.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The post-production chain: era settings, mono before 1966, band limit, peak level, determinism. */
class ProductionTest {

    static float[] noise(int n, long seed) {
        Rng r = new Rng(seed);
        float[] x = new float[2 * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.3 * r.nextGaussian());
        }
        return x;
    }

    @Test
    void oldRecordingsAreMonoBandLimitedAndNoisy() {
        Production p = Production.of(1958, 0, 0.1, 0, new Rng(1));
        assertEquals(0.0, p.width());
        assertTrue(p.lowpassHz() < 6000, "1958 bandwidth " + p.lowpassHz());
        assertTrue(p.noiseDb() > -75, "1958 hiss " + p.noiseDb());
        Production q = Production.of(2010, 0, 0.1, 0, new Rng(1));
        assertTrue(q.lowpassHz() > 9000 && q.compRatio() > p.compRatio() && q.noiseDb() < -80);
    }

    @Test
    void monoMeansEqualChannelsUpToHissAndPeakIsTheLevel() {
        int n = 22050;
        Production p = new Production(4000, 0, 0, 0, 1, -120, 0, -6);
        float[] x = noise(n, 3);
        p.apply(x, n, 22050, 9);
        double peak = 0, diff = 0;
        for (int i = 0; i < n; i++) {
            peak = Math.max(peak, Math.max(Math.abs(x[i]), Math.abs(x[n + i])));
            diff = Math.max(diff, Math.abs(x[i] - x[n + i]));
        }
        assertEquals(Math.pow(10, -6 / 20.0), peak, 1e-4);
        assertTrue(diff < 1e-4, "width 0 is mono: " + diff);
    }

    @Test
    void sameSeedSameBytes() {
        Production p = Production.of(1970, 1, 0.3, 0.5, new Rng(4));
        float[] a = noise(5000, 1), b = noise(5000, 1);
        p.apply(a, 5000, 22050, 77);
        p.apply(b, 5000, 22050, 77);
        assertArrayEquals(a, b);
    }
}
