package dev.mtdtl.factor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * k-means in one dimension on weighted, sorted, distinct values: the initialiser of {@link Gmm1d}
 * (scikit-learn's {@code init_params='kmeans'}: {@code KMeans(n_clusters=K, n_init=1)}, greedy k-means++
 * seeding with {@code 2 + floor(ln K)} local trials, then Lloyd until the squared centre shift is at most
 * {@code 1e-4 * var(x)}, at most 300 rounds).
 *
 * <p>Letters: U distinct values u (ascending) with weights w (their multiplicities), K centres.
 *
 * <p>One dimension makes both phases cheap and exact. A point is nearer to a new centre c than to every
 * existing centre exactly when it lies strictly inside the Voronoi cell of c among (centres + c): the
 * interval between the midpoints to c's sorted neighbours. So a k-means++ candidate is scored by summing
 * over that interval only, not over all U points. Lloyd's assignment is likewise a set of midpoint
 * boundaries on sorted data, and each cluster's weight and first moment are differences of prefix sums
 * (taken on values shifted by their weighted mean, to keep the cancellation small): O(K log U) a round.
 *
 * <p>Deviations, all deliberate: the random stream is ours (SplittableRandom), so centres are
 * reproducible per seed but not sklearn's; a cluster that ends up empty keeps its centre (sklearn moves it
 * to a far point; with data-point seeds in 1-D this needs fewer than K distinct values); when fewer than K
 * distinct values exist the surplus centres are drawn uniformly among the values (duplicates).
 */
final class KMeans1d {

    private KMeans1d() {}

    /**
     * Hard assignment of each distinct value to one of K centres, as 0-based labels (U), with the centres
     * themselves in {@code centresOut} (K). Values equidistant from two centres go to the lower centre.
     */
    static int[] fit(double[] u, double[] w, int k, long seed, int maxIter, double relTol, double[] centresOut) {
        int n = u.length;
        double[] c = seed(u, w, k, new SplittableRandom(seed));
        Arrays.sort(c);

        // Prefix sums over shifted values for O(1) cluster moments.
        double total = 0;
        double mean = 0;
        for (int i = 0; i < n; i++) {
            total += w[i];
        }
        for (int i = 0; i < n; i++) {
            mean += w[i] * u[i];
        }
        mean /= total;
        double var = 0;
        for (int i = 0; i < n; i++) {
            var += w[i] * (u[i] - mean) * (u[i] - mean);
        }
        var /= total;
        double tol = relTol * var;   // sklearn: tol * mean(var(X, axis=0))
        double[] pw = new double[n + 1];
        double[] px = new double[n + 1];
        for (int i = 0; i < n; i++) {
            pw[i + 1] = pw[i] + w[i];
            px[i + 1] = px[i] + w[i] * (u[i] - mean);
        }
        int[] bound = new int[k + 1];   // cluster j owns sorted values [bound[j], bound[j+1])
        for (int it = 0; it < maxIter; it++) {
            boundaries(u, c, bound);
            double shift = 0;
            for (int j = 0; j < k; j++) {
                double m = pw[bound[j + 1]] - pw[bound[j]];
                if (m > 0) {
                    double nc = mean + (px[bound[j + 1]] - px[bound[j]]) / m;
                    shift += (nc - c[j]) * (nc - c[j]);
                    c[j] = nc;
                }
            }
            // Means of contiguous ordered blocks stay ordered; an empty cluster's kept centre might not.
            Arrays.sort(c);
            if (shift <= tol) {
                break;
            }
        }
        boundaries(u, c, bound);
        int[] label = new int[n];
        for (int j = 0; j < k; j++) {
            Arrays.fill(label, bound[j], bound[j + 1], j);
        }
        System.arraycopy(c, 0, centresOut, 0, k);
        return label;
    }

    /** bound[j] = first sorted value whose nearest centre (lowest on ties) is >= j; c ascending. */
    private static void boundaries(double[] u, double[] c, int[] bound) {
        int k = c.length;
        bound[0] = 0;
        bound[k] = u.length;
        for (int j = 1; j < k; j++) {
            // Values with u - c[j-1] <= c[j] - u, i.e. u <= midpoint, belong to j-1 (ties go low).
            double mid = 0.5 * (c[j - 1] + c[j]);
            bound[j] = Math.max(bound[j - 1], upperBound(u, mid));
        }
    }

