package dev.mtdtl.factor;

import java.util.Arrays;

/**
 * nDCG with binary relevance, in the two flavours the recommendation evaluation needs (digest section
 * 6.3, decision 17), each named explicitly because they differ whenever a user has more relevant items
 * than the cutoff k:
 * <pre>
 *   DCG@k              = sum over the first min(k, M) ranked items, 0-based rank j, of rel_j / log2(j + 2)
 *   IDCG, TRUNCATED    = sum_{j < min(k, |R|)} 1 / log2(j + 2)   (sklearn ndcg_score; mf-numba after 621a840)
 *   IDCG, UNTRUNCATED  = sum_{j < |R|}         1 / log2(j + 2)   (mf-numba at paper time: the paper's numbers)
 * </pre>
 * The untruncated form can never reach 1 when |R| > k, so it reads lower than the truncated one.
 * Ranking is by descending score, ties broken by the lower item index (deterministic; the reference
 * relies on distinct scores). Omitted: graded relevance, other metrics (AP, recall).
 */
public final class Ndcg {

    private Ndcg() {}

    /** Which ideal DCG normalises the DCG. */
    public enum Idcg {
        /** {@code min(k, |R|)} ideal terms: sklearn {@code ndcg_score}, the metrics_ndcg fixture. */
        TRUNCATED,
        /** {@code |R|} ideal terms whatever k: the paper-era mf-numba {@code metrics.ndcg}. */
        UNTRUNCATED_PAPER_ERA
    }

    /** 1 / log2(j + 2) for 0-based rank j. */
    public static double discount(int j) {
        return 1.0 / (StrictMath.log(j + 2.0) / StrictMath.log(2.0));
    }

    /** Ideal DCG for {@code nRelevant} relevant items at cutoff {@code k}. */
    public static double idcg(int nRelevant, int k, Idcg mode) {
        int n = mode == Idcg.TRUNCATED ? Math.min(k, nRelevant) : nRelevant;
        double s = 0;
        for (int j = 0; j < n; j++) {
            s += discount(j);
        }
        return s;
    }

    /** DCG of the first {@code len} entries of a ranked list of item ids. */
    public static double dcg(int[] ranked, int len, boolean[] relevant) {
        double s = 0;
        for (int j = 0; j < len; j++) {
            if (relevant[ranked[j]]) {
                s += discount(j);
            }
        }
        return s;
    }

    /**
     * nDCG@k of one user: rank all M items by {@code scores} (M), relevance {@code relevant} (M).
     * Returns NaN when the user has no relevant item (callers average over users that have one).
     */
    public static double atK(double[] scores, boolean[] relevant, int k, Idcg mode) {
        int nRel = 0;
        for (boolean b : relevant) {
            nRel += b ? 1 : 0;
        }
        if (nRel == 0) {
            return Double.NaN;
        }
        int[] top = topK(scores, Math.min(k, scores.length));
        return dcg(top, top.length, relevant) / idcg(nRel, k, mode);
    }

    /**
     * The recommendation protocol of the reference (digest 6.3, scoring steps 2-5): take the top
     * {@code cutoff} of all items by score, remove the user's training items from that list (leaving at
     * most {@code cutoff}), and score the remaining list against the held-out relevant items, 0-based rank
     * counted in the filtered list. NaN when {@code heldOut} is empty.
     *
     * @param scores   (M) content scores of every item for this user
     * @param train    (M) true for the user's training items
     * @param heldOut  (M) true for the user's held-out (relevant) items
     */
    public static double recsys(double[] scores, boolean[] train, boolean[] heldOut, int cutoff, Idcg mode) {
        int nRel = 0;
        for (boolean b : heldOut) {
            nRel += b ? 1 : 0;
        }
        if (nRel == 0) {
            return Double.NaN;
        }
        int[] top = topK(scores, Math.min(cutoff, scores.length));
        int len = 0;
        for (int item : top) {
            if (!train[item]) {
                top[len++] = item;
            }
        }
        return dcg(top, len, heldOut) / idcg(nRel, cutoff, mode);
    }

    /** The mean of the non-NaN entries (users without relevant items are skipped); NaN if none. */
    public static double meanOverUsers(double[] perUser) {
        double s = 0;
        int n = 0;
        for (double x : perUser) {
            if (!Double.isNaN(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Indices of the {@code k} largest scores, best first; ties by the lower index ({@link TopK}). */
    public static int[] topK(double[] scores, int k) {
        return TopK.indices(scores, k);
    }

    /** Float overload for scores computed in float32. */
    public static double atK(float[] scores, boolean[] relevant, int k, Idcg mode) {
        double[] d = new double[scores.length];
        Arrays.setAll(d, i -> scores[i]);
        return atK(d, relevant, k, mode);
    }
}
