package dev.mtdtl.factor;

import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Probabilistic latent semantic analysis (Hofmann 1999) by EM on a sparse weighted document x term
 * matrix: the tag, taste, lyrics (on TF-IDF weights), cdr_tag and artist sources (digest section 2,
 * decision 7). The label z_t of a document is its row of P(topic | document).
 *
 * <p>Letters: D documents d, T terms w, K topics z, N stored entries n(d,w) (counts or real weights),
 * theta[d,z] = P(z|d) (rows sum to 1), phi[w,z] = P(w|z) (columns sum to 1 over w).
 * <pre>
 *   E-step   r(z|d,w) = theta[d,z] phi[w,z] / s(d,w),      s(d,w) = sum_z theta[d,z] phi[w,z]
 *   M-step   theta'[d,z] ∝ sum_w n(d,w) r(z|d,w) = theta[d,z] * sum_w q(d,w) phi[w,z]
 *            phi'[w,z]   ∝ sum_d n(d,w) r(z|d,w) = phi[w,z]   * sum_d q(d,w) theta[d,z],   q = n / s
 *   L        = sum_(d,w) n(d,w) ln s(d,w)          (the log-likelihood of the counts given the documents)
 * </pre>
 * Factoring r out as q = n/s is what keeps the responsibilities (N x K) from ever being stored: one
 * iteration keeps one scalar per entry. Pass 1 runs over documents (CSR, chunks of {@link #DOC_GRAIN}
 * rows): s and q of each entry, L, and theta' of the row. Pass 2 runs over terms (the transpose, chunks
 * of {@link #TERM_GRAIN} columns, reading q through the transpose's permutation): phi' of the column and
 * a per-chunk partial of the topic totals. Every output element is written by one chunk and every sum is
 * combined in chunk order, so results are bit-identical for any thread count. Cost: 3 N K multiply-adds
 * an iteration (dot, and two axpys), N logs.
 *
 * <p>Reference behaviour kept: uniform [0,1) initialisation then row normalisation (theta per document,
 * P(w|z) per topic), no tempering, a fixed number of iterations (default 100), terms whose total weight
 * is below {@code minTermTotal} (reference min_count=1) dropped, then documents whose remaining row sums
 * to 0 dropped; a dropped document gets an all-zero theta row and a dropped term an all-zero phi row, and
 * both are reported. Deviation: instead of adding eps=1e-12 to every normaliser (the HEAD Cython
 * version), an entry with s(d,w) = 0 (only possible after underflow) contributes nothing, which keeps EM
 * an exact ascent method. Optional: a relative tolerance on L.
 *
 * <p>Omitted: tempered EM, folding-in of new documents, sparse theta/phi.
 */
public final class Plsa {

    /** Documents per parallel chunk in pass 1, terms per chunk in pass 2 (fixed: see determinism). */
    static final int DOC_GRAIN = 128;
    static final int TERM_GRAIN = 32;

    private Plsa() {}

    /**
     * Settings. {@code tol} > 0 stops early once an iteration improves L by less than tol * |L|;
     * 0 runs exactly {@code iterations} iterations (the reference).
     */
    public record Options(int topics, int iterations, double tol, long seed, double minTermTotal) {
        public static Options defaults() {
            return new Options(50, 100, 0.0, 0L, 1.0);
        }

        public Options withTopics(int k) {
            return new Options(k, iterations, tol, seed, minTermTotal);
        }

        public Options withIterations(int n) {
            return new Options(topics, n, tol, seed, minTermTotal);
        }

        public Options withTol(double t) {
            return new Options(topics, iterations, t, seed, minTermTotal);
        }

        public Options withSeed(long s) {
            return new Options(topics, iterations, tol, s, minTermTotal);
        }

        public Options withMinTermTotal(double m) {
            return new Options(topics, iterations, tol, seed, m);
        }
    }

    /**
     * A fitted model over the full input shape.
     *
     * @param docTopic     (D, K) P(z|d); all-zero rows for dropped documents
     * @param termTopic    (T, K) P(w|z), term-major; each column sums to 1; all-zero rows for dropped terms
     * @param logLik       L before the first iteration and after each one ({@code iterations + 1} values)
     * @param droppedDocs  ascending indices of dropped documents
     * @param droppedTerms ascending indices of dropped terms
     */
    public record Result(int docs, int terms, int topics, double[] docTopic, double[] termTopic, double[] logLik,
                         int iterations, boolean converged, int[] droppedDocs, int[] droppedTerms) {

        /** (K, T) P(w|z), topic-major (a copy). */
        public double[] topicTerm() {
            double[] o = new double[topics * terms];
            for (int w = 0; w < terms; w++) {
                for (int z = 0; z < topics; z++) {
                    o[z * terms + w] = termTopic[w * topics + z];
                }
            }
            return o;
        }

        /** (K, n) the n most probable terms of each topic, best first (ties: lower term index). */
        public int[][] topTerms(int n) {
            double[] tt = topicTerm();
            int[][] out = new int[topics][];
            for (int z = 0; z < topics; z++) {
                out[z] = TopK.indices(tt, z * terms, terms, n);
            }
            return out;
        }

        /** {@link #docTopic} as float32 (the networks' targets). */
        public float[] docTopicFloat() {
            float[] f = new float[docTopic.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) docTopic[i];
            }
            return f;
        }
    }

    /** Fit pLSA to a nonnegative matrix. */
    public static Result fit(Csr counts, Options o) {
        int k = o.topics();
        if (k < 1 || o.iterations() < 0 || !(o.tol() >= 0) || !(o.minTermTotal() >= 0)) {
            throw new IllegalArgumentException("bad options " + o);
        }
        for (double v : counts.values) {
            if (v < 0) {
                throw new IllegalArgumentException("pLSA needs nonnegative weights, found " + v);
            }
        }
        // Drop light terms, then empty documents; renumber what is kept.
        double[] colTot = counts.colSums();
        int[] termMap = new int[counts.cols];   // old -> new, -1 dropped
        int nt = 0;
        for (int w = 0; w < counts.cols; w++) {
            termMap[w] = colTot[w] >= o.minTermTotal() && colTot[w] > 0 ? nt++ : -1;
        }
        int[] docMap = new int[counts.rows];
        int nd = 0;
        for (int d = 0; d < counts.rows; d++) {
            double s = 0;
            for (int j = counts.indptr[d]; j < counts.indptr[d + 1]; j++) {
                if (termMap[counts.indices[j]] >= 0) {
                    s += counts.values[j];
                }
            }
            docMap[d] = s > 0 ? nd++ : -1;
        }
        Csr m = submatrix(counts, docMap, nd, termMap, nt);

        Model model = new Model(m, k);
        model.init(new SplittableRandom(o.seed()));
        double[] ll = new double[o.iterations() + 1];
        boolean converged = false;
        int it = 0;
        while (it < o.iterations()) {
            double l = model.iterate();   // L of the parameters before this update
            ll[it] = l;
            if (o.tol() > 0 && it > 0 && l - ll[it - 1] < o.tol() * Math.abs(ll[it - 1])) {
                // The update just computed is discarded: the model keeps the parameters whose L was tested.
                model.rollback();
                converged = true;
                break;
            }
            it++;
        }
        if (!converged) {
            ll[it] = model.logLik();
        }
        double[] ll2 = Arrays.copyOf(ll, it + 1);

        // Scatter back to the full shape.
        double[] theta = new double[counts.rows * k];
        double[] phi = new double[counts.cols * k];
        int[] dd = new int[counts.rows - nd];
        int[] dt = new int[counts.cols - nt];
        for (int d = 0, x = 0; d < counts.rows; d++) {
            if (docMap[d] < 0) {
                dd[x++] = d;
            } else {
                System.arraycopy(model.theta, docMap[d] * k, theta, d * k, k);
            }
        }
        for (int w = 0, x = 0; w < counts.cols; w++) {
            if (termMap[w] < 0) {
                dt[x++] = w;
            } else {
                System.arraycopy(model.phi, termMap[w] * k, phi, w * k, k);
            }
        }
        return new Result(counts.rows, counts.cols, k, theta, phi, ll2, it, converged, dd, dt);
    }

    private static Csr submatrix(Csr a, int[] docMap, int nd, int[] termMap, int nt) {
        int[] ptr = new int[nd + 1];
        int nnz = 0;
        for (int d = 0; d < a.rows; d++) {
            if (docMap[d] >= 0) {
                for (int j = a.indptr[d]; j < a.indptr[d + 1]; j++) {
                    if (termMap[a.indices[j]] >= 0) {
                        nnz++;
                    }
                }
                ptr[docMap[d] + 1] = nnz;
            }
        }
        int[] idx = new int[nnz];
        double[] val = new double[nnz];
        int x = 0;
        for (int d = 0; d < a.rows; d++) {
            if (docMap[d] >= 0) {
                for (int j = a.indptr[d]; j < a.indptr[d + 1]; j++) {
                    int w = termMap[a.indices[j]];
                    if (w >= 0) {   // renumbering keeps order, so columns stay increasing
                        idx[x] = w;
                        val[x++] = a.values[j];
                    }
                }
            }
        }
        return new Csr(nd, nt, ptr, idx, val);
    }

    /**
     * The EM state on a matrix without empty rows or columns, for step-wise callers and the benchmarks;
     * {@link #fit} is the normal entry (it drops empty rows and light terms first).
     */
    public static Model model(Csr m, int topics, long seed) {
        for (int d = 0; d < m.rows; d++) {
            if (m.indptr[d] == m.indptr[d + 1]) {
                throw new IllegalArgumentException("row " + d + " is empty");
            }
        }
        Model model = new Model(m, topics);
        model.init(new SplittableRandom(seed));
        return model;
    }

    /** EM state: theta, phi, their update buffers and the per-entry q. */
    public static final class Model {
        final Csr m;
        final Csr mt;        // transpose
        final int[] perm;    // entry k of mt is entry perm[k] of m
        final int k;
        double[] theta;      // (D, K)
        double[] phi;        // (T, K)
        double[] thetaNext;  // (D, K) buffers of the update
        double[] phiNext;    // (T, K)
        final double[] q;    // (N) n / s of the current E-step

        Model(Csr m, int k) {
            this.m = m;
            Csr.Transposed t = m.transpose();
            this.mt = t.matrix();
            this.perm = t.perm();
            this.k = k;
            this.theta = new double[m.rows * k];
            this.phi = new double[m.cols * k];
            this.thetaNext = new double[m.rows * k];
            this.phiNext = new double[m.cols * k];
            this.q = new double[m.nnz()];
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

        /** One EM iteration; returns L of the parameters it started from. */
        public double iterate() {
            int k = this.k;
            double[] th = theta;
            double[] ph = phi;
            double[] thn = thetaNext;
            double[] phn = phiNext;
            int[] ip = m.indptr;
            int[] ix = m.indices;
            double[] v = m.values;
            double[] q = this.q;

            // Pass 1: documents.
            double[] llPart = new double[Parallel.chunkCount(m.rows, DOC_GRAIN)];
            Parallel.forChunks(m.rows, DOC_GRAIN, (c, from, to) -> {
                double[] acc = new double[k];
                double ll = 0;
                for (int d = from; d < to; d++) {
                    Arrays.fill(acc, 0.0);
                    int td = d * k;
                    for (int j = ip[d]; j < ip[d + 1]; j++) {
                        int tw = ix[j] * k;
                        double s = Linalg.dot(th, td, ph, tw, k);
                        if (s > 0) {
                            double qj = v[j] / s;
                            q[j] = qj;
                            ll += v[j] * Math.log(s);
                            for (int z = 0; z < k; z++) {
                                acc[z] += qj * ph[tw + z];
                            }
                        } else {
                            q[j] = 0;
                        }
                    }
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
                }
                llPart[c] = ll;
            });

            // Pass 2: terms, through the transpose; reads the OLD theta.
            int[] tp = mt.indptr;
            int[] tx = mt.indices;
            int[] pm = perm;
            double[][] colPart = new double[Parallel.chunkCount(m.cols, TERM_GRAIN)][];
            Parallel.forChunks(m.cols, TERM_GRAIN, (c, from, to) -> {
                double[] tot = new double[k];
                double[] acc = new double[k];
                for (int w = from; w < to; w++) {
                    Arrays.fill(acc, 0.0);
                    for (int j = tp[w]; j < tp[w + 1]; j++) {
                        double qj = q[pm[j]];
                        int td = tx[j] * k;
                        for (int z = 0; z < k; z++) {
                            acc[z] += qj * th[td + z];
                        }
                    }
                    int tw = w * k;
                    for (int z = 0; z < k; z++) {
                        double t = ph[tw + z] * acc[z];
                        phn[tw + z] = t;
                        tot[z] += t;
                    }
                }
                colPart[c] = tot;
            });
            double[] tot = new double[k];
            for (double[] p : colPart) {
                for (int z = 0; z < k; z++) {
                    tot[z] += p[z];
                }
            }
            double[] inv = new double[k];
            for (int z = 0; z < k; z++) {
                inv[z] = 1.0 / tot[z];
            }
            Parallel.forChunks(m.cols, TERM_GRAIN * 8, (c, from, to) -> {
                for (int w = from; w < to; w++) {
                    for (int z = 0; z < k; z++) {
                        phn[w * k + z] *= inv[z];
                    }
                }
            });
            theta = thn;
            thetaNext = th;
            phi = phn;
            phiNext = ph;
            double ll = 0;
            for (double p : llPart) {
                ll += p;
            }
            return ll;
        }

        /** Undo the last {@link #iterate} (its buffers still hold the previous parameters). */
        void rollback() {
            double[] t = theta;
            theta = thetaNext;
            thetaNext = t;
            double[] p = phi;
            phi = phiNext;
            phiNext = p;
        }

        /** L of the current parameters (pass 1 without the update). */
        public double logLik() {
            int k = this.k;
            double[] llPart = new double[Parallel.chunkCount(m.rows, DOC_GRAIN)];
            Parallel.forChunks(m.rows, DOC_GRAIN, (c, from, to) -> {
                double ll = 0;
                for (int d = from; d < to; d++) {
                    for (int j = m.indptr[d]; j < m.indptr[d + 1]; j++) {
                        double s = Linalg.dot(theta, d * k, phi, m.indices[j] * k, k);
                        if (s > 0) {
                            ll += m.values[j] * Math.log(s);
                        }
                    }
                }
                llPart[c] = ll;
            });
            double ll = 0;
            for (double p : llPart) {
                ll += p;
            }
            return ll;
        }
    }
}
