package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whether every element of an array is finite: the trainer's check of all gradients before the optimiser step
 * (one call over about 576 K floats, 2.3 MB, for the base CNN).
 *
 * <p>How: x * 0 is +-0 for a finite x and NaN for an infinity or a NaN, and a NaN stays NaN through any sum.
 * So four vector accumulators take acc = fma(x, 0, acc) over the array (four chains, so that the FMA latency is
 * not the limit), and the array is finite exactly when their sum has no NaN lane; the tail, shorter than a vector,
 * is checked element by element. Why not a scalar loop that returns at the first non-finite element: its early
 * exit keeps C2 from vectorising it, and it ran the base CNN's check at 0.25-0.27 ms a step on this machine's
 * 2-thread profile ({@code mtdtl profile}: the op "finite"), about a tenth of the memory roof. Whole vector blocks
 * of {@link #BLOCK} floats are checked between exits, so a NaN early in a big array still returns early.
 *
 * <p>Reads 4 bytes and does one FMA per element. Exact (a yes/no answer), any thread count. One array runs on the
 * calling thread; a list of arrays ({@link #allFinite(float[][], int[])}, the trainer's gradients) runs as one
 * parallel loop over their elements end to end: 0.16 ms a step on the calling thread alone, at 14 GB/s, in the
 * 2-thread profile (bench/RESULTS.md, session 33).
 */
public final class FiniteCpu {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Floats checked between two looks at the accumulators (16 KB). */
    static final int BLOCK = 1 << 12;

    private FiniteCpu() {}

    /** Whether a[0, len) holds no NaN and no infinity. */
    public static boolean allFinite(float[] a, int len) {
        Args.nonNegative("len", len);
        Args.len("a", a, len, "len");
        return rangeFinite(a, 0, len);
    }

    /** Elements per chunk of {@link #allFinite(float[][], int[])}: 256 KB. */
    static final int GRAIN = 1 << 16;

    /**
     * Whether a[i][0, len[i]) holds no NaN and no infinity for every i: chunks of {@link #GRAIN} elements of the
     * arrays end to end ({@link EndToEnd}), each checking its pieces with {@link #allFinite(float[], int)}'s test;
     * the answer is the same for any chunking and thread count.
     */
    public static boolean allFinite(float[][] a, int[] len) {
        if (a.length != len.length) {
            throw new IllegalArgumentException("finite: " + a.length + " arrays, " + len.length + " lengths");
        }
        for (int i = 0; i < a.length; i++) {
            Args.nonNegative("len", len[i]);
            if (a[i] == null || a[i].length < len[i]) {
                Args.len("a[" + i + "]", a[i], len[i], "len[" + i + "]");
            }
        }
        long[] start = EndToEnd.starts(len, "finite");
        boolean[] bad = new boolean[Parallel.chunkCount((int) start[a.length], GRAIN)];
        EndToEnd.forPieces(start, GRAIN, (chunk, i, from, to) -> {
            bad[chunk] = !rangeFinite(a[i], from, to);
            return !bad[chunk];             // a chunk stops at its first non-finite piece
        });
        for (boolean b : bad) {
            if (b) {
                return false;
            }
        }
        return true;
    }

    /** Whether a[from, to) is finite: whole blocks of 4 vectors, then the rest element by element. */
    private static boolean rangeFinite(float[] a, int from, int to) {
        int upper = to - (to - from) % (4 * L);
        for (int b0 = from; b0 < upper; b0 += BLOCK) {
            if (!blockFinite(a, b0, Math.min(upper, b0 + BLOCK))) {
                return false;
            }
        }
        for (int i = upper; i < to; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }

    /** Whether a[from, to) is finite; to - from a multiple of 4 vectors. */
    private static boolean blockFinite(float[] a, int from, int to) {
        FloatVector z = FloatVector.zero(F), s0 = z, s1 = z, s2 = z, s3 = z;
        for (int i = from; i < to; i += 4 * L) {
            s0 = FloatVector.fromArray(F, a, i).fma(z, s0);
            s1 = FloatVector.fromArray(F, a, i + L).fma(z, s1);
            s2 = FloatVector.fromArray(F, a, i + 2 * L).fma(z, s2);
            s3 = FloatVector.fromArray(F, a, i + 3 * L).fma(z, s3);
        }
        FloatVector s = s0.add(s1).add(s2).add(s3);
        return !s.compare(VectorOperators.NE, s).anyTrue();
    }
}
