package dev.mtdtl.factor;

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
 * Factoring r out as q = n/s is what keeps the responsibilities (N x K) from ever being stored; the
 * passes over the data, their parallel split and why they are deterministic are in {@link PlsaEm}.
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
            // One topic's column at a time (T doubles), not the whole (K, T) transpose: 8 MB instead of 408 MB for
            // the Taste Profile's million users, whose copy was where prepare ran out of a 3 GB heap.
            double[] col = new double[terms];
            int[][] out = new int[topics][];
            for (int z = 0; z < topics; z++) {
                for (int w = 0; w < terms; w++) {
                    col[w] = termTopic[w * topics + z];
                }
                out[z] = TopK.indices(col, 0, terms, n);
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

    /**
     * Told once as EM starts ({@code done} 0, L NaN), then after each iteration: {@code done} of {@code max}
     * iterations, and L of the parameters that iteration started from. A paper-size source (the Taste Profile: 48 M
     * entries) takes minutes; the caller decides how often to say so. It must not throw.
     */
    @FunctionalInterface
    public interface Progress {
        void iteration(int done, int max, double logLik);
    }

    /** Fit pLSA to a nonnegative matrix. */
    public static Result fit(Csr counts, Options o) {
        return run(counts, o, null, null, null);
    }

    /** {@link #fit}, telling {@code progress} after each iteration. */
    public static Result fit(Csr counts, Options o, Progress progress) {
        return run(counts, o, null, null, progress);
    }

    /**
     * {@code o.iterations()} EM iterations from GIVEN parameters instead of the random start: theta0
     * (D, K) P(z|d) and phi0 (K, T) P(w|z), topic-major (the orientation of {@link Result#topicTerm}).
     * Documents and terms are dropped exactly as in {@link #fit}; the kept rows of the given parameters
     * are used as they are, not renormalised. That is exact: an iteration reads phi only at stored
     * entries, and a dropped term with zero total has none, so EM on the submatrix equals EM on the
     * whole matrix (the new phi is renormalised over the kept terms anyway). The logLik of the result
     * starts with L of the given parameters. Used by the conformance case {@code plsa_em_step}.
     */
    public static Result fitFrom(Csr counts, double[] theta0, double[] phi0, Options o) {
        int k = o.topics();
        if (theta0.length != (long) counts.rows * k || phi0.length != (long) k * counts.cols) {
            throw new IllegalArgumentException("given P(z|d) holds " + theta0.length + " values and P(w|z) "
                    + phi0.length + ", not documents x topics = " + counts.rows + " x " + k + " and topics x terms = "
                    + k + " x " + counts.cols);
        }
        for (double[] a : new double[][] {theta0, phi0}) {
            for (double v : a) {
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("given pLSA parameters must be finite and nonnegative, found " + v);
                }
            }
        }
        for (int z = 0; z < k; z++) {
            double t = 0;
            for (int w = 0; w < counts.cols; w++) {
                t += phi0[z * counts.cols + w];
            }
            if (!(t > 0)) {
                throw new IllegalArgumentException("given P(w|z) of topic " + z + " is all zero");
            }
        }
        for (int d = 0; d < counts.rows; d++) {
            double t = 0;
            for (int z = 0; z < k; z++) {
                t += theta0[d * k + z];
            }
            if (!(t > 0) && counts.indptr[d] < counts.indptr[d + 1]) {
                throw new IllegalArgumentException("given P(z|d) of document " + d + " is all zero");
            }
        }
        return run(counts, o, theta0, phi0, null);
    }

    /** fit (theta0 == null: seeded random start) or fitFrom (the given start, phi0 topic-major). */
    private static Result run(Csr counts, Options o, double[] theta0, double[] phi0, Progress progress) {
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
        // Nothing dropped (the usual case): EM runs on the input itself, which it only reads; a copy would be another
        // 12 bytes an entry (576 MB for the Taste Profile's 48 M).
        Csr m = nd == counts.rows && nt == counts.cols ? counts : submatrix(counts, docMap, nd, termMap, nt);

        PlsaEm model = new PlsaEm(m, k, o.tol() > 0);   // a fixed number of iterations never rolls back
        if (theta0 == null) {
            model.init(new SplittableRandom(o.seed()));
        } else {
            for (int d = 0; d < counts.rows; d++) {
                if (docMap[d] >= 0) {
                    System.arraycopy(theta0, d * k, model.theta, docMap[d] * k, k);
                }
            }
            for (int w = 0; w < counts.cols; w++) {   // topic-major (K, T) in, term-major (T', K) in the model
                if (termMap[w] >= 0) {
                    for (int z = 0; z < k; z++) {
                        model.phi[termMap[w] * k + z] = phi0[z * counts.cols + w];
                    }
                }
            }
        }
        // grown as the iterations run: the cap may be far beyond what runs before convergence (2^31 - 1 would even
        // overflow the array size)
        double[] ll = new double[(int) Math.min(o.iterations() + 1L, 1024)];
        boolean converged = false;
        int it = 0;
        if (progress != null) {
            progress.iteration(0, o.iterations(), Double.NaN);   // EM starts (the data is read and checked)
        }
        while (it < o.iterations()) {
            double l = model.iterate();   // L of the parameters before this update
            if (it + 1 >= ll.length) {
                ll = Arrays.copyOf(ll, (int) Math.min(2L * ll.length, o.iterations() + 1L));
            }
            ll[it] = l;
            if (o.tol() > 0 && it > 0 && l - ll[it - 1] < o.tol() * Math.abs(ll[it - 1])) {
                // The update just computed is discarded: the model keeps the parameters whose L was tested.
                model.rollback();
                converged = true;
                break;
            }
            it++;
            if (progress != null) {
                progress.iteration(it, o.iterations(), l);
            }
        }
        if (!converged) {
            ll[it] = model.logLik();
        }
        double[] ll2 = Arrays.copyOf(ll, it + 1);

        // Scatter back to the full shape; when nothing was dropped, the model's arrays are that shape already (theta
        // (D, K) and phi (T, K) term-major, as Result keeps them), and a copy would add 8 (D + T) K bytes to the peak
        // (562 MB for the Taste Profile) while the model still holds its buffers.
        if (m == counts) {
            return new Result(counts.rows, counts.cols, k, model.theta, model.phi, ll2, it, converged, new int[0],
                    new int[0]);
        }
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
    public static PlsaEm model(Csr m, int topics, long seed) {
        for (int d = 0; d < m.rows; d++) {
            if (m.indptr[d] == m.indptr[d + 1]) {
                throw new IllegalArgumentException("row " + d + " is empty");
            }
        }
        PlsaEm model = new PlsaEm(m, topics);
        model.init(new SplittableRandom(seed));
        return model;
    }
}
