package dev.mtdtl.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvFilterOc}'s row kernel at 8 lanes on JDK 21 and later, in four passes over the transposed dy row: taps
 * 0-6, 7-13, 14-19, then 20-24 and the bias, at most 7 accumulators + a dy vector + 7 broadcasts = 15 of AVX2's 16
 * registers even when C2 loads all of a position's broadcasts before its FMAs, as JDK 25's does. The two 13-accumulator
 * halves that JDK 17 runs ({@code rowLo}, {@code rowHi}: 15 registers with one broadcast at a time) spill an
 * accumulator through the stack at every position there (bench/RESULTS.md, session 38). The same sums into the same
 * slots as {@code ConvFilterOc.row}: each accumulator one chain from zero over the row's positions in order (the dy
 * vector is loaded four times, from L1), so the same bits on every JDK.
 *
 * <p>Arguments as {@code ConvFilterOc.row}: out[o + t*VL ..] receives tap t = u*5 + v, out[o + 25 VL ..] the bias; the
 * dy vectors at dyT[d + j*VL], the padded input rows at xp[xr + u*PITCH ..], j in [0, wo).
 */
final class ConvFilterOcRows {

    private static final VectorSpecies<Float> S = Gemm.S;
    private static final int VL = Gemm.VL;
    private static final int PITCH = ConvFilterOc.PITCH;

    private ConvFilterOcRows() {}

    /** The row, all four passes: the same sums as {@code ConvFilterOc.row}. */
    static void row(float[] out, int o, float[] dyT, int d, float[] xp, int xr, int wo) {
        rowA(out, o, dyT, d, xp, xr, wo);
        rowB(out, o, dyT, d, xp, xr, wo);
        rowC(out, o, dyT, d, xp, xr, wo);
        rowD(out, o, dyT, d, xp, xr, wo);
    }


    /** Taps 0-6. */
    static void rowA(float[] out, int o, float[] dyT, int d, float[] xp, int xr, int wo) {
        int r0 = xr, r1 = xr + 1 * PITCH;
        FloatVector z = FloatVector.zero(S);
        FloatVector s00 = z, s01 = z, s02 = z, s03 = z, s04 = z, s10 = z, s11 = z;
        for (int j = 0; j < wo; j++) {
            FloatVector gv = FloatVector.fromArray(S, dyT, d + j * VL);
            s00 = gv.fma(FloatVector.broadcast(S, xp[r0 + j]), s00);
            s01 = gv.fma(FloatVector.broadcast(S, xp[r0 + j + 1]), s01);
            s02 = gv.fma(FloatVector.broadcast(S, xp[r0 + j + 2]), s02);
            s03 = gv.fma(FloatVector.broadcast(S, xp[r0 + j + 3]), s03);
            s04 = gv.fma(FloatVector.broadcast(S, xp[r0 + j + 4]), s04);
            s10 = gv.fma(FloatVector.broadcast(S, xp[r1 + j]), s10);
            s11 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 1]), s11);
        }
        s00.intoArray(out, o);
        s01.intoArray(out, o + 1 * VL);
        s02.intoArray(out, o + 2 * VL);
        s03.intoArray(out, o + 3 * VL);
        s04.intoArray(out, o + 4 * VL);
        s10.intoArray(out, o + 5 * VL);
        s11.intoArray(out, o + 6 * VL);
    }

    /** Taps 7-13. */
    static void rowB(float[] out, int o, float[] dyT, int d, float[] xp, int xr, int wo) {
        int r1 = xr + 1 * PITCH, r2 = xr + 2 * PITCH;
        FloatVector z = FloatVector.zero(S);
        FloatVector s12 = z, s13 = z, s14 = z, s20 = z, s21 = z, s22 = z, s23 = z;
        for (int j = 0; j < wo; j++) {
            FloatVector gv = FloatVector.fromArray(S, dyT, d + j * VL);
            s12 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 2]), s12);
            s13 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 3]), s13);
            s14 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 4]), s14);
            s20 = gv.fma(FloatVector.broadcast(S, xp[r2 + j]), s20);
            s21 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 1]), s21);
            s22 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 2]), s22);
            s23 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 3]), s23);
        }
        s12.intoArray(out, o + 7 * VL);
        s13.intoArray(out, o + 8 * VL);
        s14.intoArray(out, o + 9 * VL);
        s20.intoArray(out, o + 10 * VL);
        s21.intoArray(out, o + 11 * VL);
        s22.intoArray(out, o + 12 * VL);
        s23.intoArray(out, o + 13 * VL);
    }

    /** Taps 14-19. */
    static void rowC(float[] out, int o, float[] dyT, int d, float[] xp, int xr, int wo) {
        int r2 = xr + 2 * PITCH, r3 = xr + 3 * PITCH;
        FloatVector z = FloatVector.zero(S);
        FloatVector s24 = z, s30 = z, s31 = z, s32 = z, s33 = z, s34 = z;
        for (int j = 0; j < wo; j++) {
            FloatVector gv = FloatVector.fromArray(S, dyT, d + j * VL);
            s24 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 4]), s24);
            s30 = gv.fma(FloatVector.broadcast(S, xp[r3 + j]), s30);
            s31 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 1]), s31);
            s32 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 2]), s32);
            s33 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 3]), s33);
            s34 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 4]), s34);
        }
        s24.intoArray(out, o + 14 * VL);
        s30.intoArray(out, o + 15 * VL);
        s31.intoArray(out, o + 16 * VL);
        s32.intoArray(out, o + 17 * VL);
        s33.intoArray(out, o + 18 * VL);
        s34.intoArray(out, o + 19 * VL);
    }

    /** Taps 20-24 and the bias. */
    static void rowD(float[] out, int o, float[] dyT, int d, float[] xp, int xr, int wo) {
        int r4 = xr + 4 * PITCH;
        FloatVector z = FloatVector.zero(S);
        FloatVector s40 = z, s41 = z, s42 = z, s43 = z, s44 = z, sb = z;
        for (int j = 0; j < wo; j++) {
            FloatVector gv = FloatVector.fromArray(S, dyT, d + j * VL);
            s40 = gv.fma(FloatVector.broadcast(S, xp[r4 + j]), s40);
            s41 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 1]), s41);
            s42 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 2]), s42);
            s43 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 3]), s43);
            s44 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 4]), s44);
            sb = sb.add(gv);
        }
        s40.intoArray(out, o + 20 * VL);
        s41.intoArray(out, o + 21 * VL);
        s42.intoArray(out, o + 22 * VL);
        s43.intoArray(out, o + 23 * VL);
        s44.intoArray(out, o + 24 * VL);
        sb.intoArray(out, o + 25 * VL);
    }
}
