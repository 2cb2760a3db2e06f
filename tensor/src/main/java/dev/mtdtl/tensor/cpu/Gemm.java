package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.ColdStart;
import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision general matrix multiply, row-major: {@code C = alpha * op(A) * op(B) + beta * C}.
 *
 * <p>Letters: M rows of C and op(A), N columns of C and op(B), K the reduction length; lda/ldb/ldc are
 * the row strides of the matrices as STORED (for transA, A is stored K x M).
 *
 * <p>Algorithm: the GotoBLAS/BLIS loop nest (Goto &amp; van de Geijn, "Anatomy of high-performance
 * matrix multiplication", TOMS 2008). K is cut into blocks of {@link #KC}; for each, op(A) is packed
 * into MR-row panels and op(B) (in blocks of {@link #NC} columns) into NR-column panels, both
 * zero-padded to full panels, so that the micro-kernel always computes a full MR x NR tile with
 * unit-stride loads: per k step it loads 2 vectors of B and broadcasts MR values of A into
 * MR x 2 vector accumulators (MR = 6 at 16 lanes, 4 at 8, where AVX2 has 16 registers: {@link #MR}). The
 * kernel writes its tile to scratch; {@link #addTile} applies alpha, beta and the edges. Where C is narrow
 * ({@link #IN_PLACE_MAX_N}), op(A)'s full panels are read where they lie instead ({@link GemmKernel}'s in-place
 * kernels), same bits.
 *
 * <p>Threads: the tiles of one (K block, N block) are split into chunks of MC rows x NT columns,
 * whose boundaries depend only on the sizes; each C element is summed over k in the same order by
 * exactly one chunk, so results are bit-identical for any thread count.
 *
 * <p>Scratch: {@link #workspaceFloats} floats from a caller-provided array (the 16-argument form
 * allocates it). Omitted: complex types, double, and any batching (callers loop).
 */
public final class Gemm {

    /**
     * The vector shape of every CPU kernel: the platform's preferred one, or 128/256/512 bits from system
     * property {@code mtdtl.vectorBits} (to test the AVX2 code paths on an AVX-512 machine). It narrows only the
     * kernels that take this shape (GEMM, the direct convolutions, Transpose16); the others keep the preferred one,
     * so such a JVM runs two float shapes, which JDK 17's C2 sometimes compiles boxed (README, "Sharing a JVM with
     * other Vector API code"; seen in KernelsStayUnboxedTest at 256 bits). A faithful AVX2 machine: the JVM flag
     * {@code -XX:UseAVX=2}, which narrows the preferred shape itself (e.g. {@code JAVA_TOOL_OPTIONS=-XX:UseAVX=2 mvn
     * -B test}).
     */
    static final VectorSpecies<Float> S = species(System.getProperty("mtdtl.vectorBits", ""));
    static final int VL = S.length();
    /**
     * Which register tiling the 8-lane filter-gradient kernels use: on JDK 17-20 the ones that fill all 16 of AVX2's
     * vector registers ({@link ConvFilterCl}'s 4-channel tile, {@link ConvFilterOc}'s two 13-accumulator halves),
     * measured there at 0.69-0.93x and 0.80x the time of {@link ConvFilter}'s row tile; on JDK 21 and later the same
     * accumulators in smaller passes ({@code ConvFilterCl.tile2} twice, {@link ConvFilterOcRows}' four), because JDK
     * 25's C2 loads the next position's operands before the current one's last FMAs and spilled the full tiles'
     * accumulators through the stack (2.0-3.3x slower than on JDK 17: bench/RESULTS.md, session 38). Bits: every
     * accumulator is the same FMA chain in either tiling, so JDK 17 and JDK 21+ compute the same filter gradients
     * (until 2026-12-06 JDK 21+ took the row tile instead, and other bits: docs/portability.md).
     */
    static final boolean FULL_AVX2_TILES = Runtime.version().feature() < 21;
    /**
     * Micro-tile rows (broadcast A values): 6 with 16-lane vectors (12 accumulators of AVX-512's 32 registers), 4
     * with 8 (8 accumulators + 2 B vectors + 4 broadcasts = 14 of AVX2's 16 registers, even when every broadcast
     * of a k step is loaded ahead). The 6 x 2 tile needs 15 of 16 and only fits if each broadcast is loaded just
     * before its two FMAs: JDK 17's C2 does that (110 GFLOP/s on one Zen 5 core at 8 lanes, operands in L1), JDK
     * 25's loads four broadcasts ahead and spills two accumulators through the stack (49-55 GFLOP/s). 4 x 2: 100
     * on JDK 25, 102 on JDK 17; and the MLP, which reads op(A) in place ({@link GemmKernel#tileRows}, six row
     * offsets at MR 6), runs its epoch in 0.75x the CPU time on JDK 17 and 0.84x on JDK 25 (bench/RESULTS.md,
     * session 39). Fewer than 8 accumulators leave the two FMA pipes waiting on the FMA's 4-cycle latency (a 6 x 1
     * tile, which cannot spill, ran at 72 %). The tile's height changes no element's FMA chain: the same bits.
     */
    static final int MR = VL >= 16 ? 6 : 4;
    /** Micro-tile columns: two vectors. */
    static final int NR = 2 * VL;
    /** K block: a packed B micro-panel (KC x NR) stays in L1, an A block (MC x KC) in L2. */
    static final int KC = 256;
    /** Rows of C per parallel chunk (a multiple of MR). */
    static final int MC = 16 * MR;
    /** Columns of a packed B block. */
    static final int NC = 64 * NR;
    /** Columns of C per parallel chunk (a multiple of NR). */
    static final int NT = 8 * NR;

    private Gemm() {}

    /**
     * Widest C (columns) whose op(A) the kernel reads in place instead of packing it ({@link GemmKernel#tileRows},
     * {@link GemmKernel#tileCols}; the last, partial MR panel is still packed). Packing op(A) pays when each packed
     * panel meets many B panels; for a narrow C it is a large share of the call: 1 thread, A hot, median us, packed
     * against in place (bench/RESULTS.md, session 33): conv61's forward task (256 x 192 x 1,152) 770 -> 712, its
     * data task (1,152 x 192 x 256, op(A) = Aᵀ) 748 -> 601, conv62's 203 -> 170 and 272 -> 171, both at N = 384
     * 5-10 % faster; conv5's task at N = 768 3 % slower. The same FMA chains, so the same bits. At 8 lanes the 6-row
     * {@link GemmKernel#tileRows} ran at half the packed kernel's speed (session 37), so until MR became 4 there only
     * a transposed op(A) was read in place; with 4 rows conv61's forward takes 0.95-0.98x the CPU time of packing.
     */
    static final int IN_PLACE_MAX_N = 16 * NR;

    /**
     * C(MxN) = alpha*op(A)*op(B) + beta*C, row-major; op(A) is MxK, op(B) is KxN; lda/ldb/ldc = row strides
     * of the STORED matrices. beta==0 means C is not read (NaNs in C ignored). Allocates its scratch.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, null, 0);
    }

    /** As above, with scratch {@code ws[wsOff, wsOff + workspaceFloats(m, n, k))} (null: allocate). */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc, float[] ws, int wsOff) {
        check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        long need = workspaceFloats(m, n, k);
        if (ws == null) {
            ws = new float[(int) need];
            wsOff = 0;
        } else if (wsOff < 0 || ws.length - (long) wsOff < need) {
            throw new IllegalArgumentException("gemm workspace has " + (ws.length - (long) wsOff)
                    + " floats from offset " + wsOff + ", needs " + need + " for m=" + m + " n=" + n + " k=" + k);
        }
        run(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws, wsOff);
    }

    /** Scratch floats {@link #sgemm} needs: a packed A K-block, a packed B block, one micro-tile per chunk. */
    public static long workspaceFloats(int m, int n, int k) {
        if (m <= 0 || n <= 0 || k <= 0) {
            return 0;
        }
        long kc = Math.min(k, KC);
        long mp = roundUp(m, MR);
        long np = roundUp(Math.min(n, NC), NR);
        long chunks = (long) ((m + MC - 1) / MC) * ((Math.min(n, NC) + NT - 1) / NT);
        return kc * mp + kc * np + chunks * MR * NR;
    }

    /** The driver; arguments are checked. */
    static void run(boolean transA, boolean transB, int m, int n, int k, float alpha,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float beta, float[] c, int cOff, int ldc, float[] ws, int wsOff) {
        if (k == 0 || alpha == 0f) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        int mp = roundUp(m, MR);
        int aPack = wsOff;                          // (mp/MR panels) x (kc x MR)
        int bPack = wsOff + Math.min(k, KC) * mp;   // (np/NR panels) x (kc x NR)
        int tiles = bPack + Math.min(k, KC) * roundUp(Math.min(n, NC), NR);   // one MR x NR tile per chunk
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            float betaHere = pc == 0 ? beta : 1f;   // later K blocks add onto the partial sums in C
            int pcF = pc;
            boolean inPlace = n <= IN_PLACE_MAX_N;    // (then n <= NC: one N block)
            int fullPanels = m / MR;
            // in place, only the last, partial panel (if any) is packed, in chunk 0
            int aChunks = inPlace ? 1 : Parallel.chunkCount(mp / MR, 16);
            if (n <= NC) {
                // One N block (N <= NC: the small conv layers' im2col GEMMs, the linear layers): A's and B's
                // panels are packed in one parallel loop, not two. A parked pool worker wakes ~17-30 us after a
                // loop starts (bench/RESULTS.md; Parallel's spin between loops avoids most of it), and a small
                // GEMM (conv61: 256 x 384 x 1,152, 5 K blocks) ran 15 loops.
                int np = roundUp(n, NR);
                int bChunks = Parallel.chunkCount(np / NR, 8);
                Parallel.forChunks(aChunks + bChunks, 1, (ch, t0, t1) -> {
                    if (ch < aChunks) {
                        if (inPlace) {
                            packAPanels(transA, a, aOff, lda, m, pcF, kc, ws, aPack, fullPanels, mp / MR);
                        } else {
                            packAPanels(transA, a, aOff, lda, m, pcF, kc, ws, aPack, ch * 16,
                                    Math.min(mp / MR, ch * 16 + 16));
                        }
                    } else {
                        int bc = ch - aChunks;
                        packBPanels(transB, b, bOff, ldb, n, pcF, kc, 0, ws, bPack, bc * 8,
                                Math.min(np / NR, bc * 8 + 8));
                    }
                });
            } else {
                Parallel.forChunks(mp / MR, 16, (ch, p0, p1) ->
                        packAPanels(transA, a, aOff, lda, m, pcF, kc, ws, aPack, p0, p1));
            }
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc);
                int np = roundUp(nc, NR);
                int jcF = jc;
                if (n > NC) {
                    Parallel.forChunks(np / NR, 8, (ch, p0, p1) ->
                            packBPanels(transB, b, bOff, ldb, n, pcF, kc, jcF, ws, bPack, p0, p1));
                }
                int mChunks = (m + MC - 1) / MC;
                int nChunks = (nc + NT - 1) / NT;
                Parallel.forChunks(mChunks * nChunks, 1, (ch, t0, t1) -> {
                    int i0 = (ch % mChunks) * MC;
                    int j0 = (ch / mChunks) * NT;
                    int i1 = Math.min(m, i0 + MC);
                    int j1 = Math.min(nc, j0 + NT);
                    int tile = tiles + ch * MR * NR;            // this chunk's micro-tile scratch
                    boolean cold = COLD.scalar((long) (i1 - i0) * (j1 - j0) * kc);
                    for (int j = j0; j < j1; j += NR) {          // B micro-panel outer: stays in L1
                        int bp = bPack + (j / NR) * NR * kc;
                        int nr = Math.min(NR, j1 - j);
                        for (int i = i0; i < i1; i += MR) {
                            int ap = aPack + (i / MR) * MR * kc;
                            if (cold) {                          // the scalar twins (ColdStart)
                                if (!(inPlace && i / MR < fullPanels)) {
                                    GemmScalar.tile(kc, ws, ap, 1, MR, ws, bp, ws, tile);
                                } else if (transA) {
                                    GemmScalar.tile(kc, a, aOff + pcF * lda + i, 1, lda, ws, bp, ws, tile);
                                } else {
                                    GemmScalar.tile(kc, a, aOff + i * lda + pcF, lda, 1, ws, bp, ws, tile);
                                }
                                GemmScalar.addTile(ws, tile, Math.min(MR, i1 - i), nr, alpha, betaHere, c,
                                        cOff + i * ldc + jcF + j, ldc);
                                continue;
                            }
                            if (inPlace && i / MR < fullPanels) {
                                if (transA) {
                                    GemmKernel.tileCols(kc, a, aOff + pcF * lda + i, lda, ws, bp, ws, tile);
                                } else {
                                    GemmKernel.tileRows(kc, a, aOff + i * lda + pcF, lda, ws, bp, ws, tile);
                                }
                            } else {
                                kernel(kc, ws, ap, bp, tile);
                            }
                            addTile(ws, tile, Math.min(MR, i1 - i), nr, alpha, betaHere, c,
                                    cOff + i * ldc + jcF + j, ldc);
                        }
                    }
                });
            }
        }
    }

    /** C = beta * C (beta == 0 writes zeros without reading). */
    private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int r = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[r + j] = beta == 0f ? 0f : beta * c[r + j];
            }
        }
    }

    /** A's panels [p0, p1) of the K block at pc (m rows in all) into dst at aPack, panel p at aPack + p*MR*kc. */
    private static void packAPanels(boolean transA, float[] a, int aOff, int lda, int m, int pc, int kc, float[] dst,
                                    int aPack, int p0, int p1) {
        for (int p = p0; p < p1; p++) {
            packA(transA, a, aOff, lda, p * MR, Math.min(MR, m - p * MR), pc, kc, dst, aPack + p * MR * kc);
        }
    }

    /** B's panels [p0, p1) of the N block at jc (n columns in all) into dst at bPack, panel p at bPack + p*NR*kc. */
    private static void packBPanels(boolean transB, float[] b, int bOff, int ldb, int n, int pc, int kc, int jc,
                                    float[] dst, int bPack, int p0, int p1) {
        boolean cold = PACK_COLD.scalar((long) (p1 - p0) * NR * kc);
        for (int p = p0; p < p1; p++) {
            int j = jc + p * NR;
            packB(transB, b, bOff, ldb, pc, kc, j, Math.min(NR, n - j), dst, bPack + p * NR * kc, cold);
        }
    }

    /**
     * Floats of B panels a JVM packs by scalar copies first ({@link ColdStart}): 4 M, several forward passes of a 30 s
     * file (the linear layers' transposed weights, conv5-conv62's lowered inputs). Until C2 compiles them, the 16 x 16
     * transposes of {@link Transpose16} run the Vector API's Java fallback: the head's two linear layers took about
     * 0.1 s of a one-file embed there (bench/RESULTS.md, session 53). A copy either way: the same bits.
     */
    private static final ColdStart PACK_COLD = new ColdStart(4L << 20);

    /** Pack rows [i0, i0+mr) x cols [p0, p0+kc) of op(A) as dst[p*MR + r], zero rows beyond mr. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mr, int p0, int kc,
                              float[] dst, int d) {
        if (transA) {             // op(A)[i][p] = a[p*lda + i]: MR consecutive floats per p
            for (int p = 0; p < kc; p++) {
                int src = aOff + (p0 + p) * lda + i0;
                int o = d + p * MR;
                for (int r = 0; r < mr; r++) {
                    dst[o + r] = a[src + r];
                }
                for (int r = mr; r < MR; r++) {
                    dst[o + r] = 0f;
                }
            }
        } else {                  // op(A)[i][p] = a[i*lda + p]: read each row contiguously
            for (int r = 0; r < MR; r++) {
                if (r < mr) {
                    int src = aOff + (i0 + r) * lda + p0;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * MR + r] = a[src + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Pack rows [p0, p0+kc) x cols [j0, j0+nr) of op(B) as dst[p*NR + j], zero columns beyond nr. A full panel of a
     * transposed B (16-lane vectors) is turned around by 16 x 16 blocks in registers ({@link Transpose16}) where it
     * was a scalar loop: 1 thread, the conv61 filter gradient's task (256 x 576 x 384, op(B) = col^T) cost 0.69 ms
     * against 0.65 untransposed, the head's linear forward (32 x 256 x 256, op(B) = W^T) 48 against 34 us
     * (bench/RESULTS.md, session 35). A copy: the same bits.
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nr,
                              float[] dst, int d, boolean cold) {
        if (!transB) {            // op(B)[p][j] = b[p*ldb + j]: vector copies (scalar ones while cold)
            if (nr == NR && !cold) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0;
                    FloatVector.fromArray(S, b, src).intoArray(dst, d + p * NR);
                    FloatVector.fromArray(S, b, src + VL).intoArray(dst, d + p * NR + VL);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0;
                    int o = d + p * NR;
                    for (int j = 0; j < nr; j++) {
                        dst[o + j] = b[src + j];
                    }
                    for (int j = nr; j < NR; j++) {
                        dst[o + j] = 0f;
                    }
                }
            }
        } else if (nr == NR && (VL == 16 || VL == 8) && !cold) {   // op(B)[p][j] = b[j*ldb + p]: VL x VL blocks
            int p = 0;
            for (; p + VL <= kc; p += VL) {
                int src = bOff + j0 * ldb + p0 + p;
                if (VL == 16) {
                    Transpose16.block(dst, d + p * NR, NR, b, src, ldb);                  // columns 0..15
                    Transpose16.block(dst, d + p * NR + VL, NR, b, src + VL * ldb, ldb);  // columns 16..31
                } else {
                    Transpose8.block(dst, d + p * NR, NR, b, src, ldb);                   // columns 0..7
                    Transpose8.block(dst, d + p * NR + VL, NR, b, src + VL * ldb, ldb);   // columns 8..15
                }
            }
            for (; p < kc; p++) {
                for (int j = 0; j < NR; j++) {
                    dst[d + p * NR + j] = b[bOff + (j0 + j) * ldb + p0 + p];
                }
            }
        } else {                  // op(B)[p][j] = b[j*ldb + p]: read each stored row contiguously
            for (int j = 0; j < NR; j++) {
                if (j < nr) {
                    int src = bOff + (j0 + j) * ldb + p0;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * NR + j] = b[src + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * The micro-kernel: tile(MR x NR) = sum_p Apanel[p][:] outer Bpanel[p][:], written to w[t, t + MR*NR).
     * Twelve named accumulators, because C2 keeps named vectors in registers but not vectors held in an
     * array; no branches and no calls taking vectors, so C2 never recompiles it for a new case (alpha,
     * beta, edge tiles are {@link #addTile}'s business) and never boxes the accumulators.
     */
    static void kernel(int kc, float[] w, int ap, int bp, int t) {
        if (MR == 6) {              // a constant: C2 keeps one of the two calls
            kernel6(kc, w, ap, bp, t);
        } else {
            kernel4(kc, w, ap, bp, t);
        }
    }

    /** {@link #kernel} for 6-row panels. */
    static void kernel6(int kc, float[] w, int ap, int bp, int t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kc; p++) {
            int bo = bp + p * NR;
            int ao = ap + p * 6;
            FloatVector b0 = FloatVector.fromArray(S, w, bo);
            FloatVector b1 = FloatVector.fromArray(S, w, bo + VL);
            FloatVector a0 = FloatVector.broadcast(S, w[ao]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            FloatVector a1 = FloatVector.broadcast(S, w[ao + 1]);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            FloatVector a2 = FloatVector.broadcast(S, w[ao + 2]);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            FloatVector a3 = FloatVector.broadcast(S, w[ao + 3]);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
            FloatVector a4 = FloatVector.broadcast(S, w[ao + 4]);
            c40 = b0.fma(a4, c40);
            c41 = b1.fma(a4, c41);
            FloatVector a5 = FloatVector.broadcast(S, w[ao + 5]);
            c50 = b0.fma(a5, c50);
            c51 = b1.fma(a5, c51);
        }
        c00.intoArray(w, t);
        c01.intoArray(w, t + VL);
        c10.intoArray(w, t + NR);
        c11.intoArray(w, t + NR + VL);
        c20.intoArray(w, t + 2 * NR);
        c21.intoArray(w, t + 2 * NR + VL);
        c30.intoArray(w, t + 3 * NR);
        c31.intoArray(w, t + 3 * NR + VL);
        c40.intoArray(w, t + 4 * NR);
        c41.intoArray(w, t + 4 * NR + VL);
        c50.intoArray(w, t + 5 * NR);
        c51.intoArray(w, t + 5 * NR + VL);
    }

    /**
     * {@link #kernel} for 4-row panels ({@code [p][r]}, 4 floats a k step): the same FMA chain per element as
     * {@link #kernel6}, so a 4-row tile holds the bits of the first four rows of a 6-row one.
     */
    static void kernel4(int kc, float[] w, int ap, int bp, int t) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int p = 0; p < kc; p++) {
            int bo = bp + p * NR;
            int ao = ap + p * 4;
            FloatVector b0 = FloatVector.fromArray(S, w, bo);
            FloatVector b1 = FloatVector.fromArray(S, w, bo + VL);
            FloatVector a0 = FloatVector.broadcast(S, w[ao]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            FloatVector a1 = FloatVector.broadcast(S, w[ao + 1]);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            FloatVector a2 = FloatVector.broadcast(S, w[ao + 2]);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            FloatVector a3 = FloatVector.broadcast(S, w[ao + 3]);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
        }
        c00.intoArray(w, t);
        c01.intoArray(w, t + VL);
        c10.intoArray(w, t + NR);
        c11.intoArray(w, t + NR + VL);
        c20.intoArray(w, t + 2 * NR);
        c21.intoArray(w, t + 2 * NR + VL);
        c30.intoArray(w, t + 3 * NR);
        c31.intoArray(w, t + 3 * NR + VL);
    }

    /**
     * Multiply-adds (C elements x kc) a JVM computes with {@link GemmScalar#tile} first ({@link ColdStart}): 128 M,
     * about the GEMMs of a 30 s file's forward (conv5, conv61 and conv62 by im2col and the linear layers: 95 M).
     */
    private static final ColdStart COLD = new ColdStart(128L << 20);

    /** C[0:mr, 0:nr] = alpha * tile + beta * C (beta 0: C not read); tile rows are NR floats at w[t]. */
    static void addTile(float[] w, int t, int mr, int nr, float alpha, float beta, float[] c, int cOff, int ldc) {
        for (int r = 0; r < mr; r++) {
            int tr = t + r * NR;
            int cr = cOff + r * ldc;
            if (nr == NR && alpha == 1f && beta == 0f) {
                FloatVector.fromArray(S, w, tr).intoArray(c, cr);
                FloatVector.fromArray(S, w, tr + VL).intoArray(c, cr + VL);
            } else if (nr == NR && alpha == 1f && beta == 1f) {
                FloatVector.fromArray(S, w, tr).add(FloatVector.fromArray(S, c, cr)).intoArray(c, cr);
                FloatVector.fromArray(S, w, tr + VL).add(FloatVector.fromArray(S, c, cr + VL)).intoArray(c, cr + VL);
            } else {
                for (int j = 0; j < nr; j++) {
                    float v = alpha * w[tr + j];
                    c[cr + j] = beta == 0f ? v : v + beta * c[cr + j];
                }
            }
        }
    }

    private static VectorSpecies<Float> species(String bits) {
        return switch (bits.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> FloatVector.SPECIES_PREFERRED;
        };
    }

    static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    /** Argument contract: dimensions non-negative, every stored matrix inside its array. */
    private static void check(boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm dimensions must be >= 0: m=" + m + " n=" + n + " k=" + k);
        }
        requireMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        requireMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        requireMatrix("C", c, cOff, ldc, m, n);
    }

    /** A stored rows x cols matrix with row stride ld at off must lie inside arr. */
    private static void requireMatrix(String what, float[] arr, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (arr == null) {
            throw new IllegalArgumentException("gemm " + what + " is null but is " + rows + "x" + cols);
        }
        if (ld < cols) {
            throw new IllegalArgumentException("gemm " + what + " is stored " + rows + "x" + cols
                    + " but its row stride is " + ld);
        }
        long end = off + (long) (rows - 1) * ld + cols;
        if (off < 0 || end > arr.length) {
            throw new IllegalArgumentException("gemm " + what + " (" + rows + "x" + cols + ", offset " + off
                    + ", row stride " + ld + ") needs " + end + " elements, array has " + arr.length);
        }
    }
}
