package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.cpu.BatchNormPoolRows.Codes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static dev.mtdtl.tensor.cpu.BatchNormPoolRows.F;
import static dev.mtdtl.tensor.cpu.BatchNormPoolRows.L;
import static dev.mtdtl.tensor.cpu.BatchNormPoolRows.Q;
import static dev.mtdtl.tensor.cpu.BatchNormPoolRows.intLanes;

/**
 * The backward row kernels of {@link BatchNormPoolCpu}, the counterpart of {@link BatchNormPoolRows}' forward:
 * {@link #gradPlane} builds one plane of dL/d(batch-norm output) from the pooled gradient, L windows per step:
 * g = (y > 0 ? dy : 0) at each window's code, +0 at its other three positions, +0 on a dropped odd row or column:
 * the values ReluCpu.backward then MaxPoolCpu.backward (zero fill, scatter) make, but with vector stores that
 * write every element once instead of a fill followed by a scalar scatter.
 *
 * <p>The same row split as the forward (rows of L/2 windows two window rows per vector, rows of L/4 one group of
 * four window rows per vector, scalar code for the rest), and the same packed codes ({@link BatchNormPoolRows.Codes}).
 * Once it has the pooled gradient it works on int lanes: its code tests are int compares and its selects int blends
 * (the same bits moved). With float compares of the code fields (subnormals) and float blends, gradPlane took
 * 1.17x as long (conv1's plane, hot, one JVM alternating the two; session 34). It never shifts by a vector of
 * counts (why: {@link BatchNormPoolRows}' note on POW4): it ANDs out each lane's window field and compares it with
 * the wanted code moved up to that field.
 */
final class BatchNormPoolGrad {

    @SuppressWarnings("unchecked")
    private static final VectorSpecies<Integer> I = (VectorSpecies<Integer>) F.withLanes(int.class);
    /** Lane j takes window j/2 (columns 2w and 2w+1 of the first L/2 windows). */
    private static final VectorShuffle<Integer> EXPAND_LO = VectorShuffle.fromOp(I, j -> j / 2);
    /** Lane j takes window L/2 + j/2. */
    private static final VectorShuffle<Integer> EXPAND_HI = VectorShuffle.fromOp(I, j -> L / 2 + j / 2);
    /**
     * SPREAD_k: lane j (input column j mod L/2 of the top or bottom row) takes window kQ + (j mod L/2)/2, window
     * row k of a group of four. One constant per k, not one shuffle applied k times: the backward's loop over k
     * carried the pooled gradient from row to row, and C2 boxed that loop variable in about one JVM in twenty
     * (3.3 MB a training step at batch 32; session 31). Constants, not array elements: C2 intrinsifies a Vector
     * API call only when it knows the exact class of its shuffle.
     */
    private static final VectorShuffle<Integer> SPREAD0 = spread(0);
    private static final VectorShuffle<Integer> SPREAD1 = spread(1);
    private static final VectorShuffle<Integer> SPREAD2 = spread(2);
    private static final VectorShuffle<Integer> SPREAD3 = spread(3);
    private static final FloatVector ZERO = FloatVector.zero(F);
    private static final IntVector ZERO_I = IntVector.zero(I);
    /**
     * Lane j of a row vector covers window j/2 of L/2 windows whose codes fill bits [0, L) of an int: FIELD
     * keeps that window's two bits; TOP is the code of a top-row winner in lane j's column (j & 1, 0 left or 1
     * right) and BOTTOM a bottom-row winner's (2 + (j & 1)), both moved up to the field.
     */
    private static final IntVector FIELD = IntVector.fromArray(I, intLanes(j -> 3 << (2 * (j / 2))), 0);
    private static final IntVector TOP = IntVector.fromArray(I, intLanes(j -> (j & 1) << (2 * (j / 2))), 0);
    private static final IntVector BOTTOM = IntVector.fromArray(I, intLanes(j -> (2 + (j & 1)) << (2 * (j / 2))), 0);
    /**
     * The same for {@link #quarterGrad}: lane j covers window (j mod L/2)/2 of a window row's Q, whose codes fill
     * bits [0, 2Q); QCODE is the code of lane j's own input ((j < L/2 ? 0 : 2) + (j & 1): its row, its column's
     * parity) moved up to that window's field.
     */
    private static final IntVector QFIELD = IntVector.fromArray(I, intLanes(j -> 3 << (2 * ((j % (L / 2)) / 2))), 0);
    private static final IntVector QCODE = IntVector.fromArray(I, intLanes(j ->
            ((j < L / 2 ? 0 : 2) + (j & 1)) << (2 * ((j % (L / 2)) / 2))), 0);

