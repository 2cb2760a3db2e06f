package dev.mtdtl.factor;

import dev.mtdtl.tensor.io.Npy;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Fixture family {@code metrics_ndcg} (truncated IDCG, as sklearn) plus the paper-era variant by hand. */
class NdcgTest {

    private static double[] perUser(int k, Ndcg.Idcg mode) {
        Npy.Array s = Fixtures.npy("metrics_ndcg/scores.npy");
        int[] rel = Fixtures.npy("metrics_ndcg/relevance.npy").toInt();
        int users = s.shape()[0];
        int items = s.shape()[1];
        double[] out = new double[users];
        for (int u = 0; u < users; u++) {
            double[] sc = new double[items];
            boolean[] r = new boolean[items];
            for (int i = 0; i < items; i++) {
                sc[i] = (float) s.values()[u * items + i];
                r[i] = rel[u * items + i] != 0;
            }
            out[u] = Ndcg.atK(sc, r, k, mode);
        }
        return out;
    }

    @Test
    void truncatedMatchesFixture() {
        for (int k : new int[] {10, 500}) {
            double[] got = perUser(k, Ndcg.Idcg.TRUNCATED);
            Close.assertRelL2(Fixtures.f64("metrics_ndcg/ndcg_at_" + k + "_f64.npy"), got, 1e-6, "ndcg@" + k);
            Close.assertRelL2(Fixtures.f64("metrics_ndcg/ndcg_mean_at_" + k + "_f64.npy"),
                    new double[] {Ndcg.meanOverUsers(got)}, 1e-6, "mean ndcg@" + k);
        }
    }

    @Test
    void untruncatedDiffersOnlyWhenMoreRelevantThanK() {
        double[] t = perUser(10, Ndcg.Idcg.TRUNCATED);
        double[] u = perUser(10, Ndcg.Idcg.UNTRUNCATED_PAPER_ERA);
        int[] rel = Fixtures.npy("metrics_ndcg/relevance.npy").toInt();
        for (int user = 0; user < t.length; user++) {
            int n = 0;
            for (int i = 0; i < 200; i++) {
                n += rel[user * 200 + i];
            }
            double ratio = Ndcg.idcg(n, 10, Ndcg.Idcg.TRUNCATED) / Ndcg.idcg(n, 10, Ndcg.Idcg.UNTRUNCATED_PAPER_ERA);
            assertEquals(t[user] * ratio, u[user], 1e-15);
            if (n <= 10) {
                assertEquals(t[user], u[user], 0.0);
            }
        }
        // k >= M: both agree.
        assertArrayEquals(perUser(500, Ndcg.Idcg.TRUNCATED), perUser(500, Ndcg.Idcg.UNTRUNCATED_PAPER_ERA), 0.0);
    }

    @Test
    void recsysProtocolDropsTrainItemsAfterTheCut() {
        // 6 items, scores descending by index; train = {0, 2}; held out = {3, 5}; cutoff 4.
        double[] s = {6, 5, 4, 3, 2, 1};
        boolean[] train = {true, false, true, false, false, false};
        boolean[] held = {false, false, false, true, false, true};
        // top-4 = [0,1,2,3] -> drop train -> [1,3]: hit at filtered rank 1 -> DCG = 1/log2(3).
        double dcg = 1 / (Math.log(3) / Math.log(2));
        double idcg = 1 + 1 / (Math.log(3) / Math.log(2));
        assertEquals(dcg / idcg, Ndcg.recsys(s, train, held, 4, Ndcg.Idcg.UNTRUNCATED_PAPER_ERA), 1e-15);
        // cutoff 1: top-1 = [0] -> empty list; untruncated IDCG still counts both relevant items.
        assertEquals(0.0, Ndcg.recsys(s, train, held, 1, Ndcg.Idcg.UNTRUNCATED_PAPER_ERA), 0.0);
    }

    @Test
    void topKBreaksTiesByIndex() {
        assertArrayEquals(new int[] {1, 3, 0}, Ndcg.topK(new double[] {1, 2, 0, 2, 1}, 3));
        assertArrayEquals(new int[] {1, 3, 0, 4, 2}, Ndcg.topK(new double[] {1, 2, 0, 2, 1}, 9));
    }
}
