package dev.mtdtl.factor;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.StrictLog;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The EM iterations of {@link Plsa} on a matrix without empty rows or columns.
 *
 * <p>Letters as in {@link Plsa}: D documents, T terms, K topics, N entries; theta (D, K), phi (T, K)
 * term-major. With q(d,w) = n(d,w) / s(d,w) and s(d,w) = theta_d . phi_w, one iteration is
 * <pre>
 *   a_d = sum_{w in d} q(d,w) phi_w        theta'_d = normalise(theta_d * a_d)
 *   b_w = sum_{d in w} q(d,w) theta_d      phi'_w   = (phi_w * b_w) / column totals
 *   L   = sum n(d,w) ln s(d,w)             (of the parameters the iteration starts from)
 * </pre>
 * Cost: 3 N K multiply-adds (one dot, two axpys per entry) and N logs; memory beyond the parameters:
 * one double per entry at most. The N x K responsibilities are never formed.
 *
 * <p>Two ways to get b, chosen from the shape alone (so the choice, and the bits, never depend on the
 * thread count):
 * <ul>
 *   <li><b>Fused</b> (when {@link #PARTS} partial copies of b, T K doubles each, fit in
 *       {@link #PARTIAL_BUDGET_BYTES}): documents are split into {@code PARTS} fixed ranges; a range
 *       computes s, q, a_d and theta'_d and scatters q theta_d into its own partial b while theta_d is
 *       in L1 and phi_w was just read. The partials are then added in range order. One pass over the
 *       data, and no random reads of theta rows (16 MB at D = 40,000): about twice as fast as the
 *       other way at the benchmark size.</li>
 *   <li><b>Two pass</b> (vocabularies too large for the partials, such as taste's million users): pass 1
 *       over documents stores q per entry; pass 2 runs over the transpose (CSC), reading q through the
 *       transpose's permutation, and writes b_w of its own terms.</li>
 * </ul>
 * Both do the same arithmetic in a different order of additions, hence agree to rounding, not bits.
 * Every sum over chunks is combined in chunk order.
 */
public final class PlsaEm {

    /** Fixed number of document ranges of the fused iteration. */
    static final int PARTS = 32;
    /** Memory allowed for the fused iteration's partial b (PARTS x T x K doubles). */
    static final long PARTIAL_BUDGET_BYTES = 256L << 20;
    /** Documents per chunk of the two-pass iteration, terms per chunk of the column passes. */
    static final int DOC_GRAIN = 128;
    static final int TERM_GRAIN = 32;

    final Csr m;
    final int k;
    double[] theta;        // (D, K)
    double[] phi;          // (T, K)
    double[] thetaNext;    // (D, K) update buffers, swapped in after an iteration
    double[] phiNext;      // (T, K)
    private final double[][] bPart;   // fused: (PARTS)(T, K) partial b; null for two-pass
    private final Csr.Pattern mt;     // two-pass: the transpose's structure (its values are never read)
    private final int[] perm;         // two-pass: entry j of mt is entry perm[j] of m
    private final double[] q;         // two-pass: (N) q of the current iteration

    PlsaEm(Csr m, int k) {
        this(m, k, true);
    }

    /**
     * {@code rollback} false gives up {@link #rollback} for memory: the two-pass iteration then updates phi in place
     * (its term pass writes phi_w from phi_w alone, after the document pass has read every phi_w), so the second
     * (T, K) buffer is never allocated: 408 MB for the Taste Profile's million users. Same arithmetic, same bits.
     * The fused iteration keeps both buffers (it writes the partial sums into the next phi before multiplying by the
     * old one), whose vocabularies are small by its own rule.
     */
    PlsaEm(Csr m, int k, boolean rollback) {
        this(m, k, (long) PARTS * m.cols * k * 8 <= PARTIAL_BUDGET_BYTES, rollback);
    }

    /** {@code fused} picks the strategy (tests exercise both on small shapes). */
    PlsaEm(Csr m, int k, boolean fused, boolean rollback) {
        this.m = m;
        this.k = k;
        this.theta = new double[m.rows * k];
        this.phi = new double[m.cols * k];
        this.thetaNext = new double[m.rows * k];
        this.phiNext = fused || rollback ? new double[m.cols * k] : phi;
        if (fused) {
            this.bPart = new double[PARTS][m.cols * k];
            this.mt = null;
            this.perm = null;
            this.q = null;
        } else {
            Csr.Pattern t = m.transposedPattern();
            this.bPart = null;
            this.mt = t;
            this.perm = t.perm();
            this.q = new double[m.nnz()];
        }
    }

    /** Uniform [0,1) draws, theta row by row (D x K), then P(w|z) topic by topic (K x T); normalised. */
    void init(SplittableRandom r) {
        for (int d = 0; d < m.rows; d++) {
            double s = 0;
            for (int z = 0; z < k; z++) {
                double v = r.nextDouble();
                theta[d * k + z] = v;
                s += v;
            }
            for (int z = 0; z < k; z++) {
                theta[d * k + z] /= s;
            }
        }
        for (int z = 0; z < k; z++) {
            double s = 0;
            for (int w = 0; w < m.cols; w++) {
                double v = r.nextDouble();
                phi[w * k + z] = v;
                s += v;
            }
            for (int w = 0; w < m.cols; w++) {
                phi[w * k + z] /= s;
            }
        }
    }

    /** Whether this state uses the fused iteration (else two-pass). */
    public boolean fused() {
        return bPart != null;
    }

    /** One EM iteration; returns L of the parameters it started from. */
    public double iterate() {
        double ll = bPart != null ? fusedPass() : twoPass();
        normalisePhi();
        double[] t = theta;
        theta = thetaNext;
        thetaNext = t;
        double[] p = phi;
        phi = phiNext;
        phiNext = p;
        return ll;
    }

    /** Undo the last {@link #iterate} (its buffers still hold the previous parameters). */
    void rollback() {
        if (phiNext == phi) {
            throw new IllegalStateException("rollback of an EM state made without rollback (phi updated in place)");
        }
        double[] t = theta;
        theta = thetaNext;
        thetaNext = t;
        double[] p = phi;
        phi = phiNext;
        phiNext = p;
    }

    /**
     * theta'_d of one document into thetaNext, and, when {@code b} is given, b += q theta_d per entry;
     * when {@code qOut} is given, q per entry. Returns the document's share of L. {@code sl}: scratch of
     * {@link #scratch} of the document's chunk, the document's s per entry, then their logs.
     */
    private double document(int d, double[] acc, double[] b, double[] qOut, double[] sl) {
        int k = this.k;
        double[] th = theta;
        double[] ph = phi;
        double[] v = m.values;
        int[] ix = m.indices;
        Arrays.fill(acc, 0.0);
        int td = d * k;
        int lo = m.indptr[d];
        int j = lo;
        int hi = m.indptr[d + 1];
        // Two entries a step: their dot products are independent, so the second overlaps the first's
        // division and axpys. The updates still happen in entry order: the same bits as one at a time.
        for (; b != null && j + 1 < hi; j += 2) {
            int tw0 = ix[j] * k;
            int tw1 = ix[j + 1] * k;
            double s0 = Linalg.dot(th, td, ph, tw0, k);
            double s1 = Linalg.dot(th, td, ph, tw1, k);
            sl[j - lo] = s0;
            sl[j + 1 - lo] = s1;
            if (s0 > 0) {
                double q0 = v[j] / s0;
                Linalg.axpy(q0, ph, tw0, acc, 0, k);
                Linalg.axpy(q0, th, td, b, tw0, k);
            }
            if (s1 > 0) {
                double q1 = v[j + 1] / s1;
                Linalg.axpy(q1, ph, tw1, acc, 0, k);
                Linalg.axpy(q1, th, td, b, tw1, k);
            }
        }
        for (; j < hi; j++) {
            int tw = ix[j] * k;
            double s = Linalg.dot(th, td, ph, tw, k);
            sl[j - lo] = s;
            double qj = 0;
            if (s > 0) {   // s = 0 only after underflow: the entry then carries no information
                qj = v[j] / s;
                Linalg.axpy(qj, ph, tw, acc, 0, k);
                if (b != null) {
                    Linalg.axpy(qj, th, td, b, tw, k);
                }
            }
            if (qOut != null) {
                qOut[j] = qj;
            }
        }
        double ll = logTerms(0, lo, hi, sl);
        double[] thn = thetaNext;
        double sum = 0;
        for (int z = 0; z < k; z++) {
            double t = th[td + z] * acc[z];
            thn[td + z] = t;
            sum += t;
        }
        double inv = 1.0 / sum;
        for (int z = 0; z < k; z++) {
            thn[td + z] *= inv;
        }
        return ll;
    }

    private double fusedPass() {
        int grain = Math.max(1, (m.rows + PARTS - 1) / PARTS);   // >= 1 even when every row was dropped
        double[] llPart = new double[PARTS];
        Parallel.forChunks(m.rows, grain, (c, from, to) -> {
            double[] acc = new double[k];
            double[] sl = scratch(from, to);
            double[] b = bPart[c];
            Arrays.fill(b, 0.0);
            double ll = 0;
            for (int d = from; d < to; d++) {
                ll += document(d, acc, b, null, sl);
            }
            llPart[c] = ll;
        });
        int parts = Parallel.chunkCount(m.rows, grain);
        // phiNext_w = phi_w * sum over parts of b, in part order.
        Parallel.forChunks(m.cols, TERM_GRAIN, (c, from, to) -> {
            int lo = from * k;
            int hi = to * k;
            double[] pn = phiNext;
            System.arraycopy(bPart[0], lo, pn, lo, hi - lo);
            for (int p = 1; p < parts; p++) {
                double[] b = bPart[p];
                for (int i = lo; i < hi; i++) {
                    pn[i] += b[i];
                }
            }
            for (int i = lo; i < hi; i++) {
                pn[i] *= phi[i];
            }
        });
        return sum(llPart);
    }

    private double twoPass() {
        double[] llPart = new double[Parallel.chunkCount(m.rows, DOC_GRAIN)];
        Parallel.forChunks(m.rows, DOC_GRAIN, (c, from, to) -> {
            double[] acc = new double[k];
            double[] sl = scratch(from, to);
            double ll = 0;
            for (int d = from; d < to; d++) {
                ll += document(d, acc, null, q, sl);
            }
            llPart[c] = ll;
        });
        // Terms through the transpose; reads the OLD theta (not yet swapped).
        int[] tPtr = mt.indptr();
        int[] tIdx = mt.indices();
        Parallel.forChunks(m.cols, TERM_GRAIN, (c, from, to) -> {
            double[] acc = new double[k];
            for (int w = from; w < to; w++) {
                Arrays.fill(acc, 0.0);
                for (int j = tPtr[w]; j < tPtr[w + 1]; j++) {
                    Linalg.axpy(q[perm[j]], theta, tIdx[j] * k, acc, 0, k);
                }
                int tw = w * k;
                for (int z = 0; z < k; z++) {
                    phiNext[tw + z] = phi[tw + z] * acc[z];
                }
            }
        });
        return sum(llPart);
    }

    /** Divide each column of phiNext by its total (totals summed over fixed term chunks, in order). */
    private void normalisePhi() {
        double[][] colPart = new double[Parallel.chunkCount(m.cols, TERM_GRAIN)][];
        Parallel.forChunks(m.cols, TERM_GRAIN, (c, from, to) -> {
            double[] tot = new double[k];
            for (int w = from; w < to; w++) {
                for (int z = 0; z < k; z++) {
                    tot[z] += phiNext[w * k + z];
                }
            }
            colPart[c] = tot;
        });
        double[] inv = new double[k];
        for (int z = 0; z < k; z++) {
            double t = 0;
            for (double[] p : colPart) {
                t += p[z];
            }
            inv[z] = 1.0 / t;
        }
        Parallel.forChunks(m.cols, TERM_GRAIN * 8, (c, from, to) -> {
            for (int w = from; w < to; w++) {
                for (int z = 0; z < k; z++) {
                    phiNext[w * k + z] *= inv[z];
                }
            }
        });
    }

    /** L of the current parameters (the dots and logs of an iteration, no update). */
    public double logLik() {
        double[] llPart = new double[Parallel.chunkCount(m.rows, DOC_GRAIN)];
        Parallel.forChunks(m.rows, DOC_GRAIN, (c, from, to) -> {
            double[] sl = scratch(from, to);
            double ll = 0;
            for (int d = from; d < to; d++) {
                int lo = m.indptr[d];
                int hi = m.indptr[d + 1];
                for (int j = lo; j < hi; j++) {
                    sl[j - lo] = Linalg.dot(theta, d * k, phi, m.indices[j] * k, k);
                }
                ll = logTerms(ll, lo, hi, sl);   // one running sum over the chunk's entries, as before
            }
            llPart[c] = ll;
        });
        return sum(llPart);
    }

    /**
     * A chunk's scratch for its documents' s and logs: two halves of its longest document's length. Sized per chunk, not
     * by the longest document of the matrix: with the Taste Profile's popular songs (the first holds about 4 % of the
     * 48 M entries) a matrix-wide size made each of the 3,000 chunks of 128 documents allocate and zero 29 MB, about
     * 90 GB an iteration (bench/RESULTS.md, "Session 47"). Scratch only: the bits do not depend on its size.
     */
    private double[] scratch(int from, int to) {
        int longest = 0;
        for (int d = from; d < to; d++) {
            longest = Math.max(longest, m.indptr[d + 1] - m.indptr[d]);
        }
        return new double[2 * longest];
    }

    /**
     * {@code ll} plus a document's terms of L from its s per entry ({@code sl[0, hi - lo)}): n(d,w) ln s for the
     * entries with s > 0, added one by one in entry order (the bits of adding each term as its dot product
     * finishes). The logs run in vector lanes ({@link StrictLog}: StrictMath's bits), into the scratch's second
     * half ({@code sl[sl.length / 2, ...)}).
     */
    private double logTerms(double ll, int lo, int hi, double[] sl) {
        int n = hi - lo;
        int half = sl.length / 2;
        StrictLog.log(sl, 0, sl, half, n);
        double[] v = m.values;
        for (int j = 0; j < n; j++) {
            if (sl[j] > 0) {
                ll += v[lo + j] * sl[half + j];
            }
        }
        return ll;
    }

    private static double sum(double[] a) {
        double s = 0;
        for (double x : a) {
            s += x;
        }
        return s;
    }
}