    private BatchNormPoolGrad() {}

    /**
     * One plane of dL/d(batch-norm output) into g[go, go + H*W): at each window's code (y > 0 ? dy : 0), +0 elsewhere.
     * The same row split as {@link BatchNormPoolRows#forwardPlane}.
     *
     * @param dy     the pooled gradient; y the pooled output (its sign is the ReLU's mask), both from yoff
     * @param codes  the packed codes of this plane, words from {@code base}
     */
    static void gradPlane(float[] g, int go, float[] dy, float[] y, int yoff, int[] codes, int base, int h,
                          int w) {
        int ho = h / 2;
        int wo = w / 2;
        int oh = 0;
        if (2 * w == L) {
            quarterGrad(g, go, dy, y, yoff, codes, base, ho);
            oh = ho;
        }
        // One gradChunk call site for both row layouts, so that C2 expands its vector code once in this method's
        // compile. With a call site per layout the compile reached C2's node cutoff (NodeCountInliningCutoff) in 5
        // of 8 JVMs, and in about 1 in 28 on AVX2 it left a blend boxed for the JVM's life (bench/RESULTS.md,
        // session 37).
        boolean pairs = 2 * wo == L;              // rows of L/2 windows: two window rows per chunk
        while (oh < ho) {
            int rows = pairs && oh + 2 <= ho ? 2 : 1;
            int half = rows == 2 ? 2 * w : L;     // where a chunk's second L/2 windows start, from its first
            int span = rows == 2 ? L : wo;        // windows the pass covers (a single row of L/2 runs scalar)
            int top = go + 2 * oh * w;
            int o = yoff + oh * wo;
            int kw = oh * wo;                     // plane window index of the pass's first window
            int ow = 0;
            for (; ow + L <= span; ow += L) {
                int k = top + 2 * ow;
                gradChunk(g, k, k + half, w, dy, y, o + ow, Codes.get(codes, base, kw + ow, L));
            }
            for (; ow < span; ow++) {
                int code = Codes.get(codes, base, kw + ow, 1);
                int k = top + 2 * ow;
                g[k] = 0f;
                g[k + 1] = 0f;
                g[k + w] = 0f;
                g[k + w + 1] = 0f;
                g[k + (code >>> 1) * w + (code & 1)] = y[o + ow] > 0f ? dy[o + ow] : 0f;
            }
            if ((w & 1) != 0) {                   // the dropped last column of the pass's 2 or 4 input rows
                for (int r = 1; r <= 2 * rows; r++) {
                    g[top + r * w - 1] = 0f;
                }
            }
            oh += rows;
        }
        if ((h & 1) != 0) {                       // the dropped last row
            Arrays.fill(g, go + (h - 1) * w, go + h * w, 0f);
        }
    }

