package dev.mtdtl.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 * distance, the blend written as bit operations on the lanes' int bits ({@code (a & ~M) | (b & M)}): a transpose only
 * moves bits, so the result is the same bits, NaN payloads and -0 included.
 */
final class Transpose16 {

    private static final VectorSpecies<Float> S = Gemm.S;
    @SuppressWarnings("unchecked")
    private static final VectorSpecies<Integer> I = (VectorSpecies<Integer>) S.withLanes(int.class);

    /** Lane l takes lane l ^ d, d = 8, 4, 2, 1. */
    private static final VectorShuffle<Integer> X8 = VectorShuffle.fromOp(I, l -> l ^ 8);
    private static final VectorShuffle<Integer> X4 = VectorShuffle.fromOp(I, l -> l ^ 4);
    private static final VectorShuffle<Integer> X2 = VectorShuffle.fromOp(I, l -> l ^ 2);
    private static final VectorShuffle<Integer> X1 = VectorShuffle.fromOp(I, l -> l ^ 1);
    /** All ones in the lanes whose bit d is set (M), in the others (N). */
    private static final IntVector M8 = lanes(0xFF00), N8 = M8.not();
    private static final IntVector M4 = lanes(0xF0F0), N4 = M4.not();
    private static final IntVector M2 = lanes(0xCCCC), N2 = M2.not();
    private static final IntVector M1 = lanes(0xAAAA), N1 = M1.not();

