package dev.mtdtl.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 16 x 16 float transpose in 512-bit registers, for the copies that turn a layout around: conv1's dy into
 * channel-last order ({@link ConvFilterOc}) and conv2-conv4's padded input into channel-last rows
 * ({@link ConvFilterCl#padChannelLast}). Only for 16-lane vectors (callers check {@code Gemm.VL == 16}).
 *
 * <p>The transpose swaps blocks: at distance d (8, 4, 2, 1), rows k and k + d (bit d of k clear) trade the lanes
 * where bit d differs from the row's, {@code row_k[l] = row_{k+d}[l - d]} for l with bit d set and
 * {@code row_{k+d}[l] = row_k[l + d]} for l with it clear; element (k, l) moves to (k ^ d, l ^ d) exactly when bits
 * d of k and l differ, so after all four distances it sits at (l, k). One permute and one blend per vector and
 * distance: 128 operations per 256 floats.
 */
final class Transpose16 {

    private static final VectorSpecies<Float> S = Gemm.S;

    /** Lane l takes lane l ^ d, d = 8, 4, 2, 1. */
    private static final VectorShuffle<Float> X8 = VectorShuffle.fromOp(S, l -> l ^ 8);
    private static final VectorShuffle<Float> X4 = VectorShuffle.fromOp(S, l -> l ^ 4);
    private static final VectorShuffle<Float> X2 = VectorShuffle.fromOp(S, l -> l ^ 2);
    private static final VectorShuffle<Float> X1 = VectorShuffle.fromOp(S, l -> l ^ 1);
    /** Lanes whose bit d is set. */
    private static final VectorMask<Float> M8 = VectorMask.fromLong(S, 0xFF00L);
    private static final VectorMask<Float> M4 = VectorMask.fromLong(S, 0xF0F0L);
    private static final VectorMask<Float> M2 = VectorMask.fromLong(S, 0xCCCCL);
    private static final VectorMask<Float> M1 = VectorMask.fromLong(S, 0xAAAAL);

    /**
     * dst[l*ds + k] = src[k*ss + l] for k, l in [0, 16), in registers. Row k of a pair at distance d keeps its lanes
     * with bit d clear and takes row k + d's lanes l - d where it is set ({@code a.blend(b.rearrange(x), m)}); row
     * k + d takes row k's lanes l + d where bit d is clear and keeps its own ({@code a.rearrange(x).blend(b, m)}).
     * Written out, one named vector per row and distance: with helper methods C2 stopped inlining them in a method
     * this size and boxed every vector (3x slower); through a scratch array, one round trip per distance or one in
     * all, the loads waited on store forwarding of line-split vectors (1.5-2x slower). Depth first: the bit swaps
     * commute and distances 4, 2, 1 pair rows within one half, so each half of rows finishes and is stored before
     * the other is touched. That took 8-21 % less time per block than distance by distance over all 16 rows, in
     * one JVM alternating the two (bench/RESULTS.md, session 30). Neither order spills in its hot path (hsdis:
     * the 500-odd stack stores in the compiled method are in its deoptimisation exits); per block C2 emits 64
     * permutes, 64 blends and 64 compares that rebuild a blend's mask register from its constant each time.
     */
    static void block(float[] dst, int d, int ds, float[] src, int s, int ss) {
        // distance 8 as the rows are loaded: pair k holds rows k and k + 8
        FloatVector r0 = FloatVector.fromArray(S, src, s + 0 * ss), r8 = FloatVector.fromArray(S, src, s + 8 * ss);
        FloatVector a0 = r0.blend(r8.rearrange(X8), M8), a8 = r0.rearrange(X8).blend(r8, M8);
        FloatVector r1 = FloatVector.fromArray(S, src, s + 1 * ss), r9 = FloatVector.fromArray(S, src, s + 9 * ss);
        FloatVector a1 = r1.blend(r9.rearrange(X8), M8), a9 = r1.rearrange(X8).blend(r9, M8);
        FloatVector r2 = FloatVector.fromArray(S, src, s + 2 * ss), r10 = FloatVector.fromArray(S, src, s + 10 * ss);
        FloatVector a2 = r2.blend(r10.rearrange(X8), M8), a10 = r2.rearrange(X8).blend(r10, M8);
        FloatVector r3 = FloatVector.fromArray(S, src, s + 3 * ss), r11 = FloatVector.fromArray(S, src, s + 11 * ss);
        FloatVector a3 = r3.blend(r11.rearrange(X8), M8), a11 = r3.rearrange(X8).blend(r11, M8);
        FloatVector r4 = FloatVector.fromArray(S, src, s + 4 * ss), r12 = FloatVector.fromArray(S, src, s + 12 * ss);
        FloatVector a4 = r4.blend(r12.rearrange(X8), M8), a12 = r4.rearrange(X8).blend(r12, M8);
        FloatVector r5 = FloatVector.fromArray(S, src, s + 5 * ss), r13 = FloatVector.fromArray(S, src, s + 13 * ss);
        FloatVector a5 = r5.blend(r13.rearrange(X8), M8), a13 = r5.rearrange(X8).blend(r13, M8);
        FloatVector r6 = FloatVector.fromArray(S, src, s + 6 * ss), r14 = FloatVector.fromArray(S, src, s + 14 * ss);
        FloatVector a6 = r6.blend(r14.rearrange(X8), M8), a14 = r6.rearrange(X8).blend(r14, M8);
        FloatVector r7 = FloatVector.fromArray(S, src, s + 7 * ss), r15 = FloatVector.fromArray(S, src, s + 15 * ss);
        FloatVector a7 = r7.blend(r15.rearrange(X8), M8), a15 = r7.rearrange(X8).blend(r15, M8);
        // rows 0..7: distances 4, 2, 1 never pair them with the other half, so they finish (and are stored)
        // before that half is touched
        FloatVector b0 = a0.blend(a4.rearrange(X4), M4), b4 = a0.rearrange(X4).blend(a4, M4);
        FloatVector b1 = a1.blend(a5.rearrange(X4), M4), b5 = a1.rearrange(X4).blend(a5, M4);
        FloatVector b2 = a2.blend(a6.rearrange(X4), M4), b6 = a2.rearrange(X4).blend(a6, M4);
        FloatVector b3 = a3.blend(a7.rearrange(X4), M4), b7 = a3.rearrange(X4).blend(a7, M4);
        FloatVector c0 = b0.blend(b2.rearrange(X2), M2), c2 = b0.rearrange(X2).blend(b2, M2);
        FloatVector c1 = b1.blend(b3.rearrange(X2), M2), c3 = b1.rearrange(X2).blend(b3, M2);
        c0.blend(c1.rearrange(X1), M1).intoArray(dst, d);
        c0.rearrange(X1).blend(c1, M1).intoArray(dst, d + 1 * ds);
        c2.blend(c3.rearrange(X1), M1).intoArray(dst, d + 2 * ds);
        c2.rearrange(X1).blend(c3, M1).intoArray(dst, d + 3 * ds);
        FloatVector c4 = b4.blend(b6.rearrange(X2), M2), c6 = b4.rearrange(X2).blend(b6, M2);
        FloatVector c5 = b5.blend(b7.rearrange(X2), M2), c7 = b5.rearrange(X2).blend(b7, M2);
        c4.blend(c5.rearrange(X1), M1).intoArray(dst, d + 4 * ds);
        c4.rearrange(X1).blend(c5, M1).intoArray(dst, d + 5 * ds);
        c6.blend(c7.rearrange(X1), M1).intoArray(dst, d + 6 * ds);
        c6.rearrange(X1).blend(c7, M1).intoArray(dst, d + 7 * ds);
        // rows 8..15: distances 4, 2, 1 never pair them with the other half, so they finish (and are stored)
        // before that half is touched
        FloatVector b8 = a8.blend(a12.rearrange(X4), M4), b12 = a8.rearrange(X4).blend(a12, M4);
        FloatVector b9 = a9.blend(a13.rearrange(X4), M4), b13 = a9.rearrange(X4).blend(a13, M4);
        FloatVector b10 = a10.blend(a14.rearrange(X4), M4), b14 = a10.rearrange(X4).blend(a14, M4);
        FloatVector b11 = a11.blend(a15.rearrange(X4), M4), b15 = a11.rearrange(X4).blend(a15, M4);
        FloatVector c8 = b8.blend(b10.rearrange(X2), M2), c10 = b8.rearrange(X2).blend(b10, M2);
        FloatVector c9 = b9.blend(b11.rearrange(X2), M2), c11 = b9.rearrange(X2).blend(b11, M2);
        c8.blend(c9.rearrange(X1), M1).intoArray(dst, d + 8 * ds);
        c8.rearrange(X1).blend(c9, M1).intoArray(dst, d + 9 * ds);
        c10.blend(c11.rearrange(X1), M1).intoArray(dst, d + 10 * ds);
        c10.rearrange(X1).blend(c11, M1).intoArray(dst, d + 11 * ds);
        FloatVector c12 = b12.blend(b14.rearrange(X2), M2), c14 = b12.rearrange(X2).blend(b14, M2);
        FloatVector c13 = b13.blend(b15.rearrange(X2), M2), c15 = b13.rearrange(X2).blend(b15, M2);
        c12.blend(c13.rearrange(X1), M1).intoArray(dst, d + 12 * ds);
        c12.rearrange(X1).blend(c13, M1).intoArray(dst, d + 13 * ds);
        c14.blend(c15.rearrange(X1), M1).intoArray(dst, d + 14 * ds);
        c14.rearrange(X1).blend(c15, M1).intoArray(dst, d + 15 * ds);
    }
}
