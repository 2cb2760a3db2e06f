package dev.mtdtl.tensor.cpu;

import jdk.incubator.vector.FloatVector;
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

    /**
     * As {@link #tile}, with op(A) read where it lies instead of from a packed panel: its MR rows are
     * {@code a[a0 + p]}, ..., {@code a[a5 + p]} for p &lt; kc (any six row starts, e.g. rows of a row-major
     * matrix, or gathered rows of one, K-block offset included; a caller with fewer rows repeats one and
     * ignores its tile row), the B panel (kc x NR) at b[bp], the tile written to t[tp, tp + MR*NR).
     * Same FMA chain per element as {@link #tile}, so the same bits; what it saves is packing op(A).
     * Depth is unit-stride in each row, which is what lets C2 drop the bounds checks from the loop.
     */
    public static void tileRows(int kc, float[] a, int a0, int a1, int a2, int a3, int a4, int a5,
                                float[] b, int bp, float[] t, int tp) {
        tileStrided(kc, a, a0, a1, a2, a3, a4, a5, 1, b, bp, t, tp);
    }

    /**
     * As {@link #tile}, with op(A) read in place from its transpose: element (r, p) of op(A) is
     * {@code a[aOff + p * lda + r]}, i.e. op(A) = Aᵀ for a row-major A whose row p holds the MR values at
     * columns [aOff % lda, + MR) (the caller makes sure that {@code a[aOff + (kc - 1) * lda + MR - 1]} exists:
     * a short panel reads past its last column and ignores those tile rows). The B panel (kc x NR) at
     * b[bp], the tile written to t[tp, tp + MR*NR). Same FMA chain per element as {@link #tile}.
     */
    public static void tileCols(int kc, float[] a, int aOff, int lda, float[] b, int bp, float[] t, int tp) {
        tileStrided(kc, a, aOff, aOff + 1, aOff + 2, aOff + 3, aOff + 4, aOff + 5, lda, b, bp, t, tp);
    }

    /** The kernel of {@link #tileRows} and {@link #tileCols}: element (r, p) of op(A) at {@code a[a_r + p * ps]}. */
    private static void tileStrided(int kc, float[] a, int a0, int a1, int a2, int a3, int a4, int a5, int ps,
                                    float[] b, int bp, float[] t, int tp) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        int vl = SPECIES.length();
        for (int p = 0; p < kc; p++) {
            int bo = bp + p * NR;
            int po = p * ps;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bo + vl);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + po]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + po]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[a2 + po]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[a3 + po]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[a4 + po]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[a5 + po]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
        }
        c00.intoArray(t, tp);
        c01.intoArray(t, tp + vl);
        c10.intoArray(t, tp + NR);
        c11.intoArray(t, tp + NR + vl);
        c20.intoArray(t, tp + 2 * NR);
        c21.intoArray(t, tp + 2 * NR + vl);
        c30.intoArray(t, tp + 3 * NR);
        c31.intoArray(t, tp + 3 * NR + vl);
        c40.intoArray(t, tp + 4 * NR);
        c41.intoArray(t, tp + 4 * NR + vl);
        c50.intoArray(t, tp + 5 * NR);
        c51.intoArray(t, tp + 5 * NR + vl);
    }
}
