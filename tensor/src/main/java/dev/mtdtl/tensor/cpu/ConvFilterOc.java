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
 * <p>Work: per batch block, x's images are padded into (BB, C, HP, WP) (one parallel loop), then one task per
 * (image, vector of 16 output channels) walks the image's output rows: it transposes a row of dy into its own
 * 8 KB row buffer and runs the row for every input channel while the buffer is in L1 (a second). Transposing the
 * whole block first instead wrote 28 MB at batch 32 and read it back from memory, in a parallel loop of its own
 * (bench/RESULTS.md, session 28). Each of the 26 accumulators (tap (u, v) or the bias, lane o)
 * runs one float FMA (or add) chain from zero over an output row's positions ({@link #row}); the row sums are
 * added in row order onto the image's sums, and those, after the task loop, in image order onto the running sums;
 * finally dw (and db, from input channel 0's sums) += running sums. The order depends on the shape only: bits are
 * the same for any thread count (ConvFilterOcTest), not those of {@link ConvFilter} (whose 16 lane chains each run
 * over B*HO*WO/16 products) nor of {@link Conv2dCpu}'s separate bias sum (float per image plane, double across
 * images); values are checked against the double reference and the PyTorch fixture conv2d_a_5x5_s2x1, which takes
 * this path (Conv2dCpuTest).
 *
 * <p>Letters: B batch, C input channels, OC output channels (a multiple of 16), HP = H + 2PH, WP = W + 2PW padded
 * input, P = HO*WO positions per image.
 */
final class ConvFilterOc {

    private static final VectorSpecies<Float> S = Gemm.S;
    private static final int VL = Gemm.VL;
    /** Kernel rows and columns of the only kernel this takes. */
    static final int K = 5;
    /** Accumulators per chunk: the 25 taps, then the bias. */
    static final int ACC = K * K + 1;

    private ConvFilterOc() {}

    /**
     * Whether this kernel takes g: 512-bit vectors (26 accumulators, a dy vector and a broadcast need 28 of
     * AVX-512's 32 registers; AVX2 has 16), whole vectors of output channels, unit column stride, a 5 x 5
     * kernel, and an input that {@link ConvFilterCl} does not take (fewer than 16 input channels).
     */
    static boolean applies(ConvGeom g) {
        return VL == 16 && g.oc() % VL == 0 && g.sw() == 1 && g.kh() == K && g.kw() == K && !ConvFilterCl.applies(g);
    }

    /**
     * Most floats of one batch block's padded input and row buffers (16 MB): few blocks, because each costs two
     * parallel loops, and at batch 128 still below the workspace conv1's forward already holds (its whole padded
     * batch; ConvFilterClTest holds every layer's).
     */
    static final int BLOCK_FLOATS = 1 << 22;

    /** Floats per image: its padded input and one row buffer (WO, VL) per output-channel vector. */
    private static long perImage(ConvGeom g) {
        return (long) g.c() * (g.h() + 2 * g.ph()) * (g.w() + 2 * g.pw()) + (long) g.wo() * g.oc();
    }

    /** Images per batch block: the fewest blocks of at most BLOCK_FLOATS, as even as possible (conv1, batch 32: 32). */
    static int block(ConvGeom g) {
        int most = (int) Math.max(1, Math.min(g.n(), BLOCK_FLOATS / perImage(g)));
        int blocks = (g.n() + most - 1) / most;
        return (g.n() + blocks - 1) / blocks;
    }

    /**
     * Workspace floats: the block's padded input and row buffers; the running sums per (output-channel vector, input
     * channel); the image sums of the block's images per (image, output-channel vector, input channel); a row's sums
     * per (image, output-channel vector) task.
     */
    static long workspaceFloats(ConvGeom g) {
        long perVector = (long) g.oc() / VL * ACC * VL;
        return block(g) * perImage(g) + perVector * g.c() + block(g) * perVector * (g.c() + 1);
    }

    /**
     * dw (OC, C, 5, 5) += filter gradient, db (OC, nullable) += bias gradient of dy (B, OC, HO, WO) and
     * x (B, C, H, W).
     */
    static void filter(float[] dw, float[] db, float[] dy, float[] x, ConvGeom g, float[] ws) {
        filter(dw, db, dy, x, g, ws, block(g));
    }

