package dev.mtdtl.eval;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.GemmKernel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The epochs of {@link Mlp}: per minibatch one Adam step in two parallel passes, with the same bits as the
 * plain sequence of {@code Gemm.sgemm} calls it replaced (below) for any thread count.
 *
 * <p><b>Shapes</b> (m ≤ bs minibatch rows, d inputs, h hidden, c outputs): W0 (d, h), W1 (h, h), W2 (h, c)
 * row-major, as {@link Mlp} keeps them; H1 = relu(X W0 + b0), H2 = relu(H1 W1 + b1), O = H2 W2 + b2 (m, c);
 * D3 = dLoss/dO, D2 = (D3 W2ᵀ)∘[H2 > 0], D1 = (D2 W1ᵀ)∘[H1 > 0]; gWl = Alᵀ Dl + (α/m) Wl with
 * A0 = X, A1 = H1, A2 = H2; gbl = column sums of Dl.
 *
 * <p><b>Pass 1, row-local</b> (units of {@link #ROWS} minibatch rows, plus one unit that sums ‖W‖² for the
 * loss): forward, loss and D3, D2, D1. Every quantity of a minibatch row depends only on that row and the
 * weights, so no unit waits for another. The products read their op(A) rows where they lie
 * ({@link GemmKernel#tileRows}: the minibatch's rows of x, copied once, then the row-major H1, H2, D3, D2 the
 * unit has just written), so no activation is packed for them; each unit writes its rows of Dl, op(B) of the
 * weight gradients, in {@link MlpPanels}' layout (batch-deep, NR lanes: vector copies).
 * <b>Pass 2, per weight rows</b> (one unit for the loss and the biases, then units of {@link #WROWS} rows of
 * one Wl): gWl = Alᵀ Dl for those rows (Alᵀ read in place from the row-major Al: {@link GemmKernel#tileCols}), the L2 term, the Adam step ({@link MlpAdam}), and the updated rows
 * written back into the packed copies of Wl that pass 1 reads (W0, W1, W2 as op(B) of the forward products;
 * W1ᵀ and W2ᵀ as op(B) of the backward ones). Weights are packed once, where they change.
 * An epoch is one parallel region ({@link MlpPhases}): the threads wait for each other at the two phase
 * boundaries of a minibatch by spinning, instead of being parked and woken twice a minibatch.
 *
 * <p><b>Why the bits do not move</b>: every product element is {@link GemmKernel}'s FMA chain over one K
 * block and blocks are added in order (C = tile, or tile + bias, then C = tile + C), exactly as
 * {@code Gemm.sgemm}; the loss terms are summed in row order by one unit; ‖W‖² is one sequential sum; Adam
 * and the bias sums are element-wise or per column in row order. No unit's result depends on which thread
 * ran it or on the others.
 *
 * <p>Replaced (main before issue 15): per minibatch eight {@code Gemm.sgemm} calls that each allocated
 * their scratch, packed both operands and forked three to six times, a scalar Adam loop (20 ms an epoch),
 * and ‖W‖² on one thread while the other waited. Then (issue 15, item 3, second round): op(A) packing of
 * every activation (a strided store per element, a tenth of an epoch), six-float {@code System.arraycopy}
 * calls, the scalar float/double conversions of Adam, two fork-joins a minibatch.
 */
final class MlpStep {

    private static final int MR = GemmKernel.MR;
    private static final int NR = GemmKernel.NR;
    private static final int KC = GemmKernel.KC;
    private static final VectorSpecies<Float> S = GemmKernel.SPECIES;
    private static final int VL = S.length();
    private static final int NONE = 0;
    private static final int RELU = 1;
    private static final int MASK = 2;
    /** Minibatch rows per unit of pass 1 (two row panels: 17 units for 200 rows keep 2 threads even). */
    static final int ROWS = 2 * MR;
    /** Weight rows per unit of pass 2 (8 row panels: W0 of 512 rows is 11 units). */
    static final int WROWS = 8 * MR;

    private final boolean classifier;
    private final int d;
    private final int h;
    private final int c;
    private final double alpha;
    private final float[][] w;
    private final float[][] b;
    private final int[] ins;
    private final int[] outs;
    private final float[][] gw = new float[3][];
    private final float[][] gb = new float[3][];
    private final float[][] mw = new float[3][];
    private final float[][] vw = new float[3][];
    private final float[][] mb = new float[3][];
    private final float[][] vb = new float[3][];

    private final float[] arena;
    private final MlpPanels d3b;
    private final MlpPanels d2b;
    private final MlpPanels d1b;
    private final MlpPanels[] wB = new MlpPanels[3];
    private final MlpPanels[] wT = new MlpPanels[3];
    private final int tiles;

    // Row-major, each with MR rows of slack: tileRows reads a short last row panel on to MR rows, tileCols a
    // short last feature panel MR floats past the last row. What the slack holds never reaches a used tile row.
    private final float[] xg;      // (bs + MR, d): the minibatch's rows of x
    private final float[] h1;      // (bs + MR, h)
    private final float[] h2;      // (bs + MR, h)
    private final float[] o;       // (bs + MR, c): logits, then D3
    private final float[] d2;      // (bs + MR, h)
    private final float[] d1;      // (bs, h)
    private final double[] terms;  // (bs, c): the loss terms, summed in order by the caller's thread
    private final int[] wUnits;    // pass-2 units before each layer's first

    private final int bs;

    // the current epoch (set before its parallel region, read-only in it)
    private float[] x;
    private float[] t;
    private int[] order;
    private int n;
    private double[] lrs;
    private double[] losses;
    /** ‖W‖² before the current minibatch's update: written in its pass 1, read in its pass 2. */
    private double sq;

    /** Takes the row-major weights and biases, which it updates in place. */
    MlpStep(boolean classifier, int d, int h, int c, int bs, double alpha, float[][] w, float[][] b) {
        this.classifier = classifier;
        this.d = d;
        this.h = h;
        this.c = c;
        this.alpha = alpha;
        this.bs = bs;
        this.w = w;
        this.b = b;
        ins = new int[]{d, h, h};
        outs = new int[]{h, h, c};
        for (int l = 0; l < 3; l++) {
            gw[l] = new float[w[l].length];
            gb[l] = new float[b[l].length];
            mw[l] = new float[w[l].length];
            vw[l] = new float[w[l].length];
            mb[l] = new float[b[l].length];
            vb[l] = new float[b[l].length];
        }
        long at = 0;
        d3b = MlpPanels.of((int) at, NR, c);
        at += d3b.floats(bs);
        d2b = MlpPanels.of(checked(at), NR, h);
        at += d2b.floats(bs);
        d1b = MlpPanels.of(checked(at), NR, h);
        at += d1b.floats(bs);
        for (int l = 0; l < 3; l++) {
            wB[l] = MlpPanels.of(checked(at), NR, outs[l]);
            at += wB[l].floats(ins[l]);
            if (l > 0) {
                wT[l] = MlpPanels.of(checked(at), NR, ins[l]);
                at += wT[l].floats(outs[l]);
            }
        }
        wUnits = new int[4];
        for (int l = 0; l < 3; l++) {
            wUnits[l + 1] = wUnits[l] + (ins[l] + WROWS - 1) / WROWS;
        }
        int units = Math.max(1 + (bs + ROWS - 1) / ROWS, wUnits[3] + 1);
        tiles = checked(at);
        at += (long) units * MR * NR;
        arena = new float[checked(at)];
        xg = new float[checked((long) (bs + MR) * d)];
        h1 = new float[(bs + MR) * h];
        h2 = new float[(bs + MR) * h];
        o = new float[(bs + MR) * c];
        d2 = new float[(bs + MR) * h];
        d1 = new float[bs * h];
        terms = new double[bs * c];
        for (int l = 0; l < 3; l++) {
            repack(l, 0, ins[l]);
        }
    }

    private static int checked(long floats) {
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("MLP too large for one arena: " + floats + " floats");
        }
        return (int) floats;
    }

    /**
     * One epoch: minibatch k is rows {@code order[k·bs, min(n, (k + 1)·bs))} of x (n, d) and t (n, c), stepped
     * with size {@code lrs[k]}; {@code losses[k]} receives its loss (mean loss + 0.5·α·‖W‖²/m, ‖W‖² before
     * its update). The weights are updated in place.
     *
     * <p>One parallel region for the whole epoch ({@link MlpPhases}): each minibatch is two phases, pass 1
     * (unit 0: ‖W‖²; unit 1 + i: minibatch rows [i·ROWS, (i + 1)·ROWS)) and pass 2 (unit 0: the loss and the
     * biases; then the {@link #WROWS}-row units of W0, W1, W2). The long units go last in neither pass, so
     * that no thread is left alone with one at the end.
     */
    void epoch(float[] x, float[] t, int[] order, int n, double[] lrs, double[] losses) {
        int batches = (n + bs - 1) / bs;
        if (lrs.length < batches || losses.length < batches) {
            throw new IllegalArgumentException("an epoch of " + n + " rows in minibatches of " + bs + " needs "
                    + batches + " step sizes and losses, got " + lrs.length + " and " + losses.length);
        }
        this.x = x;
        this.t = t;
        this.order = order;
        this.n = n;
        this.lrs = lrs;
        this.losses = losses;
        // No more participants than pass 1 has units: on a many-core machine the rest would only spin.
        int threads = Math.min(Parallel.threads(), 1 + (bs + ROWS - 1) / ROWS);
        MlpPhases phases = new MlpPhases(2 * batches, threads);
        Parallel.forEach(threads, (who, w0, w1) -> phases.take(who,
                p -> p % 2 == 0 ? 1 + (rowsOf(p / 2) + ROWS - 1) / ROWS : wUnits[3] + 1,
                (p, u) -> unit(p % 2, p / 2, u)));
        phases.rethrow();
    }

    /** Rows in minibatch s. */
    private int rowsOf(int s) {
        return Math.min(bs, n - s * bs);
    }

    /** Unit u of pass 1 (pass 0) or pass 2 (pass 1) of minibatch s. */
    private void unit(int pass, int s, int u) {
        if (pass == 0) {
            if (u == 0) {
                sq = sumOfSquares();
            } else {
                rows(u, s, (u - 1) * ROWS, Math.min(rowsOf(s), u * ROWS));
            }
        } else if (u == 0) {
            losses[s] = loss(s);
            biases(u, s);
        } else {
            int l = u <= wUnits[1] ? 0 : u <= wUnits[2] ? 1 : 2;
            int f0 = (u - 1 - wUnits[l]) * WROWS;
            weights(u, s, l, f0, Math.min(ins[l], f0 + WROWS));
        }
    }

    /** Minibatch s's loss from its terms (summed in row order) and ‖W‖². */
    private double loss(int s) {
        int start = s * bs;
        int m = rowsOf(s);
        double loss = 0;
        for (int i = 0; i < m; i++) {
            int tr = order[start + i] * c;
            for (int k = 0; k < c; k++) {
                if (classifier) {
                    if (t[tr + k] > 0) {
                        loss -= terms[i * c + k];
                    }
                } else {
                    loss += terms[i * c + k];
                }
            }
        }
        return loss / m + 0.5 * alpha * sq / m;
    }

    private double sumOfSquares() {
        double s = 0;
        for (float[] wl : w) {
            for (float v : wl) {
                s += (double) v * v;
            }
        }
        return s;
    }

    /** Pass 1 on minibatch rows [r0, r1) (r0 a multiple of MR). */
    private void rows(int u, int s, int r0, int r1) {
        int tile = tiles + u * MR * NR;
        int start = s * bs;
        int m = rowsOf(s);
        for (int r = r0; r < r1; r++) {
            System.arraycopy(x, order[start + r] * d, xg, r * d, d);
        }
        times(xg, d, r0, r1, wB[0], h, d, b[0], h1, RELU, null, tile);
        times(h1, h, r0, r1, wB[1], h, h, b[1], h2, RELU, null, tile);
        times(h2, h, r0, r1, wB[2], c, h, b[2], o, NONE, null, tile);
        for (int r = r0; r < r1; r++) {
            lossAndDelta(r, start, m);
            d3b.putIndexLine(arena, r, o, r * c, c, m);
        }
        times(o, c, r0, r1, wT[2], h, c, null, d2, MASK, h2, tile);
        for (int r = r0; r < r1; r++) {
            d2b.putIndexLine(arena, r, d2, r * h, h, m);
        }
        times(d2, h, r0, r1, wT[1], h, h, null, d1, MASK, h1, tile);
        for (int r = r0; r < r1; r++) {
            d1b.putIndexLine(arena, r, d1, r * h, h, m);
        }
    }

    /**
     * out[r0, r1) (row-major, n columns) = post(op(A) rows [r0, r1) times op(B) (depth k, n columns) + bias),
     * op(A) = a, row-major (m, k) with row stride lda, read in place ({@link GemmKernel#tileRows}; a short
     * last panel reads on into the slack rows and leaves those tile rows unused) (bias null: none): per K block
     * C = tile (or tile + bias), then C = tile + C, as Gemm.sgemm with beta 0 (or beta 1 onto the bias). post,
     * on the last block: {@link #RELU} {@code v < 0 ? 0 : v} (-0 and NaN kept, as the scalar
     * {@code if (v < 0) v = 0}), {@link #MASK} {@code mask <= 0 ? 0 : v} (the ReLU's derivative, mask = the
     * layer's output), or none. Branch-free: with ReLU's random signs an if costs a mispredicted branch every
     * other element (that, not arithmetic, was a tenth of an epoch).
     */
    private void times(float[] a, int lda, int r0, int r1, MlpPanels bm, int n, int k, float[] bias, float[] out,
                       int post, float[] mask, int tile) {
        for (int j0 = 0; j0 < n; j0 += NR) {
            int nr = Math.min(NR, n - j0);
            for (int i0 = r0; i0 < r1; i0 += MR) {
                int mr = Math.min(MR, r1 - i0);   // a short panel reads the rows after r1 (the buffers' slack
                                                  // rows); those tile rows are not used
                for (int kb = 0; kb * KC < k; kb++) {
                    int p0 = kb * KC;
                    GemmKernel.tileRows(Math.min(KC, k - p0), a, i0 * lda + p0, lda, arena, bm.panel(j0, kb, k),
                            arena, tile);
                    boolean lastK = (kb + 1) * KC >= k;
                    for (int r = 0; r < mr; r++) {
                        int co = (i0 + r) * n + j0;
                        int to = tile + r * NR;
                        if (nr == NR) {
                            for (int j = 0; j < NR; j += VL) {
                                FloatVector v = FloatVector.fromArray(S, arena, to + j);
                                if (kb > 0) {
                                    v = v.add(FloatVector.fromArray(S, out, co + j));
                                } else if (bias != null) {
                                    v = v.add(FloatVector.fromArray(S, bias, j0 + j));
                                }
                                if (lastK && post == RELU) {
                                    v = v.blend(0f, v.lt(0f));
                                } else if (lastK && post == MASK) {
                                    v = v.blend(0f, FloatVector.fromArray(S, mask, co + j).compare(VectorOperators.LE, 0f));
                                }
                                v.intoArray(out, co + j);
                            }
                        } else {
                            for (int j = 0; j < nr; j++) {
                                float v = arena[to + j];
                                if (kb > 0) {
                                    v = v + out[co + j];
                                } else if (bias != null) {
                                    v = v + bias[j0 + j];
                                }
                                if (lastK && post == RELU && v < 0) {
                                    v = 0;
                                } else if (lastK && post == MASK && mask[co + j] <= 0) {
                                    v = 0;
                                }
                                out[co + j] = v;
                            }
                        }
                    }
                }
            }
        }
    }

    /** Row r of O: its loss terms into terms, O replaced by the gradient of the mean loss (D3). */
    private void lossAndDelta(int r, int start, int m) {
        int o0 = r * c;
        int tr = order[start + r] * c;
        if (classifier) {
            double mx = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                mx = Math.max(mx, o[o0 + k]);
            }
            // terms' row holds the exponentials until each is used (one StrictMath.exp an element, not two: the same
            // value, so the same bits); it ends up holding log p where t > 0, the only entries loss() reads.
            double z = 0;
            for (int k = 0; k < c; k++) {
                double e = StrictMath.exp(o[o0 + k] - mx);
                terms[o0 + k] = e;
                z += e;
            }
            for (int k = 0; k < c; k++) {
                double p = terms[o0 + k] / z;
                if (t[tr + k] > 0) {
                    terms[o0 + k] = StrictMath.log(Math.max(p, 1e-10));   // sklearn clips probabilities at 1e-10
                }
                o[o0 + k] = (float) ((p - t[tr + k]) / m);
            }
        } else {
            for (int k = 0; k < c; k++) {
                double e = o[o0 + k] - t[tr + k];
                terms[o0 + k] = 0.5 * e * e;
                o[o0 + k] = (float) (e / m);
            }
        }
    }

    /** Pass 2 on rows [f0, f1) of W_l: gradient, Adam, and the packed copies. */
    private void weights(int u, int s, int l, int f0, int f1) {
        int tile = tiles + u * MR * NR;
        int m = rowsOf(s);
        double lrT = lrs[s];
        int n = outs[l];
        float[] a = l == 0 ? xg : l == 1 ? h1 : h2;   // Al (m, ins[l]) row-major: Alᵀ read in place
        int lda = ins[l];
        MlpPanels dm = l == 0 ? d1b : l == 1 ? d2b : d3b;
        float[] g = gw[l];
        float[] wl = w[l];
        float reg = (float) (alpha / m);
        // One row panel at a time, all its columns, then its Adam step and packed copies while its
        // gradient, weights and moments are still in L1/L2 (the whole Adam state, 3.2 MB, is not).
        for (int i0 = f0; i0 < f1; i0 += MR) {
            int mr = Math.min(MR, f1 - i0);
            for (int j0 = 0; j0 < n; j0 += NR) {
                int nr = Math.min(NR, n - j0);
                for (int kb = 0; kb * KC < m; kb++) {
                    GemmKernel.tileCols(Math.min(KC, m - kb * KC), a, kb * KC * lda + i0, lda,
                            arena, dm.panel(j0, kb, m), arena, tile);
                    boolean last = (kb + 1) * KC >= m;
                    for (int r = 0; r < mr; r++) {
                        int co = (i0 + r) * n + j0;
                        int to = tile + r * NR;
                        if (nr == NR) {
                            for (int j = 0; j < NR; j += VL) {   // g = tile (+ g), then g + reg·w
                                FloatVector v = FloatVector.fromArray(S, arena, to + j);
                                if (kb > 0) {
                                    v = v.add(FloatVector.fromArray(S, g, co + j));
                                }
                                if (last) {
                                    v = v.add(FloatVector.fromArray(S, wl, co + j).mul(reg));
                                }
                                v.intoArray(g, co + j);
                            }
                        } else {
                            for (int j = 0; j < nr; j++) {
                                float v = arena[to + j];
                                if (kb > 0) {
                                    v = v + g[co + j];
                                }
                                if (last) {
                                    v = v + reg * wl[co + j];
                                }
                                g[co + j] = v;
                            }
                        }
                    }
                }
            }
            MlpAdam.step(wl, g, mw[l], vw[l], i0 * n, (i0 + mr) * n, lrT);
            repack(l, i0, i0 + mr);
        }
    }

    /** Pass 2's bias unit: gbl = column sums of Dl in row order, and their Adam steps. */
    private void biases(int u, int s) {
        int m = rowsOf(s);
        double lrT = lrs[s];
        for (int l = 0; l < 3; l++) {
            float[] dl = l == 0 ? d1 : l == 1 ? d2 : o;
            int n = outs[l];
            float[] g = gb[l];
            java.util.Arrays.fill(g, 0f);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    g[j] += dl[i * n + j];
                }
            }
            MlpAdam.step(b[l], g, mb[l], vb[l], 0, n, lrT);
        }
    }

    /** Rows [f0, f1) of W_l into its packed copies: op(B) of the forward product, and Wlᵀ's for l > 0. */
    private void repack(int l, int f0, int f1) {
        int n = outs[l];
        for (int f = f0; f < f1; f++) {
            wB[l].putIndexLine(arena, f, w[l], f * n, n, ins[l]);
            if (l > 0) {
                wT[l].putDepthLine(arena, f, w[l], f * n, n);
            }
        }
    }
}
