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

    /** Micro-tile rows: 6 with 16-lane vectors, 4 with 8 ({@link Gemm#MR}). */
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
     * consecutive rows of a row-major matrix, element (r, p) at {@code a[aOff + r * lda + p]} for p &lt; kc
     * (aOff may include a K-block offset; a caller with fewer rows lets the kernel read the rows after its
     * last, which must exist, and ignores those tile rows). The B panel (kc x NR) at b[bp], the tile written to
     * t[tp, tp + MR*NR). Same FMA chain per element as {@link #tile}, so the same bits; what it saves is
     * packing op(A).
     *
     * <p>Why one pointer and row offsets {@code r * lda}, not six row starts: with six independent start
     * indices C2's loop ran ~25 % slower than the packed kernel (120-145 against 155-170 GFLOP/s on one
     * Zen 5 core, kc 200-256); with one index that advances by one and loop-invariant offsets it runs as
     * fast as the packed one (135-160). The same holds for {@link #tileCols} (one index advancing by lda,
     * constant offsets: 110-120 -> 150-175). Two methods, not one with two strides, because C2 gives each
     * its own addressing only when the stride is a constant of the loop (a shared method with both strides as
     * arguments measured in between). The stores are written out in each method, not shared through a call
     * taking vectors: a call C2 does not inline boxes its vector arguments.
     */
    public static void tileRows(int kc, float[] a, int aOff, int lda, float[] b, int bp, float[] t, int tp) {
        if (MR == 6) {
            rows6(kc, a, aOff, lda, b, bp, t, tp);
        } else {
            rows4(kc, a, aOff, lda, b, bp, t, tp);
        }
    }

    /** {@link #tileRows} for 6-row tiles. */
    static void rows6(int kc, float[] a, int aOff, int lda, float[] b, int bp, float[] t, int tp) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        int vl = SPECIES.length();
        int r1 = lda, r2 = 2 * lda, r3 = 3 * lda, r4 = 4 * lda, r5 = 5 * lda;
        for (int p = 0, o = aOff; p < kc; p++, o++) {
            int bo = bp + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bo + vl);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[o]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[o + r1]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[o + r2]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[o + r3]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[o + r4]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[o + r5]);
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

    /**
     * As {@link #tile}, with op(A) read in place from its transpose: element (r, p) of op(A) is
     * {@code a[aOff + p * lda + r]}, i.e. op(A) = Aᵀ for a row-major A whose row p holds the MR values at
     * columns [aOff % lda, + MR) (the caller makes sure that {@code a[aOff + (kc - 1) * lda + MR - 1]} exists:
     * a short panel reads past its last column and ignores those tile rows). The B panel (kc x NR) at
     * b[bp], the tile written to t[tp, tp + MR*NR). Same FMA chain per element as {@link #tile}.
     */
    public static void tileCols(int kc, float[] a, int aOff, int lda, float[] b, int bp, float[] t, int tp) {
        if (MR == 6) {
            cols6(kc, a, aOff, lda, b, bp, t, tp);
        } else {
            cols4(kc, a, aOff, lda, b, bp, t, tp);
        }
    }

    /** {@link #tileCols} for 6-row tiles. */
    static void cols6(int kc, float[] a, int aOff, int lda, float[] b, int bp, float[] t, int tp) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        int vl = SPECIES.length();
        for (int p = 0, o = aOff; p < kc; p++, o += lda) {
            int bo = bp + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bo + vl);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[o]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[o + 1]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[o + 2]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[o + 3]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[o + 4]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[o + 5]);
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

    /** {@link #tileRows} for 4-row tiles ({@link Gemm#MR}): the chains of {@link #rows6}'s first four rows. */
    static void rows4(int kc, float[] a, int aOff, int lda, float[] b, int bp, float[] t, int tp) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        int vl = SPECIES.length();
        int r1 = lda, r2 = 2 * lda, r3 = 3 * lda;
        for (int p = 0, o = aOff; p < kc; p++, o++) {
            int bo = bp + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bo + vl);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[o]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[o + r1]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[o + r2]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[o + r3]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
        }
        c00.intoArray(t, tp);
        c01.intoArray(t, tp + vl);
        c10.intoArray(t, tp + NR);
        c11.intoArray(t, tp + NR + vl);
        c20.intoArray(t, tp + 2 * NR);
        c21.intoArray(t, tp + 2 * NR + vl);
        c30.intoArray(t, tp + 3 * NR);
        c31.intoArray(t, tp + 3 * NR + vl);
    }

    /** {@link #tileCols} for 4-row tiles ({@link Gemm#MR}): the chains of {@link #cols6}'s first four rows. */
    static void cols4(int kc, float[] a, int aOff, int lda, float[] b, int bp, float[] t, int tp) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        int vl = SPECIES.length();
        for (int p = 0, o = aOff; p < kc; p++, o += lda) {
            int bo = bp + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bo + vl);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[o]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[o + 1]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[o + 2]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[o + 3]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
        }
        c00.intoArray(t, tp);
        c01.intoArray(t, tp + vl);
        c10.intoArray(t, tp + NR);
        c11.intoArray(t, tp + NR + vl);
        c20.intoArray(t, tp + 2 * NR);
        c21.intoArray(t, tp + 2 * NR + vl);
        c30.intoArray(t, tp + 3 * NR);
        c31.intoArray(t, tp + 3 * NR + vl);
    }
}
