package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Training crops and evaluation slices, with 0 dB padding. */
class CropsTest {

    /** (C, T, M) with value = 1000 c + t + m / 1000 (never 0, so padding is recognisable). */
    private static float[] mel(int c, int t, int m) {
        float[] x = new float[c * t * m];
        for (int a = 0; a < c; a++) {
            for (int b = 0; b < t; b++) {
                for (int d = 0; d < m; d++) {
                    x[(a * t + b) * m + d] = 1000 * a + b + 1 + d / 1000f;
                }
            }
        }
        return x;
    }

    @Test
    void cropStartsCoverTheWholeRangeIncludingTheLast() {
        int t = 220;
        int len = 216;
        float[] x = mel(2, t, 3);
        float[] out = new float[2 * len * 3];
        boolean[] seen = new boolean[t - len + 1];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            int s = Crops.randomCrop(out, 0, x, 2, t, 3, len, r);
            seen[s] = true;
            assertEquals(x[(t + s) * 3 + 2], out[(len) * 3 + 2], 0f, "channel 1, first frame");
            assertEquals(x[(s + len - 1) * 3], out[(len - 1) * 3], 0f, "channel 0, last frame");
        }
        for (boolean b : seen) {
            assertTrue(b, "every start in [0, T-L] drawn");
        }
    }

    @Test
    void shortClipIsPlacedInZeroDb() {
        int t = 5;
        int len = 8;
        float[] x = mel(2, t, 2);
        float[] out = new float[2 * len * 2];
        int s = Crops.randomCrop(out, 0, x, 2, t, 2, len, new SplittableRandom(3));
        int at = -s;
        assertTrue(at >= 0 && at <= len - t);
        for (int c = 0; c < 2; c++) {
            for (int f = 0; f < len; f++) {
                float v = out[(c * len + f) * 2];
                if (f < at || f >= at + t) {
                    assertEquals(0f, v, 0f);
                } else {
                    assertEquals(x[(c * t + f - at) * 2], v, 0f);
                }
            }
        }
    }

    @Test
    void evaluationSlicesPadTheEndWithZeroDb() {
        int t = 500;
        int len = 216;
        assertEquals(3, Crops.sliceCount(t, len));
        assertEquals(1, Crops.sliceCount(216, len));
        assertEquals(2, Crops.sliceCount(217, len));
        float[] x = mel(2, t, 4);
        float[] out = new float[3 * 2 * len * 4];
        Crops.slices(out, x, 2, t, 4, len);
        for (int s = 0; s < 3; s++) {
            for (int c = 0; c < 2; c++) {
                for (int f = 0; f < len; f++) {
                    int src = s * len + f;
                    float v = out[((s * 2 + c) * len + f) * 4 + 3];
                    assertEquals(src < t ? x[(c * t + src) * 4 + 3] : 0f, v, 0f);
                }
            }
        }
    }
}
