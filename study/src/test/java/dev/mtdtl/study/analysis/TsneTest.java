package dev.mtdtl.study.analysis;

import dev.mtdtl.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** t-SNE keeps separated clusters apart, its affinities form a symmetric joint distribution, and it is reproducible from its seed. */
class TsneTest {

    /** Three Gaussian clusters in 20-D, centres 10 sd apart; 30 points each. */
    static float[] clusters(int per, int d, long seed) {
        Rng r = new Rng(seed);
        float[] x = new float[3 * per * d];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < per; i++) {
                for (int k = 0; k < d; k++) {
                    x[((c * per) + i) * d + k] = (float) ((k == c ? 10 : 0) + r.nextGaussian());
                }
            }
        }
        return x;
    }

    @Test
    void separatesClustersAndIsSeeded() {
        int per = 30;
        int d = 20;
        float[] x = clusters(per, d, 1);
        double[][] y = Tsne.run(x, 3 * per, d, 15, 500, 7);
        int agree = 0;
        for (int i = 0; i < 3 * per; i++) {        // nearest neighbour in the map from the same cluster
            int best = -1;
            double bd = Double.POSITIVE_INFINITY;
            for (int j = 0; j < 3 * per; j++) {
                double dd = Math.pow(y[i][0] - y[j][0], 2) + Math.pow(y[i][1] - y[j][1], 2);
                if (j != i && dd < bd) {
                    bd = dd;
                    best = j;
                }
            }
            agree += best / per == i / per ? 1 : 0;
        }
        assertTrue(agree >= 0.97 * 3 * per, agree + " of " + 3 * per + " nearest neighbours in the same cluster");
        double[][] again = Tsne.run(x, 3 * per, d, 15, 500, 7);
        for (int i = 0; i < y.length; i++) {
            assertArrayEquals(y[i], again[i], 0.0);
        }
    }

    @Test
    void affinitiesAreASymmetricJointDistribution() {
        int n = 40;
        int d = 5;
        float[] x = clusters(n / 3 + 1, d, 2);
        double[] d2 = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += Math.pow(x[i * d + k] - x[j * d + k], 2);
                }
                d2[i * n + j] = s;
            }
        }
        double[] p = Tsne.affinities(d2, n, 8);
        double total = 0;
        for (double v : p) {
            total += v;
        }
        assertEquals(1.0, total, 1e-6);         // joint P sums to 1 (up to the 1e-12 floor)
        assertEquals(p[3 * n + 5], p[5 * n + 3], 0.0);
    }
}