    /**
     * {@link #filter} in batch blocks of bb images, bb at most {@link #block}: the same values and bits for any
     * bb (image sums start from zero and go onto the running sums in image order), which ConvFilterOcTest checks
     * with blocks smaller than the default.
     */
    static void filter(float[] dw, float[] db, float[] dy, float[] x, ConvGeom g, float[] ws, int bb) {
        int n = g.n(), c = g.c(), h = g.h(), w = g.w(), hp = h + 2 * g.ph(), wp = w + 2 * g.pw();
        int oc = g.oc(), ho = g.ho(), wo = g.wo(), sh = g.sh(), p = ho * wo;
        int nOv = oc / VL;
        int tOff = bb * c * hp * wp;                       // the tasks' row buffers (WO, VL) after the padded input
        int sums = ACC * VL;
        int run = (int) (bb * perImage(g));                // (nOv, C) running sums
        int img = run + nOv * c * sums;                    // (BB, nOv, C) image sums
        int rows = img + bb * nOv * c * sums;              // (BB, nOv) row sums, one per task
        Arrays.fill(ws, run, img, 0f);
        for (int b0 = 0; b0 < n; b0 += bb) {
            int nb = Math.min(n, b0 + bb) - b0;
            int first = b0;                                // effectively final, for the tasks
            Parallel.forChunks(nb * c, 1, (plane, c0, c1) ->   // plane = (image - b0) * C + input channel
                    ConvDirect.padPlane(ws, plane * hp * wp, x, (first * c + plane) * h * w, h, w, g.ph(), g.pw(), hp,
                            wp));
            // one task per (image, output-channel vector): each row of dy, transposed, is read from L1 by all
            // input channels
            Parallel.forChunks(nb * nOv, 1, (task, t0, t1) -> {
                int b = task / nOv, ov = task % nOv, rs = rows + task * sums;
                int im = img + task * c * sums;
                Arrays.fill(ws, im, im + c * sums, 0f);
                int d = tOff + task * wo * VL;
                int src = ((first + b) * oc + ov * VL) * p;
                for (int i = 0; i < ho; i++) {
                    transposeRow(ws, d, dy, src + i * wo, wo, p);
                    for (int ci = 0; ci < c; ci++) {
                        row(ws, rs, ws, d, ws, ((b * c + ci) * hp + i * sh) * wp, wo, wp);
                        addSums(ws, im + ci * sums, rs);
                    }
                }
            });
            for (int b = 0; b < nb; b++) {                 // images in order: the same sums for any thread count
                for (int k = 0; k < nOv * c; k++) {
                    addSums(ws, run + k * sums, img + (b * nOv * c + k) * sums);
                }
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
     * times the inputs xp[xr + u*WP + j + v] (tap (u, v) at (u*5 + v)*VL), and the dy vector itself (the bias, at
     * 25 VL). A plain counted loop with indices linear in j, so C2 drops the bounds checks from its main loop.
     * Why the sums start from zero in every row and go to out, not carried in acc from row to row: loading and
     * storing 26 accumulators here as well (104 vector calls in all) sometimes left C2, depending on what it had
     * compiled before, out of inlining budget, so that the last stores became calls and the vectors were boxed: that
     * JVM's whole step took 30-50 % longer (bench/RESULTS.md, session 26); split into two methods of 16 and 10
     * accumulators it lost its gain (each dy vector loaded twice).
     */
    private static void row(float[] out, int o, float[] dyT, int d, float[] xp, int xr, int wo, int wp) {
        int r1 = xr + wp, r2 = xr + 2 * wp, r3 = xr + 3 * wp, r4 = xr + 4 * wp;
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

    /** ws[a, a + 26 VL) += ws[b, b + 26 VL). */
    private static void addSums(float[] ws, int a, int b) {
        for (int k = 0; k < ACC * VL; k += VL) {
            FloatVector.fromArray(S, ws, a + k).add(FloatVector.fromArray(S, ws, b + k)).intoArray(ws, a + k);
        }
    }

    /**
     * t[d + q*VL + o] = dy[s + o*P + q] for q in [0, WO), o in [0, VL): one output row of VL channels of dy, channel-
     * last, by 16 x 16 blocks in registers, the positions past the last whole block one by one.
     */
    static void transposeRow(float[] t, int d, float[] dy, int s, int wo, int p) {
        int q = 0;
        for (; q + VL <= wo; q += VL) {
            Transpose16.block(t, d + q * VL, VL, dy, s + q, p);
        }
        for (; q < wo; q++) {
            for (int o = 0; o < VL; o++) {
                t[d + q * VL + o] = dy[s + o * p + q];
            }
        }
    }
}