    /**
     * {@link #gradPlane} for a plane of width L/2 ({@link BatchNormPoolRows#quarterPlane}'s layout): per group of
     * four window rows, the pooled gradient of its windows in one vector and their codes in one word, each window
     * row's two input rows written as one vector (SPREAD0..3 bring each window to its four inputs' lanes; QFIELD
     * and QCODE test each lane's code).
     */
    private static void quarterGrad(float[] g, int go, float[] dy, float[] y, int yoff, int[] codes, int base, int ho) {
        for (int oh = 0; oh < ho; oh += 4) {
            int rows = Math.min(4, ho - oh);
            int o = yoff + oh * Q;
            int count = rows * Q;
            int bits = Codes.get(codes, base, oh * Q, count);
            if (o + L > y.length) {   // the tensor's last windows: a whole vector would stick out of y
                quarterGradScalar(g, go, dy, y, o, bits, oh, rows);
                continue;
            }
            // lanes past count are the next plane's windows: loaded, never spread (row k spreads windows kQ..)
            IntVector gv = (IntVector) ZERO.blend(FloatVector.fromArray(F, dy, o),
                    FloatVector.fromArray(F, y, o).compare(VectorOperators.GT, 0f)).reinterpretAsInts();
            int at = go + oh * L;
            // row k: its windows spread to their inputs' lanes, kept where lane j's code (bits [2Qk, 2Qk + 2Q) of
            // the group's word) names lane j's input; written out, not a loop (see SPREAD0)
            ((FloatVector) ZERO_I.blend(gv.rearrange(SPREAD0), IntVector.broadcast(I, bits).and(QFIELD)
                    .compare(VectorOperators.EQ, QCODE)).reinterpretAsFloats()).intoArray(g, at);
            if (rows > 1) {
                ((FloatVector) ZERO_I.blend(gv.rearrange(SPREAD1), IntVector.broadcast(I, bits >>> (2 * Q)).and(QFIELD)
                        .compare(VectorOperators.EQ, QCODE)).reinterpretAsFloats()).intoArray(g, at + L);
            }
            if (rows > 2) {
                ((FloatVector) ZERO_I.blend(gv.rearrange(SPREAD2), IntVector.broadcast(I, bits >>> (4 * Q)).and(QFIELD)
                        .compare(VectorOperators.EQ, QCODE)).reinterpretAsFloats()).intoArray(g, at + 2 * L);
            }
            if (rows > 3) {
                ((FloatVector) ZERO_I.blend(gv.rearrange(SPREAD3), IntVector.broadcast(I, bits >>> (6 * Q)).and(QFIELD)
                        .compare(VectorOperators.EQ, QCODE)).reinterpretAsFloats()).intoArray(g, at + 3 * L);
            }
        }
    }

    /**
     * {@link #quarterGrad}'s group of window rows oh .. oh+rows-1 one input at a time (the values its vectors
     * write): called outside the vector loop with scalar arguments, so that the rare case does not change C2's
     * code for the common one.
     */
    private static void quarterGradScalar(float[] g, int go, float[] dy, float[] y, int o, int bits, int oh, int rows) {
        for (int k = 0; k < rows; k++) {
            for (int l = 0; l < L; l++) {
                int win = k * Q + (l % (L / 2)) / 2;
                int code = (bits >>> (2 * win)) & 3;
                int own = (l < L / 2 ? 0 : 2) + (l & 1);
                g[go + (oh + k) * L + l] = code == own && y[o + win] > 0f ? dy[o + win] : 0f;
            }
        }
    }

    /**
     * The gradient of L windows (as {@link BatchNormPoolRows#forwardChunk}: L/2 with top-left at g[k0], L/2 at
     * g[k1]) from the pooled gradient and output at [o, o + L) and their codes: every element of their 4L inputs
     * written.
     */
    private static void gradChunk(float[] g, int k0, int k1, int w, float[] dy, float[] y, int o, int bits) {
        FloatVector yv = FloatVector.fromArray(F, y, o);
        IntVector gv = (IntVector) ZERO.blend(FloatVector.fromArray(F, dy, o), yv.compare(VectorOperators.GT, 0f))
                .reinterpretAsInts();
        // the first L/2 windows' codes are bits [0, L) of bits, the other L/2's bits [L, 2L)
        IntVector lo = IntVector.broadcast(I, bits).and(FIELD);
        IntVector hi = IntVector.broadcast(I, bits >>> L).and(FIELD);
        IntVector ge = gv.rearrange(EXPAND_LO);
        ((FloatVector) ZERO_I.blend(ge, lo.compare(VectorOperators.EQ, TOP)).reinterpretAsFloats()).intoArray(g, k0);
        ((FloatVector) ZERO_I.blend(ge, lo.compare(VectorOperators.EQ, BOTTOM)).reinterpretAsFloats())
                .intoArray(g, k0 + w);
        ge = gv.rearrange(EXPAND_HI);
        ((FloatVector) ZERO_I.blend(ge, hi.compare(VectorOperators.EQ, TOP)).reinterpretAsFloats()).intoArray(g, k1);
        ((FloatVector) ZERO_I.blend(ge, hi.compare(VectorOperators.EQ, BOTTOM)).reinterpretAsFloats())
                .intoArray(g, k1 + w);
    }


    /** SPREAD_k: lane j takes window kQ + (j mod L/2)/2. */
    private static VectorShuffle<Integer> spread(int k) {
        return VectorShuffle.fromOp(I, j -> k * Q + (j % (L / 2)) / 2);
    }
}
