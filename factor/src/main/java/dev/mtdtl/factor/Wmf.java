package dev.mtdtl.factor;

import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Weighted matrix factorisation with item features, fitted by alternating least squares: the model of
 * the recommendation evaluation (paper eq. 7; digest section 6.3 and decision 17; mf-numba
 * {@code cfmodels/factorization/wmf/wmfa.py}).
 *
 * <p>Letters: M users u, I items i, D feature dimensions, r factors. R (M, I) play counts, P = 1[R > 0],
 * confidence c_ui = 1 + alpha r_ui on observed entries and 1 elsewhere. U (M, r), V (I, r), W (D, r),
 * X (I, D) the item features standardised over all items (mean 0, population std 1 per dimension).
 * <pre>
 *   J = sum_ui c_ui (p_ui - u_u.v_i)^2 + lambda_U sum_u |u_u|^2 + lambda_V sum_i |v_i - W^T x_i|^2 + lambda_W |W|^2
 *   u_u = (V^T V + V^T (C_u - I) V + lambda_U I)^-1  V^T C_u p_u                               every epoch: U,
 *   v_i = (U^T U + U^T (C_i - I) U + lambda_V I)^-1 (U^T C_i p_i + lambda_pull W^T x_i)          then V,
 *   W   = (X^T X + (lambda_W / lambda_V) I)^-1 X^T V                                            then W
 * </pre>
 * (Eq. 7 as printed puts 1/2 on the three regularisers but not on the data term; the updates of the
 * reference minimise J above, which is eq. 7 with the 1/2 on every term or on none.) The V^T(C_u - I)V
 * trick makes each user's system cost O(n_u r^2) beyond the shared Gram V^T V: only observed entries
 * differ from confidence 1, and p_u is 0 elsewhere, so V^T C_u p_u = sum over observed items of c_ui v_i.
 *
 * <p>{@link Variant#REFERENCE_CODE} (default) is what the authors' code does: lambda_pull = lambda_W
 * in the V update, a content pull 10^4 times stronger than J implies; the V update then minimises no
 * common objective with the others. {@link Variant#PAPER_CONSISTENT} uses lambda_pull = lambda_V, so
 * every block update is the exact minimiser of J in its block and J never increases (tested).
 * Users without training items keep their random initialisation, and so do items without training
 * users (the held-out items): the reference skips both. W is fitted over all items. Initialisation:
 * U, V, W ~ N(0, 0.01^2) from one seeded stream, in that order.
 *
 * <p>Stability of the reference variant (issue 13: "ALS system of row 0 is not positive definite" on
 * small recommendation sets). Its V update minimises sum_u c (p - u.v)^2 + lambda_V |v - k W^T x|^2 with
 * k = lambda_W / lambda_V = 10^4, and the W refit returns a shrunk copy s V of V (s = e/(e + 10^4) for an
 * eigenvalue e of X X^T). Along a factor direction whose eigenvalue sigma in U^T C_i U is small the
 * epoch multiplies V by about lambda_W s / (sigma + lambda_V): x10^4 s where no user determines the
 * direction (rank r above the number of users), and otherwise a drift that feeds itself, since a larger
 * V makes the next U (same u.v) and so sigma smaller. Nothing in the updates bounds it (there is no
 * objective: -2 lambda_W v.W^T x rewards scale). Once V^T V's condition number passes 1/eps the user
 * systems are no longer numerically positive definite and the fit stops with an error that says so.
 * Measured on the built-in corpus (docs/eval.md): 20 users x 40 items fail in every fold, 33 x 50 at
 * epoch 3, 66 x 100 in none of 15 fits, with the paper variant's nDCG; capping the
 * rank at the number of users still failed 10 of 12 fits. The authors' data have 985 users. Their
 * float32 LU solve would not stop, but by then the weak directions' information is lost to rounding.
 * The paper-consistent variant has no such mode (k = 1: V is pulled to s V, which shrinks).
 *
 * <p>Cold start: an item is scored by content only, s_ui = u_u . (W^T x_i) ({@link #contentFactors}),
 * for training items too (the reference never ranks with the learned V).
 *
 * <p>Speed: a row with at least r/2 entries sums alpha a_j f_j f_j^T straight from the factor rows where
 * they lie ({@link Linalg#gramGathered}, lower triangle, register tiles) and its r x r system is factored
 * with the others of its batch, one per vector lane ({@link CholeskyBatch}: 8 on AVX-512); a row with fewer
 * entries (most items of a long-tailed play matrix) is solved through the Woodbury identity with one shared
 * inverse ({@link Woodbury}: an n x n system instead of an r x r one). X^T V, X W and the one-off X^T X go
 * through the register-tiled {@link Linalg#gemm}, X^T products in blocks of {@link #KBLOCK} items so that
 * a block stays in cache while every thread works on it; W's r right-hand sides are solved together
 * ({@link Linalg#cholSolveMatrix}). Parallelism: users (then items) in fixed chunks, each solving its
 * own rows; Gram matrices are sums over fixed chunks combined in chunk order; every GEMM element is one
 * FMA chain in a fixed order; which path a row takes depends on the data only. Bit-identical for any
 * thread count. Omitted: the log confidence variant, early
 * stopping, biases.
 */
public final class Wmf {

    /** Users or items per parallel chunk; rows of W per chunk of X^T V. */
    static final int GRAIN = 64;

    /** Which coefficient pulls v_i towards its content prediction W^T x_i. */
    public enum Variant { REFERENCE_CODE, PAPER_CONSISTENT }

    /** Settings; the defaults are the paper's (r 50, alpha 0.1, lambda_U = lambda_V = 1e-5, lambda_W 0.1, 15 epochs). */
    public record Options(int rank, double alpha, double lambdaU, double lambdaV, double lambdaW, int iterations,
                          double initStd, long seed, Variant variant, boolean trackObjective) {
        public static Options defaults() {
            return new Options(50, 0.1, 1e-5, 1e-5, 0.1, 15, 0.01, 0L, Variant.REFERENCE_CODE, false);
        }

        public Options withRank(int r) {
            return new Options(r, alpha, lambdaU, lambdaV, lambdaW, iterations, initStd, seed, variant, trackObjective);
        }

        public Options withIterations(int n) {
            return new Options(rank, alpha, lambdaU, lambdaV, lambdaW, n, initStd, seed, variant, trackObjective);
        }

        public Options withSeed(long s) {
            return new Options(rank, alpha, lambdaU, lambdaV, lambdaW, iterations, initStd, s, variant, trackObjective);
        }

        public Options withVariant(Variant v) {
            return new Options(rank, alpha, lambdaU, lambdaV, lambdaW, iterations, initStd, seed, v, trackObjective);
        }

        public Options withAlpha(double a) {
            return new Options(rank, a, lambdaU, lambdaV, lambdaW, iterations, initStd, seed, variant, trackObjective);
        }

        public Options withLambdas(double u, double v, double w) {
            return new Options(rank, alpha, u, v, w, iterations, initStd, seed, variant, trackObjective);
        }

        /** Record J after initialisation and after every epoch (costs about one extra V^T V and U^T U). */
        public Options withObjective(boolean on) {
            return new Options(rank, alpha, lambdaU, lambdaV, lambdaW, iterations, initStd, seed, variant, on);
        }
    }

    /** One thread's buffers for a row solve of rank k, batch bsz and at most maxN entries a row (grown on demand). */
    private static final class RowScratch {
        double[] wt = new double[0];
        double[] mm;
        double[] rhs;
        double[] sys;
        double[] x;
        int[] lanes;
        Woodbury.Work work;

        RowScratch ensure(int k, int bsz, int maxN) {
            if (rhs == null || rhs.length != k || lanes.length != bsz) {
                mm = new double[k * k];
                rhs = new double[k];
                sys = new double[k * k * bsz];
                x = new double[k * bsz];
                lanes = new int[bsz];
                work = new Woodbury.Work(k);
            }
            if (wt.length < maxN) {
                wt = new double[maxN];
            }
            return this;
        }
    }

    /** The state of a fit: factors, standardised features and the cached factor of X^T X + (lambda_W/lambda_V) I. */
    public static final class Model {
        public final int users, items, dims, rank;
        public final Options options;
        /** (M, r), (I, r), (D, r): live arrays, updated by {@link #epoch}. */
        public final double[] u, v, w;
        final Csr r;          // (M, I) counts
        final Csr rt;         // (I, M)
        final double[] x;     // (I, D) standardised
        final double[] xtxChol;   // (D, D) Cholesky factor of X^T X + (lambda_W/lambda_V) I
        final double[] xtxNeg;    // (D, D) its negation (lower triangle), for Linalg.cholSolveMatrix
        /** J after initialisation and after each epoch (empty unless tracked). */
        public double[] objective = new double[0];
        int epochs;
        /**
         * Each thread's buffers for {@link #solveRows}, kept across chunks and epochs: allocated per chunk they
         * were 80 MB a sweep of the benchmark's 28,000 rows (64 rows a chunk, 180 KB each at r = 50). Every
         * entry a solve reads is written first in that solve, so reuse gives the same bits. A per-model
         * ThreadLocal, so the buffers go with the model.
         */
        private final ThreadLocal<RowScratch> scratch = ThreadLocal.withInitial(RowScratch::new);

        /** start: null for the seeded N(0, initStd^2) draws, else {U (M, r), V (I, r), W (D, r)} (copied). */
        Model(Csr r, double[] xStd, int d, Options o, double[][] start) {
            this.users = r.rows;
            this.items = r.cols;
            this.dims = d;
            this.rank = o.rank();
            this.options = o;
            this.r = r;
            this.rt = r.transpose().matrix();
            this.x = xStd;
            if (start == null) {
                SplittableRandom g = new SplittableRandom(o.seed());
                this.u = gaussian(g, users * rank, o.initStd());
                this.v = gaussian(g, items * rank, o.initStd());
                this.w = gaussian(g, d * rank, o.initStd());
            } else {
                this.u = start[0].clone();
                this.v = start[1].clone();
                this.w = start[2].clone();
            }
            this.xtxChol = gramWide(xStd, items, d);
            double ridge = o.lambdaW() / o.lambdaV();
            for (int a = 0; a < d; a++) {
                xtxChol[a * d + a] += ridge;
            }
            if (!Linalg.cholesky(xtxChol, d)) {
                throw new IllegalStateException("X^T X + (lambda_W/lambda_V) I is not positive definite");
            }
            this.xtxNeg = new double[d * d];
            for (int a = 0; a < d; a++) {
                for (int b = 0; b <= a; b++) {
                    xtxNeg[a * d + b] = -xtxChol[a * d + b];
                }
            }
        }

        /** One ALS epoch: U, then V, then W. */
        public void epoch() {
            int k = rank;
            Options o = options;
            // U given V.
            solveRows(u, r, v, gram(v, items, k), o.lambdaU(), null, 0.0, "user");
            // V given U and W: the content pull b += lambda_pull * W^T x_i.
            double[] y = contentFactors();
            double pull = o.variant() == Variant.REFERENCE_CODE ? o.lambdaW() : o.lambdaV();
            solveRows(v, rt, u, gram(u, users, k), o.lambdaV(), y, pull, "item");
            // W given V: (X^T X + ridge I) W = X^T V, columns of W solved with the cached factor.
            double[] xtv = new double[dims * k];   // (D, r) = X^T V; chunks own rows, items summed in order
            gemmTn(xtv, dims, k, x, v, items, false);
            Parallel.forChunks(k, Linalg.TILE,
                    (c, from, to) -> Linalg.cholSolveMatrix(xtxChol, xtxNeg, dims, xtv, k, from, to));
            System.arraycopy(xtv, 0, w, 0, dims * k);
            epochs++;
        }

        /**
         * For each row of {@code a} (users of R, or items of R^T) with at least one entry, solve
         * (G + lambda I + sum_j alpha a_j f_j f_j^T) row = sum_j (1 + alpha a_j) f_j + pull * y_row,
         * where f_j are rows of {@code f}; rows without entries are left as they are. Rows go B (the lane
         * count) at a time through {@link CholeskyBatch}; sum_j alpha a_j f_j f_j^T is one small GEMM of the
         * gathered rows, (alpha a_j f_j)^T (f_j).
         */
        private void solveRows(double[] out, Csr a, double[] f, double[] g, double lambda, double[] y, double pull,
                               String what) {
            int k = rank;
            double alpha = options.alpha();
            int bsz = CholeskyBatch.B;
            int fRows = f.length / k;
            Woodbury wb = null;
            if (Woodbury.worthIt(a, fRows, k)) {
                wb = Woodbury.prepare(g, lambda, f, fRows, y, a.rows, k);
                if (wb == null) {
                    throw notPositiveDefinite(what, firstNonEmpty(a), f);
                }
            }
            Woodbury woodbury = wb;
            Parallel.forChunks(a.rows, GRAIN, (c, from, to) -> {
                int maxN = 0;
                for (int row = from; row < to; row++) {
                    maxN = Math.max(maxN, a.indptr[row + 1] - a.indptr[row]);
                }
                RowScratch sc = scratch.get().ensure(k, bsz, maxN);
                Woodbury.Work ww = sc.work;
                double[] wt = sc.wt;     // (>= n) alpha a_j
                double[] mm = sc.mm;     // (k, k) lower triangle written by gramGathered before it is read
                double[] rhs = sc.rhs;   // (k) written before it is read
                double[] sys = sc.sys;   // (k, k, bsz) lower triangles: every lane written before factorSolve
                double[] x = sc.x;       // (k, bsz) every lane written before factorSolve
                int[] lanes = sc.lanes;
                int used = 0;
                for (int row = from; row <= to; row++) {
                    boolean flush = row == to;
                    if (!flush && woodbury != null && Woodbury.applies(a.indptr[row + 1] - a.indptr[row], k)) {
                        if (!woodbury.solve(out, a, row, f, alpha, pull, ww)) {
                            throw notPositiveDefinite(what, row, f);
                        }
                    } else if (!flush && a.indptr[row] < a.indptr[row + 1]) {
                        int lo = a.indptr[row];
                        int n = a.indptr[row + 1] - lo;
                        if (y != null) {
                            for (int t = 0; t < k; t++) {
                                rhs[t] = pull * y[row * k + t];
                            }
                        } else {
                            Arrays.fill(rhs, 0.0);
                        }
                        // rhs first: its pass over the scattered factor rows brings them into cache
                        // with many loads in flight, for the products that read each row 13 times.
                        for (int j = 0; j < n; j++) {
                            double ar = alpha * a.values[lo + j];
                            wt[j] = ar;
                            Linalg.axpy(1.0 + ar, f, a.indices[lo + j] * k, rhs, 0, k);
                        }
                        Linalg.gramGathered(mm, f, a.indices, lo, wt, n, k);
                        int l = used;
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j <= i; j++) {
                                double v = g[i * k + j] + mm[i * k + j];
                                sys[(i * k + j) * bsz + l] = i == j ? v + lambda : v;
                            }
                            x[i * bsz + l] = rhs[i];
                        }
                        lanes[used++] = row;
                        flush = used == bsz;
                    }
                    if (flush && used > 0) {
                        for (int l = used; l < bsz; l++) {   // idle lanes: the identity
                            for (int i = 0; i < k; i++) {
                                for (int j = 0; j <= i; j++) {
                                    sys[(i * k + j) * bsz + l] = i == j ? 1.0 : 0.0;
                                }
                                x[i * bsz + l] = 0.0;
                            }
                        }
                        int bad = CholeskyBatch.factorSolve(sys, x, k);
                        for (int l = 0; l < used; l++) {
                            if ((bad & (1 << l)) != 0) {
                                throw notPositiveDefinite(what, lanes[l], f);
                            }
                            for (int t = 0; t < k; t++) {
                                out[lanes[l] * k + t] = x[t * bsz + l];
                            }
                        }
                        used = 0;
                    }
                }
            });
        }

        /**
         * The error when a system that is positive definite in exact arithmetic (a Gram matrix plus lambda I)
         * fails Cholesky: the factors {@code f} of the other side have become so unbalanced that the Gram
         * matrix's condition number passed 1/eps. Only the reference variant gets there (class comment: its
         * content pull lets V grow along directions the plays barely determine); the message says so.
         */
        private IllegalStateException notPositiveDefinite(String what, int row, double[] f) {
            double big = 0;
            double small = Double.POSITIVE_INFINITY;
            for (int t = 0; t < rank; t++) {   // column norms of the other side's factors
                double s = 0;
                for (int i = 0; i < f.length / rank; i++) {
                    s += f[i * rank + t] * f[i * rank + t];
                }
                big = Math.max(big, Math.sqrt(s));
                small = Math.min(small, Math.sqrt(s));
            }
            String m = String.format(java.util.Locale.ROOT, "epoch %d: the ALS system of %s %d is not numerically positive "
                    + "definite (the %s factors' column norms span %.3g to %.3g)", epochs + 1, what, row,
                    what.equals("user") ? "item" : "user", small, big);
            if (options.variant() == Variant.REFERENCE_CODE) {
                m += String.format(java.util.Locale.ROOT, "; the reference update pulls V towards lambda_W/lambda_V = %.3g "
                        + "times the content prediction, which grows V without bound along factor directions that "
                        + "few users determine (%d users with plays, rank %d)", options.lambdaW() / options.lambdaV(),
                        activeUsers(), rank);
            }
            return new IllegalStateException(m);
        }

        private static int firstNonEmpty(Csr a) {
            int row = 0;
            while (row < a.rows - 1 && a.indptr[row] == a.indptr[row + 1]) {
                row++;
            }
            return row;
        }

        private int activeUsers() {
            int n = 0;
            for (int row = 0; row < users; row++) {
                n += r.indptr[row] < r.indptr[row + 1] ? 1 : 0;
            }
            return n;
        }

        /** (I, r) content factors W^T x_i of every item: the cold-start item representation. */
        public double[] contentFactors() {
            int k = rank;
            double[] y = new double[items * k];   // (I, r) = X W
            Parallel.forChunks(items, GRAIN, (c, from, to) ->
                    Linalg.gemm(y, from * k, k, x, from * dims, 1, dims, w, 0, k, to - from, k, dims));
            return y;
        }

        /** Content scores of every item for user {@code user}: out[i] = u_user . (W^T x_i). out: (I). */
        public void scoreUser(double[] out, double[] contentFactors, int user) {
            for (int i = 0; i < items; i++) {
                out[i] = Linalg.dot(u, user * rank, contentFactors, i * rank, rank);
            }
        }

        /**
         * J of the current factors (the paper-consistent objective). The dense part sum_ui (u.v)^2 over
         * all pairs is trace((U^T U)(V^T V)); the observed entries then add c(1 - s)^2 - s^2.
         */
        public double objective() {
            int k = rank;
            Options o = options;
            double[] gu = gram(u, users, k);
            double[] gv = gram(v, items, k);
            double all = 0;
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    all += sym(gu, a, b, k) * sym(gv, a, b, k);
                }
            }
            double obs = 0;
            for (int uu = 0; uu < users; uu++) {
                for (int j = r.indptr[uu]; j < r.indptr[uu + 1]; j++) {
                    double s = Linalg.dot(u, uu * k, v, r.indices[j] * k, k);
                    double c = 1 + o.alpha() * r.values[j];
                    obs += c * (1 - s) * (1 - s) - s * s;
                }
            }
            double[] y = contentFactors();
            double pullV = 0;
            for (int i = 0; i < items * k; i++) {
                pullV += (v[i] - y[i]) * (v[i] - y[i]);
            }
            return all + obs + o.lambdaU() * sumSq(u) + o.lambdaV() * pullV + o.lambdaW() * sumSq(w);
        }

        /** Number of epochs run. */
        public int epochs() {
            return epochs;
        }
    }

    private Wmf() {}

    /**
     * Fit on play counts {@code counts} (M, I) and raw item features {@code features} (I, D, row-major),
     * which are standardised here over all I items.
     */
    public static Model fit(Csr counts, double[] features, int d, Options o) {
        Model m = init(counts, features, d, o);
        double[] obj = new double[o.trackObjective() ? o.iterations() + 1 : 0];
        if (o.trackObjective()) {
            obj[0] = m.objective();
        }
        for (int e = 0; e < o.iterations(); e++) {
            m.epoch();
            if (o.trackObjective()) {
                obj[e + 1] = m.objective();
            }
        }
        m.objective = obj;
        return m;
    }

    /** {@link #fit(Csr, double[], int, Options)} for float32 features (the networks' output). */
    public static Model fit(Csr counts, float[] features, int d, Options o) {
        double[] x = new double[features.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = features[i];
        }
        return fit(counts, x, d, o);
    }

    /** A model after initialisation, before any epoch (for benchmarks and step-wise callers). */
    public static Model init(Csr counts, double[] features, int d, Options o) {
        check(counts, features, d, o);
        return new Model(counts, standardise(features, counts.cols, d), d, o, null);
    }

    private static void check(Csr counts, double[] features, int d, Options o) {
        if (o.rank() < 1 || o.iterations() < 0 || !(o.lambdaU() > 0) || !(o.lambdaV() > 0) || !(o.lambdaW() >= 0)
                || !(o.alpha() >= 0)) {
            throw new IllegalArgumentException("bad options " + o);
        }
        if (features.length != (long) counts.cols * d) {
            throw new IllegalArgumentException("features hold " + features.length + " values, not items x D = "
                    + counts.cols + " x " + d);
        }
        for (double c : counts.values) {
            if (c < 0) {
                throw new IllegalArgumentException("negative count " + c);
            }
        }
    }

    /**
     * A model at GIVEN factors U (M, r), V (I, r), W (D, r) on features that are ALREADY standardised
     * ({@code xStandardised} (I, D) is used as it is): step-wise callers run {@link Model#epoch} from
     * there. Used by the conformance cases {@code wmf_als_sweep_*}, which pin one sweep U -> V -> W.
     */
    public static Model fromFactors(Csr counts, double[] xStandardised, int d, double[] u0, double[] v0, double[] w0,
                                    Options o) {
        check(counts, xStandardised, d, o);
        int k = o.rank();
        if (u0.length != (long) counts.rows * k || v0.length != (long) counts.cols * k || w0.length != (long) d * k) {
            throw new IllegalArgumentException("given U, V, W hold " + u0.length + ", " + v0.length + ", " + w0.length
                    + " values, not (users, items, D) x rank = (" + counts.rows + ", " + counts.cols + ", " + d + ") x " + k);
        }
        return new Model(counts, xStandardised.clone(), d, o, new double[][] {u0, v0, w0});
    }

    /**
     * sklearn StandardScaler over rows: (x - mean) / std per column, population std; a constant column
     * (std 0) is only centred (sklearn scales it by 1). Returns a new (n, d) array.
     */
    public static double[] standardise(double[] x, int n, int d) {
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                mean[a] += x[i * d + a];
            }
        }
        for (int a = 0; a < d; a++) {
            mean[a] /= n;
        }
        double[] var = new double[d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                double t = x[i * d + a] - mean[a];
                var[a] += t * t;
            }
        }
        double[] out = new double[n * d];
        for (int a = 0; a < d; a++) {
            double sd = Math.sqrt(var[a] / n);
            var[a] = sd == 0 ? 1.0 : sd;
        }
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                out[i * d + a] = (x[i * d + a] - mean[a]) / var[a];
            }
        }
        return out;
    }

    /**
     * F^T F (k, k) for F (n, k) row-major (the full square; callers read the lower triangle): partial
     * products over fixed row chunks, added in chunk order.
     */
    static double[] gram(double[] f, int n, int k) {
        int grain = Math.max(256, (n + 31) / 32);   // at most 32 partial k x k sums (depends on n only)
        double[][] part = new double[Parallel.chunkCount(n, grain)][];
        Parallel.forChunks(n, grain, (c, from, to) -> {
            double[] g = new double[k * k];
            Linalg.gemm(g, 0, k, f, from * k, k, 1, f, from * k, k, k, k, to - from);
            part[c] = g;
        });
        double[] g = new double[k * k];
        for (double[] p : part) {
            for (int t = 0; t < g.length; t++) {
                g[t] += p[t];
            }
        }
        return g;
    }

    /**
     * Lower triangle (and a little more) of F^T F (k, k) for a wide F (n, k), k up to thousands (X^T X);
     * entries above the diagonal are not all written.
     */
    static double[] gramWide(double[] f, int n, int k) {
        double[] g = new double[k * k];
        gemmTn(g, k, k, f, f, n, true);
        return g;
    }

    /** Rows of A and B per block of {@link #gemmTn}: a block of B (512 wide) stays in L2 while all threads use it. */
    static final int KBLOCK = 128;

    /**
     * C (m, n) += A^T B for A (kk, m) and B (kk, n), both row-major with many rows (items): the rows are
     * taken in blocks of {@link #KBLOCK}, one after the other, and within a block threads own row chunks
     * of C. Each C element is still one FMA chain over the kk rows in order, so the bits are those of
     * one unblocked loop. With {@code lowerOnly} a chunk of C rows [from, to) computes columns [0, to) only.
     */
    static void gemmTn(double[] c, int m, int n, double[] a, double[] b, int kk, boolean lowerOnly) {
        for (int i0 = 0; i0 < kk; i0 += KBLOCK) {
            int len = Math.min(KBLOCK, kk - i0);
            int base = i0;
            Parallel.forChunks(m, 16, (ch, from, to) ->
                    Linalg.gemm(c, from * n, n, a, base * m + from, m, 1, b, base * n, n, to - from,
                            lowerOnly ? Math.min(n, to) : n, len));
        }
    }

    private static double sym(double[] lower, int a, int b, int k) {
        return a >= b ? lower[a * k + b] : lower[b * k + a];
    }

    private static double sumSq(double[] a) {
        double s = 0;
        for (double t : a) {
            s += t * t;
        }
        return s;
    }

    private static double[] gaussian(SplittableRandom g, int n, double std) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = std * g.nextGaussian();
        }
        return a;
    }
}
