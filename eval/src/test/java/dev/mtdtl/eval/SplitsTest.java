package dev.mtdtl.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seeded stratified k-fold: balanced per class, deterministic, and a clear error for too-small classes. */
class SplitsTest {

    @Test
    void everyFoldGetsItsShareOfEveryClass() {
        int[] y = new int[53];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 3 == 0 ? 2 : i % 7 == 0 ? 1 : 0;
        }
        int[] f = TargetDataset.stratifiedFolds(y, 5, 9);
        int[][] count = new int[3][5];
        for (int i = 0; i < y.length; i++) {
            count[y[i]][f[i]]++;
        }
        for (int[] c : count) {
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int v : c) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(max - min <= 1, java.util.Arrays.toString(c));
        }
        assertArrayEquals(f, TargetDataset.stratifiedFolds(y, 5, 9));
    }

    @Test
    void aClassSmallerThanTheFoldCountIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TargetDataset.stratifiedFolds(new int[]{0, 0, 0, 0, 0, 1, 1}, 5, 1));
        assertTrue(e.getMessage().contains("class 1 has 2 member(s)"), e.getMessage());
    }

    @Test
    void artistFoldsKeepEveryArtistOnOneSideAndBalanceSizes() {
        String[] a = new String[60];
        for (int i = 0; i < a.length; i++) {
            a[i] = "A" + (i < 20 ? i % 4 : i);     // four artists with 5 tracks, 40 with one
        }
        int[] f = TargetDataset.artistFolds(a, 5, 3);
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        int[] size = new int[5];
        for (int i = 0; i < a.length; i++) {
            Integer prev = seen.putIfAbsent(a[i], f[i]);
            assertTrue(prev == null || prev == f[i], "artist " + a[i] + " on two sides");
            size[f[i]]++;
        }
        for (int s : size) {
            assertEquals(12, s, 3);
        }
        assertArrayEquals(f, TargetDataset.artistFolds(a, 5, 3));
        assertThrows(IllegalArgumentException.class, () -> TargetDataset.artistFolds(new String[]{"x", "y"}, 5, 1));
    }

    @Test
    void trackVectorIsMeanAndPopulationStd() {
        float[] v = Extractor.meanStd(new float[]{1, 10, 3, 10}, 2, 2);
        assertArrayEquals(new float[]{2, 10, 1, 0}, v);
        assertEquals(4, v.length);
    }
}
