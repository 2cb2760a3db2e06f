package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.ColdStart;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row kernels of {@link BatchNormPoolCpu}: one output row of 2x2 windows at a time, L windows per step.
 *
 * <p>Forward ({@link #forwardPlane}) reads the two input rows of a window row straight from x, normalises and
 * rectifies them in registers ({@code max(fma((x - m) - mLo, scale, b), 0)}, the very expressions of
 * BatchNormCpu.normalise and ReluCpu.forward), pools them with MaxPoolCpu's comparison order (the two columns of
 * the top row, the two of the bottom row, bottom against top; strictly greater or NaN replaces) and stores the
 * pooled value and the window's 2-bit code (0 top left, 1 top right, 2 bottom left, 3 bottom right). Nothing
 * plane-sized is written: the normalised plane never exists. The codes ride through the same selects as the
 * values (as float lanes, or int lanes where the values' bits are selected as ints), are moved to their bit
 * position and OR-reduced into one packed word (OR is exact and order-free, so the reduction's unspecified lane
 * order cannot change a bit). Chunks whose inputs are all finite (all of them in a healthy network) pool first
 * and rectify the pooled values, with the same results and no VectorMask ({@link #forwardChunk}).
 *
 * <p>The backward is {@link BatchNormPoolGrad}, which reads the same packed codes.
 *
 * <p>Rows of exactly L/2 windows run two window rows per vector, rows of L/4 windows (W = L/2) one window row
 * per vector. Windows that do not fill a vector (the row tail, other narrow rows) run scalar code with the same
 * comparisons, branch-free. Packed
 * codes: window k of a plane is bits [2(k mod 16), +2) of the plane's word k / 16 ({@link Codes}).
 */
final class BatchNormPoolRows {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    @SuppressWarnings("unchecked")
    private static final VectorSpecies<Integer> I = (VectorSpecies<Integer>) F.withLanes(int.class);
    /** Lane j takes lane j^1: each even lane sees its right neighbour. */
    private static final VectorShuffle<Float> SWAP = VectorShuffle.fromOp(F, j -> j ^ 1);
    /** Lane j takes lane 2j mod L: even lanes packed into the low half (and again into the high half). */
    private static final VectorShuffle<Float> PACK = VectorShuffle.fromOp(F, j -> (2 * j) % L);
    /** Lane j takes lane j ^ L/2: the top half sees the bottom half (and the other way round). */
    private static final VectorShuffle<Float> HALF = VectorShuffle.fromOp(F, j -> j ^ (L / 2));
    /** Q = L/4 windows per row in {@link #quarterPlane}: row k of a group of 4 lands in lanes [kQ, kQ + Q). */
    static final int Q = L / 4;
    /*
     * The quarter forward places window row k of a group of four in lanes [kQ, kQ + Q) by rotating, with one
     * constant shuffle and one constant mask (the backward: one constant shuffle per k, BatchNormPoolGrad's
     * SPREAD0..3), not with a shuffle and a mask per k taken from arrays: C2 intrinsifies a Vector API call only
     * when it knows the exact classes of its shuffle and mask, which a constant tells it and an array element does
     * not. (What measurably
     * boxed quarterPlane, 2.3 MB a call, was its accumulators' start: see there. With the constants alone it still
     * allocated as much; session 26.)
     */
    /** Lane j takes lane 2 (j mod Q): a row's Q windows (top half, even lanes) in every quarter. */
    private static final VectorShuffle<Float> GATHER = VectorShuffle.fromOp(F, j -> 2 * (j % Q));
    /** Lane j takes lane j - Q (lanes [0, Q) take the top quarter, whose lanes are replaced): one row up. */
    private static final VectorShuffle<Float> UP = VectorShuffle.fromOp(F, j -> Math.floorMod(j - Q, L));
    /** Lanes [0, Q). */
    private static final VectorMask<Float> FIRST_QUARTER = VectorMask.fromLong(F, (1L << Q) - 1);
    /** Lane j: the code of a row's left input in lane j's row (0 top, 2 bottom), and that plus 1 (its right). */
    private static final FloatVector ROW_LEFT =
            FloatVector.fromArray(F, lanes(j -> Float.intBitsToFloat(j < L / 2 ? 0 : 2)), 0);
    private static final FloatVector ROW_RIGHT =
            FloatVector.fromArray(F, lanes(j -> Float.intBitsToFloat(j < L / 2 ? 1 : 3)), 0);
    /** Lanes [L/2, L). */
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(F, -1L << (L / 2));
    /** {@link #PACK} on int lanes, and {@link #HIGH} as a bitwise-blend selector (all ones in lanes [L/2, L)). */
    private static final VectorShuffle<Integer> PACK_I = VectorShuffle.fromOp(I, j -> (2 * j) % L);
    private static final IntVector HIGH_I = IntVector.fromArray(I, intLanes(j -> j < L / 2 ? 0 : -1), 0);
    private static final FloatVector ZERO = FloatVector.zero(F);
    /*
     * The exact and the quarter forward's codes ride in float lanes as the floats whose bits are the ints 0..3 (+0
     * and three subnormals): blends only move bits, and reinterpreting the lanes as ints gives the codes with no
     * conversion (JDK 17's C2 does not intrinsify FloatVector.convert(F2I) or I2F at 512 bits: it boxes every
     * vector). The backward ({@link BatchNormPoolGrad}) works on int lanes.
     */
    private static final FloatVector ONE = FloatVector.broadcast(F, Float.intBitsToFloat(1));
    private static final FloatVector TWO = FloatVector.broadcast(F, Float.intBitsToFloat(2));
    private static final FloatVector THREE = FloatVector.broadcast(F, Float.intBitsToFloat(3));
    /*
     * No shift by a vector of counts anywhere in these kernels. JDK 17 implements IntVector.lanewise(LSHL or LSHR,
     * vector) by calling lanewise again inside itself (it masks the counts first), and C2 refuses to inline a method
     * already on its inlining stack when a big caller forces it to inline late: "recursive inlining is too deep"
     * (JFR's jdk.CompilerInlining). That one call boxed every vector of the backward's gradPlane (BatchNormPoolGrad),
     * 44 MB a training step at batch 32, in about one JVM in ten, for the JVM's life: it hit when C2 compiled
     * gradPlane before gradChunk's type profile existed (gradChunk compiled at tier 2) and inlined gradChunk at both
     * call sites (bench/RESULTS.md, session 31). So the forward places window j's code at bits [2j, 2j + 2) by a
     * multiply by 4^j, and the backward never moves codes down to the low bits: it ANDs out each lane's window field
     * and compares it with the wanted code moved up to that field.
     */
    /** Lane j: 4^j, which moves window j's code (0..3) to bits [2j, 2j + 2): the same bits as a shift by 2j. */
    private static final IntVector POW4 = IntVector.fromArray(I, intLanes(j -> 1 << (2 * j)), 0);

    static {
        if (L > 16) {
            throw new AssertionError("a vector of L windows must fit one 32-bit word of codes, L = " + L);
        }
    }

    private BatchNormPoolRows() {}

    /**
     * One (n, c) plane forward: y[yoff, yoff + HO*WO) = maxpool(relu(fma((x - m) - mLo, scale, b))) over the
     * plane x[xoff, xoff + H*W), its codes to {@code codes} (started on the plane's first word by the caller).
     * Rows of at least L windows run L at a time from one window row; rows of exactly L/2 windows (W = 16 at 16
     * lanes: conv4's output) run two window rows per step; rows of exactly L/4 windows (W = L/2 = 8: conv5's
     * output) run one window row per vector ({@link #quarterPlane}); the other windows (odd or other narrow
     * widths, the tails of wide rows) are scalar.
     */
    static void forwardPlane(float[] y, int yoff, Codes codes, float[] x, int xoff, int h, int w, float m,
                             float mLo, float scale, float b) {
        int ho = h / 2;
        int wo = w / 2;
        if (COLD.scalar((long) h * w)) {
            forwardPlaneScalar(y, yoff, codes, x, xoff, ho, wo, w, m, mLo, scale, b);
            return;
        }
        if (2 * w == L) {
            quarterPlane(y, yoff, codes, x, xoff, ho, m, mLo, scale, b);
            return;
        }
        int oh = 0;
        if (2 * wo == L) {
            for (; oh + 2 <= ho; oh += 2) {
                int top = xoff + 2 * oh * w;
                codes.put(forwardChunk(y, yoff + oh * wo, x, top, top + 2 * w, w, m, mLo, scale, b), L);
            }
        }
        for (; oh < ho; oh++) {
            int top = xoff + 2 * oh * w;          // x index of the window row's top-left input
            int o = yoff + oh * wo;
            int ow = 0;
            for (; ow + L <= wo; ow += L) {
                int k = top + 2 * ow;
                codes.put(forwardChunk(y, o + ow, x, k, k + L, w, m, mLo, scale, b), L);
            }
            windows(y, o, codes, x, top, ow, wo, w, m, mLo, scale, b);
        }
    }

    /**
     * Windows [ow, wo) of a window row one by one ({@link #forwardWindow}): the row's top-left input at x[top], its
     * first output at y[o]; their codes to {@code codes}, 16 a word.
     */
    private static void windows(float[] y, int o, Codes codes, float[] x, int top, int ow, int wo, int w, float m,
                                float mLo, float scale, float b) {
        int bits = 0;
        int count = 0;
        for (; ow < wo; ow++) {
            bits |= forwardWindow(y, o + ow, x, top + 2 * ow, w, m, mLo, scale, b) << (2 * count);
            if (++count == 16) {
                codes.put(bits, 16);
                bits = 0;
                count = 0;
            }
        }
        if (count > 0) {
            codes.put(bits, count);
        }
    }

    /**
     * Input elements whose planes a JVM computes with {@link #forwardPlaneScalar} first ({@link ColdStart}): 5 M, about
     * the pooled blocks of a 30 s file's 12 slices (4.9 M).
     */
    private static final ColdStart COLD = new ColdStart(5L << 20);

    /**
     * {@link #forwardPlane} window by window in scalar code ({@link ColdStart}): {@link #forwardWindow}, which gives the
     * vector paths' values and codes (their scalar tails already mix it with them in one plane).
     */
    private static void forwardPlaneScalar(float[] y, int yoff, Codes codes, float[] x, int xoff, int ho, int wo, int w,
                                           float m, float mLo, float scale, float b) {
        for (int oh = 0; oh < ho; oh++) {
            windows(y, yoff + oh * wo, codes, x, xoff + 2 * oh * w, 0, wo, w, m, mLo, scale, b);
        }
    }

    /**
     * A plane of width L/2 (conv5's output at 16 lanes: H = 6, W = 8): the two input rows of window row oh are the
     * L contiguous floats at x[xoff + oh*L], one vector. Left against right in both rows at once (SWAP), then
     * bottom against top (HALF): the top half's even lanes hold the row's Q = L/4 windows, which four window rows
     * gather into one vector of L windows (GATHER, UP, FIRST_QUARTER), stored whole or, for the plane's last group,
     * only its windows (a plane's windows are contiguous in y, the next plane may belong to another task). Same
     * comparisons, same order, same values as {@link #forwardChunk}.
     */
    private static void quarterPlane(float[] y, int yoff, Codes codes, float[] x, int xoff, int ho, float m,
                                     float mLo, float scale, float b) {
        for (int oh = 0; oh < ho; oh += 4) {
            int rows = Math.min(4, ho - oh);
            // Zeros from FloatVector.zero, not the ZERO constant: a static final vector is an object, and a loop
            // variable that starts as one made C2 box every value it took (2.3 MB allocated per forward call at
            // conv5's shape, session 26).
            FloatVector acc = FloatVector.zero(F);
            FloatVector cacc = FloatVector.zero(F);
            for (int k = rows - 1; k >= 0; k--) {      // last row first: each earlier row pushes it up a quarter
                FloatVector v = nr(x, xoff + (oh + k) * L, m, mLo, scale, b);
                FloatVector r = v.rearrange(SWAP);
                VectorMask<Float> gt = r.compare(VectorOperators.GT, v);
                VectorMask<Float> nan = r.compare(VectorOperators.NE, r);
                v = v.blend(r, gt).blend(r, nan);
                FloatVector c = ROW_LEFT.blend(ROW_RIGHT, gt).blend(ROW_RIGHT, nan);
                r = v.rearrange(HALF);
                FloatVector cr = c.rearrange(HALF);
                gt = r.compare(VectorOperators.GT, v);
                nan = r.compare(VectorOperators.NE, r);
                v = v.blend(r, gt).blend(r, nan);
                c = c.blend(cr, gt).blend(cr, nan);
                acc = acc.rearrange(UP).blend(v.rearrange(GATHER), FIRST_QUARTER);
                cacc = cacc.rearrange(UP).blend(c.rearrange(GATHER), FIRST_QUARTER);
            }
            int o = yoff + oh * Q;
            int count = rows * Q;
            if (count == L) {
                acc.intoArray(y, o);
            } else {   // JDK 17 stores a masked vector lane by lane through a lambda (boxed): a copy is cheaper
                acc.intoArray(codes.lanes, 0);
                System.arraycopy(codes.lanes, 0, y, o, count);
            }
            IntVector ci = (IntVector) cacc.reinterpretAsInts();
            codes.put(ci.mul(POW4).reduceLanes(VectorOperators.OR), count);
        }
    }

    /**
     * L windows: L/2 whose top-left inputs start at x[k0] (columns k0 .. k0+L-1 of one input row pair) and L/2
     * at x[k1]; stores their maxima at y[o, o + L) and returns their codes, window j in bits [2j, 2j + 2).
     *
     * <p>Each half holds its windows in the even lanes: left vs right in the top row, in the bottom row, then
     * bottom vs top; the code (0..3, as float lanes) follows the value through the same blends. This is the
     * general form, NaNs included; {@link #forwardChunk} takes it only for chunks with a NaN.
     */
    private static int forwardChunkExact(float[] y, int o, float[] x, int k0, int k1, int w, float m, float mLo,
                                         float scale, float b) {
        FloatVector v0 = nr(x, k0, m, mLo, scale, b);                 // top row of the first L/2 windows
        FloatVector b0 = nr(x, k0 + w, m, mLo, scale, b);             // their bottom row
        FloatVector v1 = nr(x, k1, m, mLo, scale, b);
        FloatVector b1 = nr(x, k1 + w, m, mLo, scale, b);
        FloatVector r = v0.rearrange(SWAP);
        VectorMask<Float> gt = r.compare(VectorOperators.GT, v0);
        VectorMask<Float> nan = r.compare(VectorOperators.NE, r);
        v0 = v0.blend(r, gt).blend(r, nan);
        FloatVector c0 = ZERO.blend(ONE, gt).blend(ONE, nan);
        r = b0.rearrange(SWAP);
        gt = r.compare(VectorOperators.GT, b0);
        nan = r.compare(VectorOperators.NE, r);
        b0 = b0.blend(r, gt).blend(r, nan);
        FloatVector cb0 = TWO.blend(THREE, gt).blend(THREE, nan);
        gt = b0.compare(VectorOperators.GT, v0);
        nan = b0.compare(VectorOperators.NE, b0);
        v0 = v0.blend(b0, gt).blend(b0, nan);
        c0 = c0.blend(cb0, gt).blend(cb0, nan);

        r = v1.rearrange(SWAP);
        gt = r.compare(VectorOperators.GT, v1);
        nan = r.compare(VectorOperators.NE, r);
        v1 = v1.blend(r, gt).blend(r, nan);
        FloatVector c1 = ZERO.blend(ONE, gt).blend(ONE, nan);
        r = b1.rearrange(SWAP);
        gt = r.compare(VectorOperators.GT, b1);
        nan = r.compare(VectorOperators.NE, r);
        b1 = b1.blend(r, gt).blend(r, nan);
        FloatVector cb1 = TWO.blend(THREE, gt).blend(THREE, nan);
        gt = b1.compare(VectorOperators.GT, v1);
        nan = b1.compare(VectorOperators.NE, b1);
        v1 = v1.blend(b1, gt).blend(b1, nan);
        c1 = c1.blend(cb1, gt).blend(cb1, nan);

        v0.rearrange(PACK).blend(v1.rearrange(PACK), HIGH).intoArray(y, o);
        FloatVector cv = c0.rearrange(PACK).blend(c1.rearrange(PACK), HIGH);
        IntVector ci = (IntVector) cv.reinterpretAsInts();
        return ci.mul(POW4).reduceLanes(VectorOperators.OR);
    }

    /**
     * {@link #forwardChunkExact}'s windows, its results, faster: when none of the 4L batch-norm outputs is NaN
     * ({@link #forwardChunkMasks}) or all are finite ({@link #forwardChunkBits}), it pools before the ReLU: with no
     * NaN, "greater or NaN replaces" is just "greater", and relu(max) = max(relu): ReLU is monotone, a window whose
     * maximum is positive has the same winner before and after it (inputs it zeroes lose either way, ties among
     * positives compare the same values in the same order), and a window whose maximum is at most 0 becomes four
     * +0s after it, so MaxPoolCpu keeps the top left: code 0. So the pooled value is zeroed and its code set to 0
     * where it is not positive (which also turns a -0 maximum into +0, as MAX(-0, 0) does). One ReLU per window
     * instead of four. (The fast path is inline here, the rare one a call with scalar arguments: a call taking
     * vectors that C2 does not inline boxes them.)
     */
    private static int forwardChunk(float[] y, int o, float[] x, int k0, int k1, int w, float m, float mLo,
                                    float scale, float b) {
        return BITWISE ? forwardChunkBits(y, o, x, k0, k1, w, m, mLo, scale, b)
                : forwardChunkMasks(y, o, x, k0, k1, w, m, mLo, scale, b);
    }

    /**
     * Whether {@link #forwardChunk} selects by bits ({@link #forwardChunkBits}): with 16 lanes, i.e. AVX-512, whose
     * mask registers JDK 17 rebuilds before every blend. With 8 lanes (AVX2 has no mask registers: a mask is a vector
     * there) the bitwise version is slower (eval forward, 1 thread, {@code -XX:UseAVX=2}: conv2's shape 1.16-1.20 ->
     * 1.51 ms, conv3's 0.58-0.59 -> 0.71), and it made C2 box the pooled backward in 2 of 4 runs of the tensor tests
     * (0 of 4 without it: the Vector API's call sites are shared by every caller in the JVM, README "Sharing a JVM
     * with other Vector API code"), so AVX2 machines keep {@link #forwardChunkMasks}. A constant: C2 parses only the
     * taken branch.
     */
    static final boolean BITWISE = L == 16;

    /**
     * {@link #forwardChunk} with compares and masked blends (same results): one compare and one blend per stage
     * instead of two of each (no NaN), and one ReLU per window instead of four.
     */
    static int forwardChunkMasks(float[] y, int o, float[] x, int k0, int k1, int w, float m, float mLo,
                                 float scale, float b) {
        FloatVector v0 = norm(x, k0, m, mLo, scale, b);               // top row of the first L/2 windows
        FloatVector b0 = norm(x, k0 + w, m, mLo, scale, b);           // their bottom row
        FloatVector v1 = norm(x, k1, m, mLo, scale, b);
        FloatVector b1 = norm(x, k1 + w, m, mLo, scale, b);
        FloatVector any = v0.add(b0).add(v1).add(b1);   // NaN iff an input is NaN, or +inf meets -inf
        if (any.compare(VectorOperators.NE, any).anyTrue()) {
            return forwardChunkExact(y, o, x, k0, k1, w, m, mLo, scale, b);
        }
        FloatVector r = v0.rearrange(SWAP);
        VectorMask<Float> gt = r.compare(VectorOperators.GT, v0);
        v0 = v0.blend(r, gt);
        FloatVector c0 = ZERO.blend(ONE, gt);
        r = b0.rearrange(SWAP);
        gt = r.compare(VectorOperators.GT, b0);
        b0 = b0.blend(r, gt);
        FloatVector cb0 = TWO.blend(THREE, gt);
        gt = b0.compare(VectorOperators.GT, v0);
        v0 = v0.blend(b0, gt);
        c0 = c0.blend(cb0, gt);

        r = v1.rearrange(SWAP);
        gt = r.compare(VectorOperators.GT, v1);
        v1 = v1.blend(r, gt);
        FloatVector c1 = ZERO.blend(ONE, gt);
        r = b1.rearrange(SWAP);
        gt = r.compare(VectorOperators.GT, b1);
        b1 = b1.blend(r, gt);
        FloatVector cb1 = TWO.blend(THREE, gt);
        gt = b1.compare(VectorOperators.GT, v1);
        v1 = v1.blend(b1, gt);
        c1 = c1.blend(cb1, gt);

        FloatVector yv = v0.rearrange(PACK).blend(v1.rearrange(PACK), HIGH);
        FloatVector cv = c0.rearrange(PACK).blend(c1.rearrange(PACK), HIGH);
        VectorMask<Float> pos = yv.compare(VectorOperators.GT, 0f);
        ZERO.blend(yv, pos).intoArray(y, o);
        IntVector ci = (IntVector) ZERO.blend(cv, pos).reinterpretAsInts();
        return ci.mul(POW4).reduceLanes(VectorOperators.OR);
    }

    /**
     * {@link #forwardChunk} without VectorMask (same results), for 16 lanes ({@link #BITWISE}).
     *
     * <p>No VectorMask: JDK 17's C2 keeps a mask as a vector and turns it back into an AVX-512 mask register before
     * every blend (bench/RESULTS.md, session 35), so the compares and blends were most of this kernel. For finite
     * a and b, "b > a" is the sign bit of a - b, spread over the lane by an arithmetic shift, and each select is a
     * bitwise blend of the lanes' bits under it. The one pair where the two disagree is a = -0, b = +0 (a - b = -0,
     * while -0 > +0 is false): it can only pick a different zero, which does not matter, since a window's code and
     * value survive only where its maximum is positive, and then the positive winner beats every zero either way
     * (BatchNormPoolCpuTest puts such windows in its eval cases). Same bits; JDK 17, 1 thread, hot, the two builds
     * alternating: the training forward at conv2's shape 1.81-1.92 -> 1.54-1.68 ms, conv3's 0.89 -> 0.67-0.79, the
     * eval forward 1.16 -> 0.86-0.91 and 0.55 -> 0.43-0.45; JDK 25 keeps masks in mask registers and gains nothing
     * (bench/RESULTS.md, session 36).
     */
    static int forwardChunkBits(float[] y, int o, float[] x, int k0, int k1, int w, float m, float mLo,
                                float scale, float b) {
        FloatVector v0 = norm(x, k0, m, mLo, scale, b);               // top row of the first L/2 windows
        FloatVector b0 = norm(x, k0 + w, m, mLo, scale, b);           // their bottom row
        FloatVector v1 = norm(x, k1, m, mLo, scale, b);
        FloatVector b1 = norm(x, k1 + w, m, mLo, scale, b);
        FloatVector any = v0.add(b0).add(v1).add(b1);
        FloatVector inf = any.sub(any);                 // NaN iff an input is NaN or infinite (or the sum overflows)
        if (inf.compare(VectorOperators.NE, inf).anyTrue()) {
            return forwardChunkExact(y, o, x, k0, k1, w, m, mLo, scale, b);
        }
        // All finite: "r > v" is the sign of v - r (see the method comment for the one pair where they differ),
        // and each select is a bitwise blend on int lanes under that sign spread over the lane: no VectorMask.
        FloatVector r = v0.rearrange(SWAP);
        IntVector g = (IntVector) v0.sub(r).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
        IntVector t0 = ((IntVector) v0.reinterpretAsInts()).lanewise(VectorOperators.BITWISE_BLEND,
                r.reinterpretAsInts(), g);
        IntVector c0 = g.and(1);
        r = b0.rearrange(SWAP);
        g = (IntVector) b0.sub(r).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
        IntVector u0 = ((IntVector) b0.reinterpretAsInts()).lanewise(VectorOperators.BITWISE_BLEND,
                r.reinterpretAsInts(), g);
        IntVector cb0 = g.and(1).or(2);
        g = (IntVector) t0.reinterpretAsFloats().sub(u0.reinterpretAsFloats()).reinterpretAsInts()
                .lanewise(VectorOperators.ASHR, 31);
        t0 = t0.lanewise(VectorOperators.BITWISE_BLEND, u0, g);
        c0 = c0.lanewise(VectorOperators.BITWISE_BLEND, cb0, g);

        r = v1.rearrange(SWAP);
        g = (IntVector) v1.sub(r).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
        IntVector t1 = ((IntVector) v1.reinterpretAsInts()).lanewise(VectorOperators.BITWISE_BLEND,
                r.reinterpretAsInts(), g);
        IntVector c1 = g.and(1);
        r = b1.rearrange(SWAP);
        g = (IntVector) b1.sub(r).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
        IntVector u1 = ((IntVector) b1.reinterpretAsInts()).lanewise(VectorOperators.BITWISE_BLEND,
                r.reinterpretAsInts(), g);
        IntVector cb1 = g.and(1).or(2);
        g = (IntVector) t1.reinterpretAsFloats().sub(u1.reinterpretAsFloats()).reinterpretAsInts()
                .lanewise(VectorOperators.ASHR, 31);
        t1 = t1.lanewise(VectorOperators.BITWISE_BLEND, u1, g);
        c1 = c1.lanewise(VectorOperators.BITWISE_BLEND, cb1, g);

        IntVector yi = t0.rearrange(PACK_I).lanewise(VectorOperators.BITWISE_BLEND, t1.rearrange(PACK_I), HIGH_I);
        IntVector ci = c0.rearrange(PACK_I).lanewise(VectorOperators.BITWISE_BLEND, c1.rearrange(PACK_I), HIGH_I);
        // positive maxima kept, the rest +0 with code 0: yv > 0 is the sign of 0 - yv (+0 for yv = +-0)
        IntVector pos = (IntVector) ZERO.sub(yi.reinterpretAsFloats()).reinterpretAsInts()
                .lanewise(VectorOperators.ASHR, 31);
        yi.and(pos).reinterpretAsFloats().intoArray(y, o);
        ci = ci.and(pos);
        return ci.mul(POW4).reduceLanes(VectorOperators.OR);
    }

    /**
     * One window with its top-left input at x[k]: stores the maximum at y[o], returns the code. Branch-free
     * like MaxPoolCpu's scalar window (random data would mispredict "if (v > best)" half of the time): the values
     * are selected as their int bits, which C2 compiles to conditional moves (a float select becomes a branch).
     */
    private static int forwardWindow(float[] y, int o, float[] x, int k, int w, float m, float mLo, float scale,
                                     float b) {
        int tl = Float.floatToRawIntBits(nr(x[k], m, mLo, scale, b));      // selects on the bits are int cmovs
        int tr = Float.floatToRawIntBits(nr(x[k + 1], m, mLo, scale, b));
        int bl = Float.floatToRawIntBits(nr(x[k + w], m, mLo, scale, b));
        int br = Float.floatToRawIntBits(nr(x[k + w + 1], m, mLo, scale, b));
        float l = Float.intBitsToFloat(tl);
        float r = Float.intBitsToFloat(tr);
        boolean right = (r > l) | (r != r);
        int tv = right ? tr : tl;
        l = Float.intBitsToFloat(bl);
        r = Float.intBitsToFloat(br);
        boolean rightB = (r > l) | (r != r);
        int bv = rightB ? br : bl;
        float t = Float.intBitsToFloat(tv);
        float d = Float.intBitsToFloat(bv);
        boolean down = (d > t) | (d != d);
        y[o] = Float.intBitsToFloat(down ? bv : tv);
        int code = down ? (rightB ? 3 : 2) : (right ? 1 : 0);
        return code;
    }

    /** relu(batch norm) of L inputs at x[i]: BatchNormCpu.normalise's vector expression, then ReluCpu's MAX. */
    private static FloatVector nr(float[] x, int i, float m, float mLo, float scale, float b) {
        return norm(x, i, m, mLo, scale, b).lanewise(VectorOperators.MAX, 0f);
    }

    /** batch norm of L inputs at x[i]: BatchNormCpu.normalise's vector expression. */
    private static FloatVector norm(float[] x, int i, float m, float mLo, float scale, float b) {
        return FloatVector.fromArray(F, x, i).sub(m).sub(mLo).fma(scale, b);
    }

    /** The scalar form of {@link #nr(float[], int, float, float, float, float)}: the same bits. */
    private static float nr(float v, float m, float mLo, float scale, float b) {
        return Math.max(Math.fma((v - m) - mLo, scale, b), 0f);
    }

    /**
     * Writes one plane's 2-bit window codes in window order, 16 per int, each plane starting a new int; every
     * word of the plane is stored whole (bits past the plane's last window are 0), so no fill is needed first.
     */
    static final class Codes {
        private int[] out;
        private int base;
        private int k;          // windows written so far in this plane
        private int acc;        // the open word's bits
        /** A vector's worth of scratch for {@link #quarterPlane}'s partial stores (one Codes per task). */
        final float[] lanes = new float[L];

        /** Start a plane whose first word is out[base]. */
        void start(int[] out, int base) {
            this.out = out;
            this.base = base;
            k = 0;
            acc = 0;
        }

        /** The next {@code count} (1..16) windows' codes, window i of them in bits [2i, 2i + 2) of {@code bits}. */
        void put(int bits, int count) {
            int at = k & 15;
            long v = (acc & 0xffffffffL) | ((bits & 0xffffffffL) << (2 * at));
            if (at + count >= 16) {               // the open word is full (at most one: at + count <= 31)
                out[base + (k >>> 4)] = (int) v;
                acc = (int) (v >>> 32);
            } else {
                acc = (int) v;
            }
            k += count;
        }

        /** Store the open word if the plane ended inside it. */
        void finish() {
            if ((k & 15) != 0) {
                out[base + (k >>> 4)] = acc;
            }
        }

        /** {@code count} (1..16) codes from window k of the plane whose words start at codes[base]. */
        static int get(int[] codes, int base, int k, int count) {
            int at = k & 15;
            int word = base + (k >>> 4);
            long v = codes[word] & 0xffffffffL;
            if (at + count > 16) {
                v |= (codes[word + 1] & 0xffffffffL) << 32;
            }
            v >>>= 2 * at;
            return count == 16 ? (int) v : (int) v & ((1 << (2 * count)) - 1);
        }
    }

    private static float[] lanes(java.util.function.IntFunction<Float> f) {
        float[] a = new float[L];
        for (int j = 0; j < L; j++) {
            a[j] = f.apply(j);
        }
        return a;
    }

    /** Lane j's value f(j), for int-lane constants (BatchNormPoolGrad's too). */
    static int[] intLanes(java.util.function.IntUnaryOperator f) {
        int[] a = new int[L];
        for (int j = 0; j < L; j++) {
            a[j] = f.applyAsInt(j);
        }
        return a;
    }
}
