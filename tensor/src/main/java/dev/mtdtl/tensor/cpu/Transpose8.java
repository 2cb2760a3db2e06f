package dev.mtdtl.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * An 8 x 8 float transpose in 256-bit registers: {@link Transpose16}'s block swaps at distances 4, 2, 1, for the
 * same copies on AVX2 machines (conv1's dy in channel-last order, {@link ConvFilterOc}; the channel-last padded
 * input, {@link ConvFilterCl#padChannelLast}; a transposed B packed by {@link Gemm}). Only for 8-lane vectors
 * (callers check {@code Gemm.VL == 8}).
 *
 * <p>At distance d, rows k and k + d (bit d of k clear) trade the lanes where bit d differs from the row's;
 * element (k, l) moves to (k ^ d, l ^ d) exactly when bits d of k and l differ, so after the three distances it
 * sits at (l, k). One permute and one blend per vector and distance: 48 operations per 64 floats, 16 registers
 * (the 8 rows and the 8 results of a distance; C2 reuses the rows' registers as they die).
 */
final class Transpose8 {

    private static final VectorSpecies<Float> S = Gemm.S;

    /** Lane l takes lane l ^ d, d = 4, 2, 1. */
    private static final VectorShuffle<Float> X4 = VectorShuffle.fromOp(S, l -> l ^ 4);
    private static final VectorShuffle<Float> X2 = VectorShuffle.fromOp(S, l -> l ^ 2);
    private static final VectorShuffle<Float> X1 = VectorShuffle.fromOp(S, l -> l ^ 1);
    /** Lanes whose bit d is set. */
    private static final VectorMask<Float> M4 = VectorMask.fromLong(S, 0xF0L);
    private static final VectorMask<Float> M2 = VectorMask.fromLong(S, 0xCCL);
    private static final VectorMask<Float> M1 = VectorMask.fromLong(S, 0xAAL);

    private Transpose8() {}

    /**
     * dst[l*ds + k] = src[k*ss + l] for k, l in [0, 8), in registers: distance 4 as the rows are loaded, then 2
     * and 1 within each half of the rows, written out as {@link Transpose16#block} is (one named vector per row and
     * distance, no helper methods).
     */
    static void block(float[] dst, int d, int ds, float[] src, int s, int ss) {
        FloatVector r0 = FloatVector.fromArray(S, src, s), r4 = FloatVector.fromArray(S, src, s + 4 * ss);
        FloatVector a0 = r0.blend(r4.rearrange(X4), M4), a4 = r0.rearrange(X4).blend(r4, M4);
        FloatVector r1 = FloatVector.fromArray(S, src, s + ss), r5 = FloatVector.fromArray(S, src, s + 5 * ss);
        FloatVector a1 = r1.blend(r5.rearrange(X4), M4), a5 = r1.rearrange(X4).blend(r5, M4);
        FloatVector r2 = FloatVector.fromArray(S, src, s + 2 * ss), r6 = FloatVector.fromArray(S, src, s + 6 * ss);
        FloatVector a2 = r2.blend(r6.rearrange(X4), M4), a6 = r2.rearrange(X4).blend(r6, M4);
        FloatVector r3 = FloatVector.fromArray(S, src, s + 3 * ss), r7 = FloatVector.fromArray(S, src, s + 7 * ss);
        FloatVector a3 = r3.blend(r7.rearrange(X4), M4), a7 = r3.rearrange(X4).blend(r7, M4);
        // rows 0..3: distances 2 and 1 pair them among themselves
        FloatVector b0 = a0.blend(a2.rearrange(X2), M2), b2 = a0.rearrange(X2).blend(a2, M2);
        FloatVector b1 = a1.blend(a3.rearrange(X2), M2), b3 = a1.rearrange(X2).blend(a3, M2);
        b0.blend(b1.rearrange(X1), M1).intoArray(dst, d);
        b0.rearrange(X1).blend(b1, M1).intoArray(dst, d + ds);
        b2.blend(b3.rearrange(X1), M1).intoArray(dst, d + 2 * ds);
        b2.rearrange(X1).blend(b3, M1).intoArray(dst, d + 3 * ds);
        // rows 4..7
        FloatVector b4 = a4.blend(a6.rearrange(X2), M2), b6 = a4.rearrange(X2).blend(a6, M2);
        FloatVector b5 = a5.blend(a7.rearrange(X2), M2), b7 = a5.rearrange(X2).blend(a7, M2);
        b4.blend(b5.rearrange(X1), M1).intoArray(dst, d + 4 * ds);
        b4.rearrange(X1).blend(b5, M1).intoArray(dst, d + 5 * ds);
        b6.blend(b7.rearrange(X1), M1).intoArray(dst, d + 6 * ds);
        b6.rearrange(X1).blend(b7, M1).intoArray(dst, d + 7 * ds);
    }
}
