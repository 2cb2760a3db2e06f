package dev.mtdtl.tensor.cpu;

import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm}'s micro-kernel and blocking constants, for callers that keep their operands packed
 * between calls (the evaluation MLP keeps its weights in the packed layout and writes activations
 * straight into it) and so drive the kernel themselves instead of re-packing on every {@link Gemm#sgemm}.
 *
 * <p>Packed layouts (the ones {@link Gemm} builds per call): K is cut into blocks of {@link #KC}
 * (the last one shorter); within a block of length kc, op(A) is stored as MR-row panels of kc x MR
 * floats ({@code [panel][p][r]}), op(B) as NR-column panels of kc x NR floats ({@code [panel][p][j]}).
 *
 * <p>Bit-compatibility with {@link Gemm#sgemm} (alpha 1): an element of C is the kernel's FMA chain over
 * p = 0..kc-1 of one K block, starting from 0; the first block gives {@code C = tile} (beta 0) or
 * {@code C = tile + C} (beta 1), every later block {@code C = tile + C}. A driver that keeps these block
 * boundaries and this order gets the same bits, whatever its loop order, layouts or thread split.
 */
public final class GemmKernel {

    /** Micro-tile rows. */
    public static final int MR = Gemm.MR;
    /** Micro-tile columns (two vectors of the kernel's species). */
    public static final int NR = Gemm.NR;
    /** The kernel's vector shape: NR = 2 lanes-of-it, for callers that vectorise their tile epilogues. */
    public static final VectorSpecies<Float> SPECIES = Gemm.S;
    /** K block length. */
    public static final int KC = Gemm.KC;

    private GemmKernel() {}

    /**
     * tile(MR x NR, rows of NR floats at w[t]) = sum over p < kc of Apanel[p][:] outer Bpanel[p][:],
     * with the A panel (kc x MR) at w[ap] and the B panel (kc x NR) at w[bp]: all three in one array,
     * so that the kernel stays monomorphic in its array argument. No bounds are checked beyond Java's.
     */
    public static void tile(int kc, float[] w, int ap, int bp, int t) {
        Gemm.kernel(kc, w, ap, bp, t);
    }
}