    /** Number of entries of ascending {@code a} that are <= x. */
    private static int upperBound(double[] a, double x) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int m = (lo + hi) >>> 1;
            if (a[m] <= x) {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        return lo;
    }

    /** Greedy k-means++ (Arthur and Vassilvitskii 2007; sklearn's _kmeans_plusplus), on weighted points. */
    static double[] seed(double[] u, double[] w, int k, SplittableRandom rng) {
        int n = u.length;
        int trials = 2 + (int) StrictMath.log(k);
        double[] centres = new double[k];
        double[] sorted = new double[k];   // the chosen centres, ascending, first `have` entries
        double[] d2 = new double[n];       // weighted squared distance to the nearest centre: w * min (u-c)^2
        double[] cum = new double[n];

        int first = sample(w, null, n, rng.nextDouble());
        centres[0] = u[first];
        sorted[0] = u[first];
        int have = 1;
        double pot = 0;
        for (int i = 0; i < n; i++) {
            d2[i] = w[i] * (u[i] - u[first]) * (u[i] - u[first]);
            pot += d2[i];
        }
        for (int c = 1; c < k; c++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += d2[i];
                cum[i] = s;
            }
            double best = Double.POSITIVE_INFINITY;
            double bestX = Double.NaN;
            for (int t = 0; t < trials; t++) {
                double x;
                if (s > 0) {
                    x = u[sample(null, cum, n, rng.nextDouble() * s)];
                } else {
                    x = u[rng.nextInt(n)];   // every value is already a centre: duplicate one
                }
                double p = pot + delta(u, d2, w, sorted, have, x, false);
                if (p < best) {
                    best = p;
                    bestX = x;
                }
            }
            delta(u, d2, w, sorted, have, bestX, true);
            centres[c] = bestX;
            int at = Arrays.binarySearch(sorted, 0, have, bestX);
            at = at < 0 ? -at - 1 : at;
            System.arraycopy(sorted, at, sorted, at + 1, have - at);
            sorted[at] = bestX;
            have++;
            pot = 0;
            for (int i = 0; i < n; i++) {
                pot += d2[i];
            }
        }
        return centres;
    }

    /**
     * Change of the potential if centre x is added (and, with {@code apply}, the update of d2): only values
     * strictly inside x's Voronoi cell among the sorted centres can get nearer.
     */
    private static double delta(double[] u, double[] d2, double[] w, double[] sorted, int have, double x, boolean apply) {
        int at = Arrays.binarySearch(sorted, 0, have, x);
        if (at >= 0) {
            return 0;   // already a centre: nothing gets nearer
        }
        at = -at - 1;
        double lo = at > 0 ? 0.5 * (sorted[at - 1] + x) : Double.NEGATIVE_INFINITY;
        double hi = at < have ? 0.5 * (x + sorted[at]) : Double.POSITIVE_INFINITY;
        // One value of slack either side of the cell; the comparison with d2 keeps the sum exact.
        int from = Math.max(0, upperBound(u, lo) - 1);
        int to = Math.min(u.length, upperBound(u, hi) + 1);
        double d = 0;
        for (int i = from; i < to; i++) {
            double nd = w[i] * (u[i] - x) * (u[i] - x);
            if (nd < d2[i]) {
                d += nd - d2[i];
                if (apply) {
                    d2[i] = nd;
                }
            }
        }
        return d;
    }

    /** Index of the first cumulative weight exceeding {@code r} (weights {@code w} or prefix sums {@code cum}). */
    private static int sample(double[] w, double[] cum, int n, double r) {
        if (cum == null) {
            double t = 0;
            for (int i = 0; i < n; i++) {
                t += w[i];
            }
            double target = r * t;
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += w[i];
                if (s > target) {
                    return i;
                }
            }
            return n - 1;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int m = (lo + hi) >>> 1;
            if (cum[m] > r) {
                hi = m;
            } else {
                lo = m + 1;
            }
        }
        return lo;
    }
}
