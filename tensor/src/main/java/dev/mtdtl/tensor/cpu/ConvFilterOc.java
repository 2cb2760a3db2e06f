package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Filter and bias gradients of a 5 x 5 convolution with few input channels (conv1 of the base CNN: 2 input
 * channels, 16 output channels, row stride 2) with the vector lanes along the output channels:
 * dw[o, ci, u, v] += sum_{b,i,j} dy[b, o, i, j] xpad[b, ci, i*SH + u, j + v] and db[o] += sum_{b,i,j} dy[b, o, i, j].
 *
 * <p>Why: {@link ConvFilter} vectorises along the output columns, so both operands of every FMA are vectors:
 * its 8 x 3 tile loads 8 dy vectors and 3 shifted input vectors (11 loads, 704 bytes, each split over two cache
 * lines) per 24 FMAs and ran conv1 at ~37 % of this core's FMA peak, and {@link ConvFilterCl}'s lanes along the
 * input channels need 16 of them (conv1 has 2). Here one dy vector holds the 16 output channels of one position,
 * from a channel-last copy of one output row of dy (WO, 16), and meets the 25 input scalars of that position's
 * 5 x 5 window, broadcast: 1 vector load and 25 scalar loads per 25 FMAs, no split loads, and the 26th accumulator
 * (the dy vectors' sum) is the bias gradient at one add per position. The copy costs a transpose of dy (16 x 16
 * blocks in registers, {@link Transpose16}); dy is read once from memory either way.
 *
 * <p>Work: image by image ({@link ConvImages}), x's image is padded into a workspace slot, then one task per
 * (image, vector of 16 output channels) walks the image's output rows: it transposes a row of dy into its own
 * 8 KB row buffer and runs the row for every input channel while the buffer is in L1. Transposing a whole batch
 * block first instead wrote 28 MB at batch 32 and read it back from memory, in a parallel loop of its own
 * (bench/RESULTS.md, session 28). Each of the 26 accumulators (tap (u, v) or the bias, lane o)
 * runs one float FMA (or add) chain from zero over an output row's positions ({@link #row}); the row sums are
 * added in row order onto the image's sums, and those, after the batch, in image order onto the running sums;
 * finally dw (and db, from input channel 0's sums) += running sums. The order depends on the shape only: bits are
 * the same for any thread count (ConvFilterOcTest), not those of {@link ConvFilter} (whose 16 lane chains each run
 * over B*HO*WO/16 products) nor of {@link Conv2dCpu}'s separate bias sum (float per image plane, double across
 * images); values are checked against the double reference and the PyTorch fixture conv2d_a_5x5_s2x1, which takes
 * this path (Conv2dCpuTest).
 *
 * <p>Letters: B batch, C input channels, OC output channels (a multiple of 16), HP = H + 2PH padded rows of
 * {@link #PITCH} floats (at least W + 2PW), P = HO*WO positions per image.
 */
final class ConvFilterOc {

    private static final VectorSpecies<Float> S = Gemm.S;
    private static final int VL = Gemm.VL;
    /** Kernel rows and columns of the only kernel this takes. */
    static final int K = 5;
    /** Accumulators per chunk: the 25 taps, then the bias. */
    static final int ACC = K * K + 1;
    /**
     * Row pitch of the padded input images, a compile-time constant: conv1's padded width (128 mel bands + 2 x 2).
     * Why a constant: with the pitch a parameter, C2 keeps the five input rows' 64-bit start indices on the stack
     * and reloads and extends them in every iteration of {@link #row} (about 33 integer instructions per 25
     * FMAs); with it a constant, the 25 taps' offsets become displacements of one index. The row kernel alone,
     * hot in L1, in one JVM alternating the two: 147-152 -> 186-194 GFLOP/s (bench/RESULTS.md, session 30).
     * Narrower inputs are padded out to it (the kernel never reads past column W + 2PW - 1); wider ones take
     * {@link ConvFilter}.
     */
    static final int PITCH = 132;

    private ConvFilterOc() {}

    /**
     * Whether this kernel takes g: 16-lane vectors (26 accumulators, a dy vector and a broadcast need 28 of
     * AVX-512's 32 registers) or 8-lane ones (AVX2's 16 registers: the row in two halves of 13 accumulators,
     * {@link #rowLo} and {@link #rowHi}, on JDK 17-20, in four passes of at most 7, {@link ConvFilterOcRows}, on JDK
     * 21+, where C2 loads every broadcast of a position ahead: the same sums either way), whole vectors of output
     * channels, unit column stride, a 5 x 5 kernel, an input that {@link ConvFilterCl} does not take (input channels
     * not in whole vectors), and padded rows of at most {@link #PITCH} floats.
     */
    static boolean applies(ConvGeom g) {
        return (VL == 16 || VL == 8) && g.oc() % VL == 0 && g.sw() == 1 && g.kh() == K
                && g.kw() == K && !ConvFilterCl.applies(g) && g.w() + 2 * g.pw() <= PITCH;
    }

    /** Floats of one image's padded input (C, HP, PITCH). */
    private static int paddedImage(ConvGeom g) {
        return g.c() * (g.h() + 2 * g.ph()) * PITCH;
    }

    /**
     * Workspace floats: {@link ConvImages#slots} padded images; per slot and output-channel vector a row buffer
     * (WO, VL) and a row's sums; the image sums per (image, output-channel vector, input channel); the running sums
     * per (output-channel vector, input channel).
     */
    static long workspaceFloats(ConvGeom g) {
        long sums = ACC * VL, nOv = g.oc() / VL;
        return ConvImages.slots(g.n()) * (paddedImage(g) + nOv * (g.wo() * (long) VL + sums))
                + g.n() * nOv * g.c() * sums + nOv * g.c() * sums;
    }

    /**
     * dw (OC, C, 5, 5) += filter gradient, db (OC, nullable) += bias gradient of dy (B, OC, HO, WO) and
     * x (B, C, H, W). Image by image ({@link ConvImages}): an image is padded into its slot and, per output-channel
     * vector, its rows run (each row of dy transposed into the slot's row buffer, then read by every input channel
     * from L1) into its image sums; after the batch, the image sums are added onto the running sums in image order,
     * and those onto dw and db. The padded image (232 KB for conv1) is still in the core's L2 when its rows read it,
     * where batch blocks of padded images went out to memory and back; that measured no faster (the row kernel and
     * dy's transposes set the pace), but the workspace is a quarter of the blocks' (bench/RESULTS.md, session 29).
     */
    static void filter(float[] dw, float[] db, float[] dy, float[] x, ConvGeom g, float[] ws) {
        int n = g.n(), c = g.c(), h = g.h(), w = g.w(), hp = h + 2 * g.ph();
        int oc = g.oc(), ho = g.ho(), wo = g.wo(), sh = g.sh(), p = ho * wo;
        int nOv = oc / VL;
        int sums = ACC * VL;
        int img = paddedImage(g);
        int slots = ConvImages.slots(n);
        int rowBufs = slots * img;                         // (slots, nOv) row buffers (WO, VL), then their row sums
        int rowSums = rowBufs + slots * nOv * wo * VL;
        int imgSums = rowSums + slots * nOv * sums;        // (N, nOv, C) image sums
        int run = imgSums + n * nOv * c * sums;            // (nOv, C) running sums
        ConvImages.run(n, (slot, n0, nb) -> {
            ConvDirect.pad(ws, slot * img, x, n0 * c * h * w, nb, c, h, w, g.ph(), g.pw(), hp, PITCH);
            // one task per (image, output-channel vector): each row of dy, transposed, is read from L1 by all
            // input channels
            Parallel.forChunks(nb * nOv, 1, (task, t0, t1) -> {
                int k = task / nOv, b = n0 + k, ov = task % nOv, buf = (slot + k) * nOv + ov;
                int d = rowBufs + buf * wo * VL, rs = rowSums + buf * sums;
                int im = imgSums + (b * nOv + ov) * c * sums;
                Arrays.fill(ws, im, im + c * sums, 0f);
                int src = (b * oc + ov * VL) * p;
                int xb = (slot + k) * img;
                for (int i = 0; i < ho; i++) {
                    transposeRow(ws, d, dy, src + i * wo, wo, p);
                    for (int ci = 0; ci < c; ci++) {
                        int xr = xb + (ci * hp + i * sh) * PITCH;
                        if (VL == 16) {     // constants: C2 keeps one branch
                            row(ws, rs, ws, d, ws, xr, wo);
                        } else if (Gemm.FULL_AVX2_TILES) {
                            rowLo(ws, rs, ws, d, ws, xr, wo);
                            rowHi(ws, rs, ws, d, ws, xr, wo);
                        } else {
                            ConvFilterOcRows.row(ws, rs, ws, d, ws, xr, wo);
                        }
                        addSums(ws, im + ci * sums, rs);
                    }
                }
            });
        });
        Arrays.fill(ws, run, run + nOv * c * sums, 0f);
        for (int b = 0; b < n; b++) {                      // images in order: the same sums for any thread count
            for (int k = 0; k < nOv * c; k++) {
                addSums(ws, run + k * sums, imgSums + (b * nOv * c + k) * sums);
            }
        }
        for (int ov = 0; ov < nOv; ov++) {
            for (int ci = 0; ci < c; ci++) {
                addOnto(dw, ci == 0 ? db : null, ws, run + (ov * c + ci) * sums, ov, ci, c);
            }
        }
    }

    /** dw[ov*VL + l, ci, u, v] += run[(u*5 + v)*VL + l]; db[ov*VL + l] += run[25*VL + l] (db may be null). */
    private static void addOnto(float[] dw, float[] db, float[] ws, int run, int ov, int ci, int c) {
        for (int l = 0; l < VL; l++) {
            int o = ov * VL + l;
            for (int t = 0; t < K * K; t++) {
                dw[(o * c + ci) * K * K + t] += ws[run + t * VL + l];
            }
            if (db != null) {
                db[o] += ws[run + K * K * VL + l];
            }
        }
    }

    /**
     * One output row of one image: out[o, o + 26 VL) = over j in [0, WO), from zero: the dy vector dyT[d + j*VL ..]
     * times the inputs xp[xr + u*PITCH + j + v] (tap (u, v) at (u*5 + v)*VL), and the dy vector itself (the bias, at
     * 25 VL). A plain counted loop with indices linear in j, so C2 drops the bounds checks from its main loop.
     * Why the sums start from zero in every row and go to out, not carried in acc from row to row: loading and
     * storing 26 accumulators here as well (104 vector calls in all) sometimes left C2, depending on what it had
     * compiled before, out of inlining budget, so that the last stores became calls and the vectors were boxed: that
     * JVM's whole step took 30-50 % longer (bench/RESULTS.md, session 26); split into two methods of 16 and 10
     * accumulators it lost its gain (each dy vector loaded twice).
     */
    static void row(float[] out, int o, float[] dyT, int d, float[] xp, int xr, int wo) {
        int r1 = xr + PITCH, r2 = xr + 2 * PITCH, r3 = xr + 3 * PITCH, r4 = xr + 4 * PITCH;
        FloatVector z = FloatVector.zero(S);
        FloatVector s00 = z, s01 = z, s02 = z, s03 = z, s04 = z, s10 = z;
        FloatVector s11 = z, s12 = z, s13 = z, s14 = z, s20 = z, s21 = z;
        FloatVector s22 = z, s23 = z, s24 = z, s30 = z, s31 = z, s32 = z;
        FloatVector s33 = z, s34 = z, s40 = z, s41 = z, s42 = z, s43 = z;
        FloatVector s44 = z, sb = z;
        for (int j = 0; j < wo; j++) {
            FloatVector gv = FloatVector.fromArray(S, dyT, d + j * VL);
            sb = sb.add(gv);
            s00 = gv.fma(FloatVector.broadcast(S, xp[xr + j]), s00);
            s01 = gv.fma(FloatVector.broadcast(S, xp[xr + j + 1]), s01);
            s02 = gv.fma(FloatVector.broadcast(S, xp[xr + j + 2]), s02);
            s03 = gv.fma(FloatVector.broadcast(S, xp[xr + j + 3]), s03);
            s04 = gv.fma(FloatVector.broadcast(S, xp[xr + j + 4]), s04);
            s10 = gv.fma(FloatVector.broadcast(S, xp[r1 + j]), s10);
            s11 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 1]), s11);
            s12 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 2]), s12);
            s13 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 3]), s13);
            s14 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 4]), s14);
            s20 = gv.fma(FloatVector.broadcast(S, xp[r2 + j]), s20);
            s21 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 1]), s21);
            s22 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 2]), s22);
            s23 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 3]), s23);
            s24 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 4]), s24);
            s30 = gv.fma(FloatVector.broadcast(S, xp[r3 + j]), s30);
            s31 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 1]), s31);
            s32 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 2]), s32);
            s33 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 3]), s33);
            s34 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 4]), s34);
            s40 = gv.fma(FloatVector.broadcast(S, xp[r4 + j]), s40);
            s41 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 1]), s41);
            s42 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 2]), s42);
            s43 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 3]), s43);
            s44 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 4]), s44);
        }
        s00.intoArray(out, o);
        s01.intoArray(out, o + VL);
        s02.intoArray(out, o + 2 * VL);
        s03.intoArray(out, o + 3 * VL);
        s04.intoArray(out, o + 4 * VL);
        s10.intoArray(out, o + 5 * VL);
        s11.intoArray(out, o + 6 * VL);
        s12.intoArray(out, o + 7 * VL);
        s13.intoArray(out, o + 8 * VL);
        s14.intoArray(out, o + 9 * VL);
        s20.intoArray(out, o + 10 * VL);
        s21.intoArray(out, o + 11 * VL);
        s22.intoArray(out, o + 12 * VL);
        s23.intoArray(out, o + 13 * VL);
        s24.intoArray(out, o + 14 * VL);
        s30.intoArray(out, o + 15 * VL);
        s31.intoArray(out, o + 16 * VL);
        s32.intoArray(out, o + 17 * VL);
        s33.intoArray(out, o + 18 * VL);
        s34.intoArray(out, o + 19 * VL);
        s40.intoArray(out, o + 20 * VL);
        s41.intoArray(out, o + 21 * VL);
        s42.intoArray(out, o + 22 * VL);
        s43.intoArray(out, o + 23 * VL);
        s44.intoArray(out, o + 24 * VL);
        sb.intoArray(out, o + 25 * VL);
    }

    /**
     * {@link #row} on 8-lane vectors, its first half: taps 0-12 ((0, 0) .. (2, 2)), 13 accumulators, a dy vector and
     * a broadcast in AVX2's 16 registers (all 26 would spill at every position). The same sums as {@link #row}'s:
     * each from zero over the row's positions in order, into the same slots of out.
     */
    static void rowLo(float[] out, int o, float[] dyT, int d, float[] xp, int xr, int wo) {
        int r1 = xr + PITCH, r2 = xr + 2 * PITCH;
        FloatVector z = FloatVector.zero(S);
        FloatVector s00 = z, s01 = z, s02 = z, s03 = z, s04 = z, s10 = z, s11 = z;
        FloatVector s12 = z, s13 = z, s14 = z, s20 = z, s21 = z, s22 = z;
        for (int j = 0; j < wo; j++) {
            FloatVector gv = FloatVector.fromArray(S, dyT, d + j * VL);
            s00 = gv.fma(FloatVector.broadcast(S, xp[xr + j]), s00);
            s01 = gv.fma(FloatVector.broadcast(S, xp[xr + j + 1]), s01);
            s02 = gv.fma(FloatVector.broadcast(S, xp[xr + j + 2]), s02);
            s03 = gv.fma(FloatVector.broadcast(S, xp[xr + j + 3]), s03);
            s04 = gv.fma(FloatVector.broadcast(S, xp[xr + j + 4]), s04);
            s10 = gv.fma(FloatVector.broadcast(S, xp[r1 + j]), s10);
            s11 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 1]), s11);
            s12 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 2]), s12);
            s13 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 3]), s13);
            s14 = gv.fma(FloatVector.broadcast(S, xp[r1 + j + 4]), s14);
            s20 = gv.fma(FloatVector.broadcast(S, xp[r2 + j]), s20);
            s21 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 1]), s21);
            s22 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 2]), s22);
        }
        s00.intoArray(out, o);
        s01.intoArray(out, o + 1 * VL);
        s02.intoArray(out, o + 2 * VL);
        s03.intoArray(out, o + 3 * VL);
        s04.intoArray(out, o + 4 * VL);
        s10.intoArray(out, o + 5 * VL);
        s11.intoArray(out, o + 6 * VL);
        s12.intoArray(out, o + 7 * VL);
        s13.intoArray(out, o + 8 * VL);
        s14.intoArray(out, o + 9 * VL);
        s20.intoArray(out, o + 10 * VL);
        s21.intoArray(out, o + 11 * VL);
        s22.intoArray(out, o + 12 * VL);
    }

    /**
     * {@link #row} on 8-lane vectors, its second half: taps 13-24 ((2, 3) .. (4, 4)) and the bias (dy's row read again,
     * from L1).
     */
    static void rowHi(float[] out, int o, float[] dyT, int d, float[] xp, int xr, int wo) {
        int r2 = xr + 2 * PITCH, r3 = xr + 3 * PITCH, r4 = xr + 4 * PITCH;
        FloatVector z = FloatVector.zero(S);
        FloatVector s23 = z, s24 = z, s30 = z, s31 = z, s32 = z, s33 = z, s34 = z;
        FloatVector s40 = z, s41 = z, s42 = z, s43 = z, s44 = z, sb = z;
        for (int j = 0; j < wo; j++) {
            FloatVector gv = FloatVector.fromArray(S, dyT, d + j * VL);
            s23 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 3]), s23);
            s24 = gv.fma(FloatVector.broadcast(S, xp[r2 + j + 4]), s24);
            s30 = gv.fma(FloatVector.broadcast(S, xp[r3 + j]), s30);
            s31 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 1]), s31);
            s32 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 2]), s32);
            s33 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 3]), s33);
            s34 = gv.fma(FloatVector.broadcast(S, xp[r3 + j + 4]), s34);
            s40 = gv.fma(FloatVector.broadcast(S, xp[r4 + j]), s40);
            s41 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 1]), s41);
            s42 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 2]), s42);
            s43 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 3]), s43);
            s44 = gv.fma(FloatVector.broadcast(S, xp[r4 + j + 4]), s44);
            sb = sb.add(gv);
        }
        s23.intoArray(out, o + 13 * VL);
        s24.intoArray(out, o + 14 * VL);
        s30.intoArray(out, o + 15 * VL);
        s31.intoArray(out, o + 16 * VL);
        s32.intoArray(out, o + 17 * VL);
        s33.intoArray(out, o + 18 * VL);
        s34.intoArray(out, o + 19 * VL);
        s40.intoArray(out, o + 20 * VL);
        s41.intoArray(out, o + 21 * VL);
        s42.intoArray(out, o + 22 * VL);
        s43.intoArray(out, o + 23 * VL);
        s44.intoArray(out, o + 24 * VL);
        sb.intoArray(out, o + 25 * VL);
    }

    /** ws[a, a + 26 VL) += ws[b, b + 26 VL). */
    private static void addSums(float[] ws, int a, int b) {
        for (int k = 0; k < ACC * VL; k += VL) {
            FloatVector.fromArray(S, ws, a + k).add(FloatVector.fromArray(S, ws, b + k)).intoArray(ws, a + k);
        }
    }

    /**
     * t[d + q*VL + o] = dy[s + o*P + q] for q in [0, WO), o in [0, VL): one output row of VL channels of dy, channel-
     * last, by VL x VL blocks in registers ({@link Transpose16}, {@link Transpose8}), the positions past the last whole
     * block one by one.
     */
    static void transposeRow(float[] t, int d, float[] dy, int s, int wo, int p) {
        int q = 0;
        for (; q + VL <= wo; q += VL) {
            if (VL == 16) {
                Transpose16.block(t, d + q * VL, VL, dy, s + q, p);
            } else {
                Transpose8.block(t, d + q * VL, VL, dy, s + q, p);
            }
        }
        for (; q < wo; q++) {
            for (int o = 0; o < VL; o++) {
                t[d + q * VL + o] = dy[s + o * p + q];
            }
        }
    }
}