    /**
     * dst[l*ds + k] = src[k*ss + l] for k, l in [0, 16), in registers. Row k of a pair at distance d keeps its lanes
     * with bit d clear and takes row k + d's lanes l - d where it is set ({@code a & N | b.rearrange(x) & M}); row
     * k + d takes row k's lanes l + d where bit d is clear and keeps its own ({@code a.rearrange(x) & N | b & M}).
     * Why bit operations and not {@code blend} with a constant {@code VectorMask}: JDK 17's C2 keeps a mask in a
     * vector register and rebuilds the mask register from it with a compare before every blend, so a block cost 64
     * permutes, 64 compares and 64 blends; an AND, AND-NOT and OR with constant vectors need no mask register. The
     * transposes of conv1's dy rows, one JVM alternating the two: 40.0 -> 21.3 us an image in cache, 55.5 -> 36.1 from
     * memory (bench/RESULTS.md, session 34). Written out, one named vector per row and distance: with helper methods
     * (for the blend, the load or the store) C2 stopped inlining them in a method this size and boxed every vector
     * (15x slower, measured again in session 34); through a scratch array, one round trip per distance or one in all,
     * the loads waited on store forwarding of line-split vectors (1.5-2x slower). Depth first: the bit swaps commute
     * and distances 4, 2, 1 pair rows within one half, so each half of rows finishes and is stored before the other
     * is touched (8-21 % less time per block than distance by distance over all 16 rows, session 30).
     */
    static void block(float[] dst, int d, int ds, float[] src, int s, int ss) {
        // distance 8 as the rows are loaded: pair k holds rows k and k + 8
        IntVector r0 = (IntVector) FloatVector.fromArray(S, src, s + 0 * ss).reinterpretAsInts();
        IntVector r8 = (IntVector) FloatVector.fromArray(S, src, s + 8 * ss).reinterpretAsInts();
        IntVector a0 = r0.and(N8).or(r8.rearrange(X8).and(M8));
        IntVector a8 = r0.rearrange(X8).and(N8).or(r8.and(M8));
        IntVector r1 = (IntVector) FloatVector.fromArray(S, src, s + 1 * ss).reinterpretAsInts();
        IntVector r9 = (IntVector) FloatVector.fromArray(S, src, s + 9 * ss).reinterpretAsInts();
        IntVector a1 = r1.and(N8).or(r9.rearrange(X8).and(M8));
        IntVector a9 = r1.rearrange(X8).and(N8).or(r9.and(M8));
        IntVector r2 = (IntVector) FloatVector.fromArray(S, src, s + 2 * ss).reinterpretAsInts();
        IntVector r10 = (IntVector) FloatVector.fromArray(S, src, s + 10 * ss).reinterpretAsInts();
        IntVector a2 = r2.and(N8).or(r10.rearrange(X8).and(M8));
        IntVector a10 = r2.rearrange(X8).and(N8).or(r10.and(M8));
        IntVector r3 = (IntVector) FloatVector.fromArray(S, src, s + 3 * ss).reinterpretAsInts();
        IntVector r11 = (IntVector) FloatVector.fromArray(S, src, s + 11 * ss).reinterpretAsInts();
        IntVector a3 = r3.and(N8).or(r11.rearrange(X8).and(M8));
        IntVector a11 = r3.rearrange(X8).and(N8).or(r11.and(M8));
        IntVector r4 = (IntVector) FloatVector.fromArray(S, src, s + 4 * ss).reinterpretAsInts();
        IntVector r12 = (IntVector) FloatVector.fromArray(S, src, s + 12 * ss).reinterpretAsInts();
        IntVector a4 = r4.and(N8).or(r12.rearrange(X8).and(M8));
        IntVector a12 = r4.rearrange(X8).and(N8).or(r12.and(M8));
        IntVector r5 = (IntVector) FloatVector.fromArray(S, src, s + 5 * ss).reinterpretAsInts();
        IntVector r13 = (IntVector) FloatVector.fromArray(S, src, s + 13 * ss).reinterpretAsInts();
        IntVector a5 = r5.and(N8).or(r13.rearrange(X8).and(M8));
        IntVector a13 = r5.rearrange(X8).and(N8).or(r13.and(M8));
        IntVector r6 = (IntVector) FloatVector.fromArray(S, src, s + 6 * ss).reinterpretAsInts();
        IntVector r14 = (IntVector) FloatVector.fromArray(S, src, s + 14 * ss).reinterpretAsInts();
        IntVector a6 = r6.and(N8).or(r14.rearrange(X8).and(M8));
        IntVector a14 = r6.rearrange(X8).and(N8).or(r14.and(M8));
        IntVector r7 = (IntVector) FloatVector.fromArray(S, src, s + 7 * ss).reinterpretAsInts();
        IntVector r15 = (IntVector) FloatVector.fromArray(S, src, s + 15 * ss).reinterpretAsInts();
        IntVector a7 = r7.and(N8).or(r15.rearrange(X8).and(M8));
        IntVector a15 = r7.rearrange(X8).and(N8).or(r15.and(M8));
        // rows 0..7: distances 4, 2, 1 never pair them with the other half, so they finish (and are stored)
        // before that half is touched
        IntVector b0 = a0.and(N4).or(a4.rearrange(X4).and(M4));
        IntVector b4 = a0.rearrange(X4).and(N4).or(a4.and(M4));
        IntVector b1 = a1.and(N4).or(a5.rearrange(X4).and(M4));
        IntVector b5 = a1.rearrange(X4).and(N4).or(a5.and(M4));
        IntVector b2 = a2.and(N4).or(a6.rearrange(X4).and(M4));
        IntVector b6 = a2.rearrange(X4).and(N4).or(a6.and(M4));
        IntVector b3 = a3.and(N4).or(a7.rearrange(X4).and(M4));
        IntVector b7 = a3.rearrange(X4).and(N4).or(a7.and(M4));
        IntVector c0 = b0.and(N2).or(b2.rearrange(X2).and(M2));
        IntVector c2 = b0.rearrange(X2).and(N2).or(b2.and(M2));
        IntVector c1 = b1.and(N2).or(b3.rearrange(X2).and(M2));
        IntVector c3 = b1.rearrange(X2).and(N2).or(b3.and(M2));
        ((FloatVector) c0.and(N1).or(c1.rearrange(X1).and(M1)).reinterpretAsFloats()).intoArray(dst, d + 0 * ds);
        ((FloatVector) c0.rearrange(X1).and(N1).or(c1.and(M1)).reinterpretAsFloats()).intoArray(dst, d + 1 * ds);
        ((FloatVector) c2.and(N1).or(c3.rearrange(X1).and(M1)).reinterpretAsFloats()).intoArray(dst, d + 2 * ds);
        ((FloatVector) c2.rearrange(X1).and(N1).or(c3.and(M1)).reinterpretAsFloats()).intoArray(dst, d + 3 * ds);
        IntVector c4 = b4.and(N2).or(b6.rearrange(X2).and(M2));
        IntVector c6 = b4.rearrange(X2).and(N2).or(b6.and(M2));
        IntVector c5 = b5.and(N2).or(b7.rearrange(X2).and(M2));
        IntVector c7 = b5.rearrange(X2).and(N2).or(b7.and(M2));
        ((FloatVector) c4.and(N1).or(c5.rearrange(X1).and(M1)).reinterpretAsFloats()).intoArray(dst, d + 4 * ds);
        ((FloatVector) c4.rearrange(X1).and(N1).or(c5.and(M1)).reinterpretAsFloats()).intoArray(dst, d + 5 * ds);
        ((FloatVector) c6.and(N1).or(c7.rearrange(X1).and(M1)).reinterpretAsFloats()).intoArray(dst, d + 6 * ds);
        ((FloatVector) c6.rearrange(X1).and(N1).or(c7.and(M1)).reinterpretAsFloats()).intoArray(dst, d + 7 * ds);
        // rows 8..15: distances 4, 2, 1 never pair them with the other half, so they finish (and are stored)
        // before that half is touched
        IntVector b8 = a8.and(N4).or(a12.rearrange(X4).and(M4));
        IntVector b12 = a8.rearrange(X4).and(N4).or(a12.and(M4));
        IntVector b9 = a9.and(N4).or(a13.rearrange(X4).and(M4));
        IntVector b13 = a9.rearrange(X4).and(N4).or(a13.and(M4));
        IntVector b10 = a10.and(N4).or(a14.rearrange(X4).and(M4));
        IntVector b14 = a10.rearrange(X4).and(N4).or(a14.and(M4));
        IntVector b11 = a11.and(N4).or(a15.rearrange(X4).and(M4));
        IntVector b15 = a11.rearrange(X4).and(N4).or(a15.and(M4));
        IntVector c8 = b8.and(N2).or(b10.rearrange(X2).and(M2));
        IntVector c10 = b8.rearrange(X2).and(N2).or(b10.and(M2));
        IntVector c9 = b9.and(N2).or(b11.rearrange(X2).and(M2));
        IntVector c11 = b9.rearrange(X2).and(N2).or(b11.and(M2));
        ((FloatVector) c8.and(N1).or(c9.rearrange(X1).and(M1)).reinterpretAsFloats()).intoArray(dst, d + 8 * ds);
        ((FloatVector) c8.rearrange(X1).and(N1).or(c9.and(M1)).reinterpretAsFloats()).intoArray(dst, d + 9 * ds);
        ((FloatVector) c10.and(N1).or(c11.rearrange(X1).and(M1)).reinterpretAsFloats()).intoArray(dst, d + 10 * ds);
        ((FloatVector) c10.rearrange(X1).and(N1).or(c11.and(M1)).reinterpretAsFloats()).intoArray(dst, d + 11 * ds);
        IntVector c12 = b12.and(N2).or(b14.rearrange(X2).and(M2));
        IntVector c14 = b12.rearrange(X2).and(N2).or(b14.and(M2));
        IntVector c13 = b13.and(N2).or(b15.rearrange(X2).and(M2));
        IntVector c15 = b13.rearrange(X2).and(N2).or(b15.and(M2));
        ((FloatVector) c12.and(N1).or(c13.rearrange(X1).and(M1)).reinterpretAsFloats()).intoArray(dst, d + 12 * ds);
        ((FloatVector) c12.rearrange(X1).and(N1).or(c13.and(M1)).reinterpretAsFloats()).intoArray(dst, d + 13 * ds);
        ((FloatVector) c14.and(N1).or(c15.rearrange(X1).and(M1)).reinterpretAsFloats()).intoArray(dst, d + 14 * ds);
        ((FloatVector) c14.rearrange(X1).and(N1).or(c15.and(M1)).reinterpretAsFloats()).intoArray(dst, d + 15 * ds);
    }

    /** Lane l all ones where bit l of {@code bits} is set, else zero. */
    private static IntVector lanes(int bits) {
        int[] a = new int[S.length()];
        for (int l = 0; l < a.length; l++) {
            a[l] = (bits >>> l & 1) != 0 ? -1 : 0;
        }
        return IntVector.fromArray(I, a, 0);
    }
}
