package dev.mtdtl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtdtl.tensor.test.Threads;
import org.junit.jupiter.api.Test;

/** FiniteCpu against the element-by-element definition (Float.isFinite), at every position class. */
class FiniteCpuTest {

    /** Lengths: empty, shorter than a vector, the tail alone, whole 4-vector groups, a block and more. */
    private static final int[] LENGTHS = {0, 1, 7, 15, 16, 63, 64, 65, 127, 4096, 4097, 10_000, 12_345};

    @Test
    void finiteArraysOfExtremeFiniteValuesPass() {
        for (int len : LENGTHS) {
            float[] a = new float[len];
            for (int i = 0; i < len; i++) {   // large, tiny, subnormal, signed zeros: all finite
                a[i] = switch (i % 6) {
                    case 0 -> Float.MAX_VALUE;
                    case 1 -> -Float.MAX_VALUE;
                    case 2 -> Float.MIN_VALUE;
                    case 3 -> -0f;
                    case 4 -> 1e-30f;
                    default -> -3.5f;
                };
            }
            assertTrue(FiniteCpu.allFinite(a, len), "finite array of " + len);
        }
    }

    /** One NaN, +inf or -inf at each position of interest (first, last of the vector part, tail, last). */
    @Test
    void oneNonFiniteValueAnywhereIsFound() {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001)};
        for (int len : LENGTHS) {
            for (int at : new int[] {0, len / 2, len - len % 64 - 1, len - len % 64, len - 1}) {
                if (at < 0 || at >= len) {
                    continue;
                }
                for (float v : bad) {
                    float[] a = new float[len];
                    java.util.Arrays.fill(a, 1f);
                    a[at] = v;
                    assertEquals(false, FiniteCpu.allFinite(a, len), v + " at " + at + " of " + len);
                }
            }
        }
    }

    /**
     * The list form (the trainer's gradients, one parallel loop over the arrays end to end): a non-finite value in
     * any array, at a chunk's start or end or in a tail, is found, at 1 and 3 threads; only [0, len[i]) counts.
     */
    @Test
    void aListOfArraysIsCheckedWholeForAnyThreadCount() {
        int[] len = {800, 16, 0, 4608, FiniteCpu.GRAIN - 3, 7, FiniteCpu.GRAIN + 5, 1, 294_912};
        long total = 0;
        for (int n : len) {
            total += n;
        }
        long[] probes = {0, FiniteCpu.GRAIN - 1, FiniteCpu.GRAIN, 2L * FiniteCpu.GRAIN + 1, total / 2, total - 1};
        for (int threads : new int[]{1, 3}) {
            Threads.with(threads, () -> {
                float[][] a = new float[len.length][];
                for (int i = 0; i < len.length; i++) {
                    a[i] = new float[len[i] + 3];
                    java.util.Arrays.fill(a[i], 0.5f);
                    a[i][len[i]] = Float.NaN;      // past the tensor: not read
                }
                assertTrue(FiniteCpu.allFinite(a, len), "all finite at " + threads + " threads");
                for (long at : probes) {
                    int i = 0;
                    long s = 0;
                    while (s + len[i] <= at) {
                        s += len[i++];
                    }
                    a[i][(int) (at - s)] = Float.POSITIVE_INFINITY;
                    assertEquals(false, FiniteCpu.allFinite(a, len), "infinity at element " + at + ", threads " + threads);
                    a[i][(int) (at - s)] = 0.5f;
                }
            });
        }
        assertThrows(IllegalArgumentException.class, () -> FiniteCpu.allFinite(new float[][]{new float[3]}, new int[]{4}));
    }

    /** Only [0, len) counts: an arena slot's longer array may hold anything past the tensor. */
    @Test
    void readsOnlyTheFirstLenElements() {
        float[] a = new float[200];
        a[150] = Float.NaN;
        assertTrue(FiniteCpu.allFinite(a, 150));
        assertEquals(false, FiniteCpu.allFinite(a, 151));
        assertThrows(IllegalArgumentException.class, () -> FiniteCpu.allFinite(a, 201));
        assertThrows(IllegalArgumentException.class, () -> FiniteCpu.allFinite(a, -1));
    }
}
