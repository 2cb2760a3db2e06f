package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.ColdStart;
import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The general convolution path: im2col + SGEMM, for any stride and padding. {@link Conv2dCpu} uses it
 * where the direct kernels do not apply or would waste vector lanes (output rows narrower than a
 * vector: conv5, conv61, conv62 of the base CNN, where OC = 128..256 makes the GEMM efficient).
 *
 * <p>Letters: P = HO*WO output positions per image, CKK = C*KH*KW; a group of G images is lowered at
 * once into col (CKK, G*P): col[(c,u,v)][g*P + i*WO + j] = xpad[g, c, i*SH + u, j*SW + v], so that
 * forward is Y (OC, G*P) = W (OC, CKK) col, the data gradient is dcol = W^T dY followed by col2im
 * (a scatter-add back onto x), and the filter gradient is dW += dY col^T. G depends only on the
 * geometry (col capped at {@link #COL_CAP} floats), so results do not depend on the thread count.
 */
final class ConvIm2col {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** F's shape on int lanes: the masks are ANDed onto x's bits. */
    @SuppressWarnings("unchecked")
    private static final VectorSpecies<Integer> I = (VectorSpecies<Integer>) F.withLanes(int.class);
    private static final int L = F.length();

    /** Most floats of one lowered group (8 MiB). */
    static final int COL_CAP = 1 << 21;

    private ConvIm2col() {}

    /** Images per lowered group. */
    static int group(ConvGeom g) {
        long per = (long) g.c() * g.kh() * g.kw() * g.ho() * g.wo();
        return (int) Math.max(1, Math.min(g.n(), COL_CAP / per));
    }

    /** col (CKK, G*P), then yt (OC, G*P), then the GEMM scratch. */
    static long workspaceFloats(ConvGeom g) {
        int ckk = g.c() * g.kh() * g.kw();
        int gp = group(g) * g.ho() * g.wo();
        long gemm = Math.max(Gemm.workspaceFloats(g.oc(), gp, ckk),
                Math.max(Gemm.workspaceFloats(ckk, gp, g.oc()), Gemm.workspaceFloats(g.oc(), ckk, gp)));
        return (long) ckk * gp + (long) g.oc() * gp + gemm;
    }

    /*
     * Small layers (conv5, conv61, conv62 of the base CNN: 12 to 48 output positions per image) on 2 to 4 threads:
     * the forward and the data gradient split the batch into one task per thread, each lowering, multiplying and
     * scattering its own images with its own scratch (nested parallel loops run serially). The GEMM inside
     * parallelised badly at these sizes: a parked worker woke ~17-30 us after each of its parallel loops started
     * (Parallel now spins a while between loops, which takes most of that away), and conv61's forward ran 12 of
     * them (im2col, 2 per K block, the bias scatter); a task also keeps its images on one core from layer to
     * layer, as Parallel's owned ranges do elsewhere. The bits are those of one group: an element of Y (or dcol)
     * is one row of W against one column of col, summed over K blocks in order, and which images share a GEMM
     * changes neither. (The filter gradient sums over the images: not split.)
     */

    /** Most tasks of the split; the workspace holds that many. */
    static final int MAX_TASKS = 4;

    /** Tasks the forward and the data gradient use now: the thread count where the split applies, else 1. */
    static int tasks(ConvGeom g) {
        int t = Parallel.threads();
        return t >= 2 && t <= MAX_TASKS && g.n() >= t ? t : 1;
    }

    /**
     * Images a task of a t-way split lowers at once: all of its share when the whole batch is one group; else as
     * many as keep the tasks' scratch together within one group's workspace (conv5 at batch 128, 75 images a group:
     * 32 a task on 2 threads, 16 on 4), so that the split needs no more memory than the unsplit op. Before, a batch of
     * more than one group (batch 128, `mtdtl train`'s default) did not split at all, and its conv5 forward and data
     * gradient took 1.4-1.5x their batch-32 time per image at 2 threads.
     */
    static int subGroup(ConvGeom g, int t) {
        int per = (g.n() + t - 1) / t;
        if (group(g) >= g.n()) {
            return per;
        }
        int tasks = Parallel.chunkCount(g.n(), per);
        long budget = workspaceFloats(g);
        int sub = Math.min(per, Math.max(1, group(g) / t));
        while (sub > 1 && tasks * taskFloats(g, sub) > budget) {
            sub--;
        }
        return sub;
    }

    /** One task's floats: col and the GEMM's other operand for its images, and the GEMM's scratch. */
    private static long taskFloats(ConvGeom g, int images) {
        int ckk = g.c() * g.kh() * g.kw();
        int tp = images * g.ho() * g.wo();
        return (long) ckk * tp + (long) g.oc() * tp
                + Math.max(Gemm.workspaceFloats(g.oc(), tp, ckk), Gemm.workspaceFloats(ckk, tp, g.oc()));
    }

    /** Workspace floats of {@link #forward} and {@link #backwardData}: one group's or any split's, whichever is more. */
    static long splitWorkspaceFloats(ConvGeom g) {
        long most = workspaceFloats(g);
        for (int t = 2; t <= MAX_TASKS && t <= g.n(); t++) {   // the cases tasks(g) splits
            int per = (g.n() + t - 1) / t;
            most = Math.max(most, Parallel.chunkCount(g.n(), per) * taskFloats(g, subGroup(g, t)));
        }
        return most;
    }

    /** Images [n0, n0 + gn) of one direction, with its scratch at ws[off]. */
    private interface GroupOp {
        void run(int off, int n0, int gn);
    }

    /**
     * op over the batch: one task per thread, each with its own scratch slice and its share of the images in
     * {@link #subGroup}s, where {@link #tasks} splits; else the lowered groups in order, all in one scratch (each
     * group's loops parallel inside).
     */
    private static void byGroups(ConvGeom g, GroupOp op) {
        int t = tasks(g);
        if (t > 1) {
            int per = (g.n() + t - 1) / t;
            int sub = subGroup(g, t);
            long each = taskFloats(g, sub);
            Parallel.forChunks(g.n(), per, (ch, n0, n1) -> {
                for (int s0 = n0; s0 < n1; s0 += sub) {
                    op.run((int) (ch * each), s0, Math.min(sub, n1 - s0));
                }
            });
            return;
        }
        for (int n0 = 0; n0 < g.n(); n0 += group(g)) {
            op.run(0, n0, Math.min(group(g), g.n() - n0));
        }
    }

    static void forward(float[] y, float[] x, float[] w, float[] b, ConvGeom g, float[] ws) {
        byGroups(g, (off, n0, gn) -> forwardGroup(y, x, w, b, g, ws, off, n0, gn));
    }

    /** Images [n0, n0 + gn) forward, with the scratch at ws[off]: col (CKK, gn*P), yt (OC, gn*P), the GEMM's. */
    private static void forwardGroup(float[] y, float[] x, float[] w, float[] b, ConvGeom g, float[] ws, int off,
                                     int n0, int gn) {
        int ckk = g.c() * g.kh() * g.kw(), p = g.ho() * g.wo(), oc = g.oc(), gp = gn * p;
        int colOff = off, ytOff = off + ckk * gp, gemmOff = ytOff + oc * gp;
        im2col(ws, colOff, x, g, n0, gn);
        Gemm.run(false, false, oc, gp, ckk, 1f, w, 0, ckk, ws, colOff, gp, 0f, ws, ytOff, gp, ws, gemmOff);
        Parallel.forChunks(gn * oc, 8, (ch, r0, r1) -> scatterY(y, ws, ytOff, b, oc, p, n0, gn, r0, r1));
    }

    /**
     * y[n0+s][o][q] = yt[o][s*P + q] + b[o] (b may be null: + 0) for the rows r = s*OC + o in [r0, r1), which are
     * consecutive in y: whole vectors, written in address order, so a partial last vector's lanes past P land on the
     * next row and are overwritten by it; a row whose vectors would pass the range's end (or read past ws) is
     * written lane by lane. Same sums as a loop per element. Before, a loop per 12- or 48-float row: conv5's
     * forward spent 0.13-0.17 ms of 1.7 here (1 thread, bench/RESULTS.md, session 35).
     */
    private static void scatterY(float[] y, float[] ws, int ytOff, float[] b, int oc, int p, int n0, int gn, int r0,
                                 int r1) {
        int gp = gn * p, vec = (p + L - 1) / L;
        int end = (n0 * oc + r1) * p;
        for (int r = r0; r < r1; r++) {
            int s = r / oc, o = r % oc;
            int src = ytOff + o * gp + s * p, dst = (n0 * oc + r) * p;
            float bias = b == null ? 0f : b[o];
            if (dst + vec * L > end || src + vec * L > ws.length) {
                for (int q = 0; q < p; q++) {
                    y[dst + q] = ws[src + q] + bias;
                }
                continue;
            }
            FloatVector bv = FloatVector.broadcast(F, bias);
            for (int t = 0; t < vec; t++) {
                FloatVector.fromArray(F, ws, src + t * L).add(bv).intoArray(y, dst + t * L);
            }
        }
    }

    static void backwardData(float[] dx, float[] dy, float[] w, ConvGeom g, float[] ws) {
        byGroups(g, (off, n0, gn) -> dataGroup(dx, dy, w, g, ws, off, n0, gn));
    }

    /** Images [n0, n0 + gn) of the data gradient, scratch at ws[off]: dcol (CKK, gn*P), dyT (OC, gn*P), the GEMM's. */
    private static void dataGroup(float[] dx, float[] dy, float[] w, ConvGeom g, float[] ws, int off, int n0, int gn) {
        int ckk = g.c() * g.kh() * g.kw(), p = g.ho() * g.wo(), oc = g.oc(), gp = gn * p;
        int colOff = off, ytOff = off + ckk * gp, gemmOff = ytOff + oc * gp;
        gatherDy(ws, ytOff, dy, oc, p, n0, gn);
        Gemm.run(true, false, ckk, gp, oc, 1f, w, 0, ckk, ws, ytOff, gp, 0f, ws, colOff, gp, ws, gemmOff);
        col2im(dx, ws, colOff, g, n0, gn);
    }

    static void backwardFilter(float[] dw, float[] dy, float[] x, ConvGeom g, float[] ws) {
        int t = tasks(g);
        if (t > 1 && splitsFilter(g)) {
            filterByColumns(dw, dy, x, g, ws, t);
            return;
        }
        int ckk = g.c() * g.kh() * g.kw(), p = g.ho() * g.wo(), oc = g.oc(), grp = group(g);
        int colOff = 0, ytOff = ckk * grp * p, gemmOff = ytOff + oc * grp * p;
        for (int n0 = 0; n0 < g.n(); n0 += grp) {
            int gn = Math.min(grp, g.n() - n0), gp = gn * p;
            im2col(ws, colOff, x, g, n0, gn);
            gatherDy(ws, ytOff, dy, oc, p, n0, gn);
            Gemm.run(false, true, oc, ckk, gp, 1f, ws, ytOff, gp, ws, colOff, gp, 1f, dw, 0, ckk, ws, gemmOff);
        }
    }

    /*
     * The filter gradient on 2 to 4 threads (conv61 and conv62 of the base CNN: their dW is 256 x 1,152 and
     * 256 x 256): one task per thread, each owning a range of dW's CKK columns. A task lowers only its rows of col
     * and multiplies dY (gathered once, shared) by them, so nothing is lowered twice and the tasks never meet; the
     * GEMM's own loops, which split each K block's packing and tiles over the threads, synchronised six times a
     * call (conv62's filter gradient took longer on 2 threads than on 1). The bits are the unsplit GEMM's: an
     * element of dW is the same K-block FMA chain (K = the batch's positions, blocks of KC from 0) added onto dW,
     * whichever columns share its GEMM (GemmKernel's contract). Only for the geometries whose whole batch is one
     * lowered group (the base CNN's at batch 32 and 128), so the K blocks are the unsplit call's.
     */

    /** Whether {@link #backwardFilter} splits by columns when it has tasks: a same geometry, one lowered group. */
    static boolean splitsFilter(ConvGeom g) {
        return same(g) && group(g) >= g.n();
    }

    /** Columns of dW per task of a t-way split: a whole number of the GEMM's NR-wide panels. */
    private static int filterColumns(ConvGeom g, int t) {
        int ckk = g.c() * g.kh() * g.kw();
        return Gemm.roundUp((ckk + t - 1) / t, Gemm.NR);
    }

    /** One task's floats: its rows of col, then its GEMM's scratch. */
    private static long filterTaskFloats(ConvGeom g, int cols) {
        int gp = g.n() * g.ho() * g.wo();
        return (long) cols * gp + Gemm.workspaceFloats(g.oc(), cols, gp);
    }

    /** Workspace floats of {@link #backwardFilter}: one group's, or any column split's, whichever is more. */
    static long filterWorkspaceFloats(ConvGeom g) {
        long most = workspaceFloats(g);
        if (splitsFilter(g)) {
            int ckk = g.c() * g.kh() * g.kw();
            for (int t = 2; t <= MAX_TASKS && t <= g.n(); t++) {   // the cases tasks(g) splits
                int cols = filterColumns(g, t);
                most = Math.max(most, (long) g.oc() * g.n() * g.ho() * g.wo()
                        + Parallel.chunkCount(ckk, cols) * filterTaskFloats(g, cols));
            }
        }
        return most;
    }

    /** dW += dY col^T with dW's columns split into tasks ({@link #splitsFilter}); scratch: yt, then the tasks'. */
    private static void filterByColumns(float[] dw, float[] dy, float[] x, ConvGeom g, float[] ws, int t) {
        int ckk = g.c() * g.kh() * g.kw(), p = g.ho() * g.wo(), oc = g.oc(), n = g.n(), gp = n * p;
        int cols = filterColumns(g, t);
        long each = filterTaskFloats(g, cols);
        int tasksOff = oc * gp;
        gatherDy(ws, 0, dy, oc, p, 0, n);   // yt (OC, N*P), shared
        int[] masks = shiftMasks(g, false);
        Parallel.forChunks(ckk, cols, (ch, r0, r1) -> {
            int colOff = (int) (tasksOff + ch * each);
            int gemmOff = colOff + cols * gp;
            im2colSameRows(ws, colOff - r0 * gp, x, g, 0, n, r0, r1, masks);   // row r at colOff + (r - r0)*GP
            Gemm.run(false, true, oc, r1 - r0, gp, 1f, ws, 0, gp, ws, colOff, gp, 1f, dw, r0, ckk, ws, gemmOff);
        });
    }

    /**
     * col (CKK, gn*P) from images [n0, n0+gn) of x; out-of-image taps are zero. Stride-1 same-size layers (all of
     * this path's in the base CNN) by shifted vectors ({@link #im2colSame}), the rest by rows.
     */
    static void im2col(float[] col, int colOff, float[] x, ConvGeom g, int n0, int gn) {
        if (same(g) && !COLD.scalar((long) g.c() * g.kh() * g.kw() * gn * g.ho() * g.wo())) {
            im2colSame(col, colOff, x, g, n0, gn);
        } else {
            im2colRows(col, colOff, x, g, n0, gn);
        }
    }

    /**
     * Floats of col a JVM lowers by {@link #im2colRows} first ({@link ColdStart}): 4 M, several forward passes of a
     * 30 s file's conv5-conv62. {@link #im2colSame}'s shifted vectors run the Vector API's Java fallback until C2
     * compiles them (about 40 ms of a one-file embed, bench/RESULTS.md, session 53); rows copy the same values and
     * write +0 where it writes a masked +0: the same bits.
     */
    private static final ColdStart COLD = new ColdStart(4L << 20);

    /**
     * {@link #im2col} by rows, any geometry. The rows are short (4 to 8 floats), so each is written by plain
     * loops: a call to System.arraycopy and two to Arrays.fill per row cost more than the copy itself.
     */
    static void im2colRows(float[] col, int colOff, float[] x, ConvGeom g, int n0, int gn) {
        int kh = g.kh(), kw = g.kw(), h = g.h(), w = g.w(), ho = g.ho(), wo = g.wo(), p = ho * wo, gp = gn * p;
        int sh = g.sh(), sw = g.sw(), ph = g.ph(), pw = g.pw();
        Parallel.forChunks(g.c() * kh * kw, 1, (r, r0, r1) -> {
            int ci = r / (kh * kw), u = r / kw % kh, v = r % kw;
            // output columns [j0, j1) read inside the image: wi = j*SW - PW + v in [0, W)
            int j0 = Math.min(wo, Math.max(0, -Math.floorDiv(v - pw, sw)));          // ceil((PW - v) / SW)
            int j1 = Math.max(j0, Math.min(wo, Math.floorDiv(w - 1 + pw - v, sw) + 1));
            for (int s = 0; s < gn; s++) {
                int src = ((n0 + s) * g.c() + ci) * h * w;
                int dst = colOff + r * gp + s * p;
                for (int i = 0; i < ho; i++, dst += wo) {
                    int hi = i * sh - ph + u;
                    if (hi < 0 || hi >= h) {
                        for (int j = 0; j < wo; j++) {
                            col[dst + j] = 0f;
                        }
                        continue;
                    }
                    int row = src + hi * w - pw + v;  // x index of column j is row + j*SW
                    for (int j = 0; j < j0; j++) {
                        col[dst + j] = 0f;
                    }
                    if (sw == 1) {
                        for (int j = j0; j < j1; j++) {
                            col[dst + j] = x[row + j];
                        }
                    } else {
                        for (int j = j0; j < j1; j++) {
                            col[dst + j] = x[row + j * sw];
                        }
                    }
                    for (int j = j1; j < wo; j++) {
                        col[dst + j] = 0f;
                    }
                }
            }
        });
    }

    /**
     * Stride 1 and an output the size of the input (every layer of this path in the base CNN: 3x3 with padding 1,
     * and 1x1): then row (c, u, v) of image s is x's plane (s, c) shifted by du = u - PH rows and dv = v - PW
     * columns, zeros let in: col[s*P + q] = x[plane + q + du*W + dv] where that source lies inside the plane. So
     * each image's row is ceil(P/L) loads at the shifted offset, ANDed on their bits with a mask of the lanes whose
     * source is inside (-1) or not (0, which makes +0) ({@link #shiftMasks}), stored whole: a chunk writes its rows
     * in address order, so the lanes of a partial last vector past the image's P land on the next image (or row)
     * and are overwritten by it; only the chunk's very last vector goes through a scratch (the next row is another
     * chunk's). Storing every image's partial vector through the scratch instead made conv61's col2im 2.2x slower
     * than the loops. The same values as the row loops (a copy), at L floats a load instead of a loop per 4- or
     * 8-float row (batch 32, 1 thread): conv5's im2col 0.66 -> 0.17 ms, conv61's 0.52 -> 0.25, conv62's 0.12 ->
     * 0.05.
     *
     * <p>Why an AND on int lanes, not a blend with zero under a {@code VectorMask}: JDK 17's C2 holds a mask in a
     * vector register and rebuilds the AVX-512 mask register from it before every blend, and the loop did little
     * else; and why each row's mask is loaded once where a plane is one vector (conv61, conv62: P = 12): there the
     * loop over the images is the row's whole loop and the load was most of it. Same bits (a masked-out lane is
     * +0 either way); 1 thread, alone, hot (bench/RESULTS.md, session 35): conv61's im2col 290 -> 89 us, conv62's
     * 71 -> 22, conv5's 210 -> 163.
     */
    static void im2colSame(float[] col, int colOff, float[] x, ConvGeom g, int n0, int gn) {
        int[] masks = shiftMasks(g, false);
        Parallel.forChunks(g.c() * g.kh() * g.kw(), ROWS, (chunk, r0, r1) ->
                im2colSameRows(col, colOff, x, g, n0, gn, r0, r1, masks));
    }

    /**
     * Rows [r0, r1) of {@link #im2colSame}'s col, row r at colOff + r*GP (colOff may be negative: a caller that
     * lowers a range of rows into a buffer of its own passes its buffer's offset minus r0*GP), written in address
     * order; the range's last partial vector goes through a scratch, so nothing past row r1 - 1 is written.
     */
    static void im2colSameRows(float[] col, int colOff, float[] x, ConvGeom g, int n0, int gn, int r0, int r1,
                               int[] masks) {
        int kh = g.kh(), kw = g.kw(), w = g.w(), p = g.h() * w, gp = gn * p, vec = (p + L - 1) / L;
        float[] tail = new float[L];
        int end = colOff + r1 * gp;   // where this range's rows end; they are written in address order
        for (int r = r0; r < r1; r++) {
            int ci = r / (kh * kw), tap = r % (kh * kw), u = tap / kw, v = tap % kw;
            int shift = (u - g.ph()) * w + (v - g.pw());
            int src0 = (n0 * g.c() + ci) * p + shift, step = g.c() * p;   // image s's source: src0 + s*step
            int dst0 = colOff + r * gp;
            if (vec == 1) {   // one vector an image: the row's mask once
                IntVector in = IntVector.fromArray(I, masks, tap * L);
                for (int s = 0, src = src0, dst = dst0; s < gn; s++, src += step, dst += p) {
                    if (src < 0 || src + L > x.length) {   // the batch's first or last plane: sticks out
                        edgeRow(col, dst, x, src, masks, tap * L, p);
                        continue;
                    }
                    FloatVector xv = FloatVector.fromArray(F, x, src).reinterpretAsInts().and(in).reinterpretAsFloats();
                    if (dst + L <= end) {   // lanes past this image's P: the next image's, written after
                        xv.intoArray(col, dst);
                    } else {                // the range's last partial vector: the next row is not this range's
                        xv.intoArray(tail, 0);
                        System.arraycopy(tail, 0, col, dst, end - dst);
                    }
                }
                continue;
            }
            for (int s = 0, src = src0, dst = dst0; s < gn; s++, src += step, dst += p) {
                if (src < 0 || src + vec * L > x.length) {   // the batch's first or last plane: sticks out
                    edgeRow(col, dst, x, src, masks, tap * vec * L, p);
                    continue;
                }
                for (int t = 0; t < vec; t++) {
                    IntVector in = IntVector.fromArray(I, masks, (tap * vec + t) * L);
                    FloatVector xv = FloatVector.fromArray(F, x, src + t * L).reinterpretAsInts().and(in)
                            .reinterpretAsFloats();
                    int d = dst + t * L;
                    if (d + L <= end) {   // lanes past this image's P: the next image's, written after
                        xv.intoArray(col, d);
                    } else {              // the range's last partial vector: the next row is not this range's
                        xv.intoArray(tail, 0);
                        System.arraycopy(tail, 0, col, d, end - d);
                    }
                }
            }
        }
    }

    /**
     * {@link #im2colSame}'s row of one image where the shifted vectors would stick out of x (the batch's first
     * and last planes): lane by lane, reading only masked-in sources. A method with scalar arguments, called
     * from outside the vector loop: a rare branch inside it, returning a vector, made C2's code for the loop
     * slow in some runs (conv61's data gradient 2 -> 14-19 ms in 3 of 6 JVMs).
     */
    private static void edgeRow(float[] col, int dst, float[] x, int src, int[] masks, int mo, int p) {
        for (int q = 0; q < p; q++) {
            col[dst + q] = masks[mo + q] != 0 ? x[src + q] : 0f;
        }
    }

    /** Whether {@link #im2colSame} and {@link #col2imSame} apply: stride 1, HO = H and WO = W. */
    static boolean same(ConvGeom g) {
        return g.sh() == 1 && g.sw() == 1 && g.ho() == g.h() && g.wo() == g.w();
    }

    /** Rows of col per chunk of {@link #im2colSame}, planes of dx per chunk of {@link #col2imSame}. */
    private static final int ROWS = 8;
    private static final int PLANES = 32;

    /**
     * For {@link #same} geometries, per tap (u, v) and vector t of a plane, L ints: -1 (all bits) for the lanes
     * q = tL + l whose partner lies inside, 0 for the others: for im2col the source position (i + du, j + dv) of output
     * (i, j); for col2im ({@code back}) the output position (i - du, j - dv) that reads input (i, j).
     */
    private static int[] shiftMasks(ConvGeom g, boolean back) {
        int h = g.h(), w = g.w(), p = h * w, vec = (p + L - 1) / L;
        int[] m = new int[g.kh() * g.kw() * vec * L];
        for (int u = 0; u < g.kh(); u++) {
            for (int v = 0; v < g.kw(); v++) {
                int du = back ? g.ph() - u : u - g.ph();
                int dv = back ? g.pw() - v : v - g.pw();
                for (int t = 0; t < vec; t++) {
                    for (int l = 0; l < L; l++) {
                        int q = t * L + l;
                        int i = q / w + du;
                        int j = q % w + dv;
                        boolean in = q < p && i >= 0 && i < h && j >= 0 && j < w;
                        m[((u * g.kw() + v) * vec + t) * L + l] = in ? -1 : 0;
                    }
                }
            }
        }
        return m;
    }

    /**
     * col2im for {@link #same} geometries: each vector of an (image, channel) plane of dx is the sum over taps,
     * in tap order, of col's row (c, u, v) at the opposite shift under the mask of the positions some output
     * read; the lanes a tap does not reach add +0, which leaves the sum's bits alone (it starts at +0, and a sum
     * that starts at +0 is never -0 in round-to-nearest), so the bits are the row loops'. Partial vectors as in
     * {@link #im2colSame}, planes in address order per chunk. conv5: 0.63 -> 0.21 ms, conv61: 0.54 -> 0.22,
     * conv62: 0.21 -> 0.13. Here the blends stay: im2col's AND on int lanes made this loop slower (conv61's col2im
     * 206-217 -> 262-275 us, 1 thread, bench/RESULTS.md, session 35).
     */
    static void col2imSame(float[] dx, float[] col, int colOff, ConvGeom g, int n0, int gn) {
        int c = g.c(), kh = g.kh(), kw = g.kw(), w = g.w(), p = g.h() * w, gp = gn * p, vec = (p + L - 1) / L;
        int[] masks = shiftMasks(g, true);
        float[] blendMasks = new float[masks.length];   // 1 where masks is -1, else 0
        for (int i = 0; i < masks.length; i++) {
            blendMasks[i] = masks[i] != 0 ? 1f : 0f;
        }
        Parallel.forChunks(gn * c, PLANES, (chunk, a0, a1) -> {
            float[] tail = new float[L];
            int end = (n0 * c + a1) * p;   // where this chunk's planes end in dx; written in address order
            for (int t0 = a0; t0 < a1; t0++) {
                int s = t0 / c, ci = t0 % c;
                int dst = ((n0 + s) * c + ci) * p;
                int base = colOff + ci * kh * kw * gp + s * p;   // + tap*GP + shift(tap): the tap's row of col
                boolean inside = true;
                for (int tap = 0; tap < kh * kw; tap++) {
                    int src = base + tap * gp + back(g, tap);
                    inside &= src >= 0 && src + vec * L <= col.length;
                }
                if (!inside) {   // a shifted vector would stick out of col: the plane lane by lane
                    edgePlane(dx, dst, col, base, masks, g, gp, p);
                    continue;
                }
                for (int t = 0; t < vec; t++) {
                    FloatVector acc = FloatVector.zero(F);
                    for (int tap = 0; tap < kh * kw; tap++) {
                        VectorMask<Float> in = FloatVector.fromArray(F, blendMasks, (tap * vec + t) * L)
                                .compare(VectorOperators.NE, 0f);
                        int o = base + tap * gp + back(g, tap) + t * L;
                        acc = acc.add(FloatVector.zero(F).blend(FloatVector.fromArray(F, col, o), in));
                    }
                    int d = dst + t * L;
                    if (d + L <= end) {   // lanes past this plane: the next plane's, written after
                        acc.intoArray(dx, d);
                    } else {              // the chunk's last partial vector: the next plane is another chunk's
                        acc.intoArray(tail, 0);
                        System.arraycopy(tail, 0, dx, d, end - d);
                    }
                }
            }
        });
    }

    /** col2im's shift of tap (u, v): dx position q reads col position q - (u - PH)*W - (v - PW). */
    private static int back(ConvGeom g, int tap) {
        return -(tap / g.kw() - g.ph()) * g.w() - (tap % g.kw() - g.pw());
    }

    /** {@link #col2imSame}'s plane where a shifted vector would stick out of col: lane by lane, same order. */
    private static void edgePlane(float[] dx, int dst, float[] col, int base, int[] masks, ConvGeom g, int gp,
                                  int p) {
        int vec = (p + L - 1) / L;
        for (int q = 0; q < p; q++) {
            float acc = 0f;
            for (int tap = 0; tap < g.kh() * g.kw(); tap++) {
                if (masks[(tap * vec + q / L) * L + q % L] != 0) {
                    acc += col[base + tap * gp + back(g, tap) + q];
                }
            }
            dx[dst + q] = acc;
        }
    }

    /** dx[n0+s] = sum over taps of col, for images [n0, n0+gn); each (image, channel) plane by one chunk. */
    static void col2im(float[] dx, float[] col, int colOff, ConvGeom g, int n0, int gn) {
        if (same(g)) {
            col2imSame(dx, col, colOff, g, n0, gn);
        } else {
            col2imRows(dx, col, colOff, g, n0, gn);
        }
    }

    /** {@link #col2im} by rows, any geometry. */
    static void col2imRows(float[] dx, float[] col, int colOff, ConvGeom g, int n0, int gn) {
        int c = g.c(), kh = g.kh(), kw = g.kw(), h = g.h(), w = g.w(), ho = g.ho(), wo = g.wo();
        int p = ho * wo, gp = gn * p;
        Parallel.forChunks(gn * c, 1, (t, t0, t1) -> {
            int s = t / c, ci = t % c;
            int dst = ((n0 + s) * c + ci) * h * w;
            Arrays.fill(dx, dst, dst + h * w, 0f);
            for (int u = 0; u < kh; u++) {
                for (int v = 0; v < kw; v++) {
                    int src = colOff + ((ci * kh + u) * kw + v) * gp + s * p;
                    for (int i = 0; i < ho; i++) {
                        int hi = i * g.sh() - g.ph() + u;
                        if (hi < 0 || hi >= h) {
                            continue;
                        }
                        if (g.sw() == 1) {  // valid columns as in im2col: a plain, auto-vectorised add
                            int j0 = Math.min(wo, Math.max(0, g.pw() - v));
                            int j1 = Math.max(j0, Math.min(wo, w + g.pw() - v));
                            int d = dst + hi * w - g.pw() + v;
                            int c0 = src + i * wo;
                            for (int j = j0; j < j1; j++) {
                                dx[d + j] += col[c0 + j];
                            }
                            continue;
                        }
                        for (int j = 0; j < wo; j++) {
                            int wi = j * g.sw() - g.pw() + v;
                            if (wi >= 0 && wi < w) {
                                dx[dst + hi * w + wi] += col[src + i * wo + j];
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * yt (OC, gn*P): yt[o][s*P + q] = dy[n0+s][o][q]; output channels split over threads. Rows of P floats, whole
     * vectors in address order as in {@link #scatterY}: the 12- and 48-float rows of conv5, conv61 and conv62 were
     * a System.arraycopy call each.
     */
    private static void gatherDy(float[] yt, int ytOff, float[] dy, int oc, int p, int n0, int gn) {
        int gp = gn * p, vec = (p + L - 1) / L;
        Parallel.forChunks(oc, 8, (ch, o0, o1) -> {
            int end = ytOff + o1 * gp;
            for (int o = o0; o < o1; o++) {
                for (int s = 0; s < gn; s++) {
                    int src = ((n0 + s) * oc + o) * p, dst = ytOff + o * gp + s * p;
                    if (dst + vec * L > end || src + vec * L > dy.length) {
                        System.arraycopy(dy, src, yt, dst, p);
                        continue;
                    }
                    for (int t = 0; t < vec; t++) {
                        FloatVector.fromArray(F, dy, src + t * L).intoArray(yt, dst + t * L);
                    }
                }
            }
        });
    }
}
