package dev.mtdtl.factor;

import dev.mtdtl.tensor.Parallel;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pLSA: monotone likelihood, planted-topic recovery, dropped rows/terms, thread-count independence. */
class PlsaTest {

    /** Planted corpus: K topics, each owning T/K terms (90% of its mass) plus a uniform floor. */
    record Planted(Csr counts, double[] topicTerm) {}

    static Planted planted(int docs, int terms, int k, int tokens, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] phi = new double[k * terms];   // (K, T)
        for (int z = 0; z < k; z++) {
            double s = 0;
            for (int w = 0; w < terms; w++) {
                double p = (w * k / terms == z ? 0.9 / (terms / k) : 0.1 / (terms - terms / k)) * (0.5 + r.nextDouble());
                phi[z * terms + w] = p;
                s += p;
            }
            for (int w = 0; w < terms; w++) {
                phi[z * terms + w] /= s;
            }
        }
        double[] dense = new double[docs * terms];
        double[] th = new double[k];
        for (int d = 0; d < docs; d++) {
            double s = 0;
            for (int z = 0; z < k; z++) {   // sparse-ish mixtures: a dominant topic and some of the others
                th[z] = Math.pow(r.nextDouble(), 4);
                s += th[z];
            }
            for (int t = 0; t < tokens; t++) {
                int z = draw(th, 0, k, s * r.nextDouble());
                int w = draw(phi, z * terms, terms, r.nextDouble());
                dense[d * terms + w] += 1;
            }
        }
        return new Planted(Csr.fromDense(dense, docs, terms), phi);
    }

    private static int draw(double[] p, int off, int n, double u) {
        double c = 0;
        for (int i = 0; i < n; i++) {
            c += p[off + i];
            if (u < c) {
                return i;
            }
        }
        return n - 1;
    }

    @Test
    void logLikelihoodNeverDecreases() {
        Planted p = planted(300, 120, 6, 40, 1);
        Plsa.Result res = Plsa.fit(p.counts(), Plsa.Options.defaults().withTopics(10).withIterations(200).withSeed(5));
        double[] ll = res.logLik();
        assertEquals(201, ll.length);
        for (int t = 1; t < ll.length; t++) {
            // Exact ascent up to the rounding of a sum of N logs (|L| ~ 1e5, 1e-12 relative is ~1e-7).
            assertTrue(ll[t] >= ll[t - 1] - 1e-12 * Math.abs(ll[t - 1]),
                    "L decreased at iteration " + t + ": " + ll[t - 1] + " -> " + ll[t]);
        }
        assertTrue(ll[200] > ll[0]);
        for (int d = 0; d < res.docs(); d++) {
            double s = 0;
            for (int z = 0; z < 10; z++) {
                s += res.docTopic()[d * 10 + z];
            }
            assertEquals(1.0, s, 1e-12);
        }
        double[] tt = res.topicTerm();
        for (int z = 0; z < 10; z++) {
            double s = 0;
            for (int w = 0; w < 120; w++) {
                s += tt[z * 120 + w];
            }
            assertEquals(1.0, s, 1e-12);
        }
    }

    @Test
    void progressIsToldEveryIterationWithItsLogLikelihoodAndChangesNothing() {
        Planted p = planted(300, 120, 6, 40, 1);
        Plsa.Options o = Plsa.Options.defaults().withTopics(10).withIterations(25).withSeed(5);
        java.util.List<double[]> told = new java.util.ArrayList<>();
        Plsa.Result res = Plsa.fit(p.counts(), o, (done, max, ll) -> told.add(new double[] {done, max, ll}));
        Plsa.Result plain = Plsa.fit(p.counts(), o);
        assertEquals(26, told.size());
        assertEquals(0, told.get(0)[0]);   // EM starts
        assertTrue(Double.isNaN(told.get(0)[2]));
        for (int i = 0; i < 25; i++) {
            assertEquals(i + 1, told.get(i + 1)[0]);
            assertEquals(25, told.get(i + 1)[1]);
            assertEquals(res.logLik()[i], told.get(i + 1)[2]);   // L of the parameters iteration i started from
        }
        assertArrayEquals(plain.docTopic(), res.docTopic());
        assertArrayEquals(plain.termTopic(), res.termTopic());
    }

    @Test
    void recoversPlantedTopics() {
        int k = 6;
        int terms = 180;
        Planted p = planted(2000, terms, k, 80, 2);
        Plsa.Result res = Plsa.fit(p.counts(), Plsa.Options.defaults().withTopics(k).withIterations(150).withSeed(1));
        double[] got = res.topicTerm();
        double[][] cost = new double[k][k];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                cost[a][b] = -cosine(p.topicTerm(), a * terms, got, b * terms, terms);
            }
        }
        int[] match = Hungarian.solve(cost);
        for (int a = 0; a < k; a++) {
            double c = -cost[a][match[a]];
            assertTrue(c >= 0.9, "planted topic " + a + " best cosine " + c);
        }
        // The top terms of each matched topic are the planted topic's own block.
        int[][] top = res.topTerms(5);
        for (int a = 0; a < k; a++) {
            for (int w : top[match[a]]) {
                assertEquals(a, w * k / terms, "top term " + w + " of topic " + match[a]);
            }
        }
    }

    private static double cosine(double[] a, int ao, double[] b, int bo, int n) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < n; i++) {
            ab += a[ao + i] * b[bo + i];
            aa += a[ao + i] * a[ao + i];
            bb += b[bo + i] * b[bo + i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    @Test
    void dropsEmptyDocumentsAndLightTerms() {
        // 4 docs x 5 terms: doc 1 empty; term 3 total 0.5 (< min_count 1) so doc 2, which only has term 3, drops too;
        // term 4 never occurs.
        double[] dense = {
            2, 1, 0, 0, 0,
            0, 0, 0, 0, 0,
            0, 0, 0, 0.5, 0,
            1, 0, 3, 0, 0};
        Plsa.Result res = Plsa.fit(Csr.fromDense(dense, 4, 5), Plsa.Options.defaults().withTopics(2).withIterations(20));
        assertArrayEquals(new int[] {1, 2}, res.droppedDocs());
        assertArrayEquals(new int[] {3, 4}, res.droppedTerms());
        for (int z = 0; z < 2; z++) {
            assertEquals(0.0, res.docTopic()[1 * 2 + z], 0.0);
            assertEquals(0.0, res.docTopic()[2 * 2 + z], 0.0);
            assertEquals(0.0, res.termTopic()[3 * 2 + z], 0.0);
        }
        assertEquals(1.0, res.docTopic()[0] + res.docTopic()[1], 1e-12);
    }

    @Test
    void toleranceStopsEarlyAndKeepsTheTestedParameters() {
        Planted p = planted(200, 60, 3, 30, 3);
        Plsa.Result full = Plsa.fit(p.counts(), Plsa.Options.defaults().withTopics(3).withIterations(500).withSeed(2));
        Plsa.Result tol = Plsa.fit(p.counts(), Plsa.Options.defaults().withTopics(3).withIterations(500).withSeed(2).withTol(1e-6));
        assertTrue(tol.converged());
        assertTrue(tol.iterations() < 500);
        // Same path: the stopped fit equals the full fit's state after as many iterations.
        Plsa.Result same = Plsa.fit(p.counts(),
                Plsa.Options.defaults().withTopics(3).withIterations(tol.iterations()).withSeed(2));
        assertArrayEquals(same.docTopic(), tol.docTopic(), 0.0);
        assertEquals(full.logLik()[tol.iterations()], tol.logLik()[tol.iterations()], 0.0);
    }

    @Test
    void fusedAndTwoPassIterationsAgree() {
        Planted p = planted(700, 90, 4, 30, 6);
        PlsaEm a = new PlsaEm(p.counts(), 8, true, true);
        PlsaEm b = new PlsaEm(p.counts(), 8, false, true);
        a.init(new SplittableRandom(3));
        b.init(new SplittableRandom(3));
        for (int t = 0; t < 20; t++) {
            double la = a.iterate();
            double lb = b.iterate();
            assertEquals(la, lb, 1e-12 * Math.abs(la), "iteration " + t);
        }
        for (int i = 0; i < a.theta.length; i++) {
            assertEquals(a.theta[i], b.theta[i], 1e-9);
        }
        int before = Parallel.threads();
        try {   // the two-pass path is thread-count independent too
            double[][] th = new double[2][];
            for (int n : new int[] {1, 3}) {
                Parallel.setThreads(n);
                PlsaEm c = new PlsaEm(p.counts(), 8, false, true);
                c.init(new SplittableRandom(3));
                for (int t = 0; t < 5; t++) {
                    c.iterate();
                }
                th[n == 1 ? 0 : 1] = c.theta.clone();
            }
            assertArrayEquals(th[0], th[1], 0.0);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void twoPassWithoutRollbackUpdatesPhiInPlaceToTheSameBits() {
        Planted p = planted(700, 90, 4, 30, 6);
        PlsaEm keep = new PlsaEm(p.counts(), 8, false, true);
        PlsaEm lean = new PlsaEm(p.counts(), 8, false, false);
        assertTrue(lean.phiNext == lean.phi && keep.phiNext != keep.phi, "one (T, K) buffer instead of two");
        keep.init(new SplittableRandom(3));
        lean.init(new SplittableRandom(3));
        for (int t = 0; t < 10; t++) {
            assertEquals(keep.iterate(), lean.iterate(), 0.0);
        }
        assertArrayEquals(keep.theta, lean.theta, 0.0);
        assertArrayEquals(keep.phi, lean.phi, 0.0);
        assertThrows(IllegalStateException.class, lean::rollback);
        // the fused iteration keeps both buffers whatever is asked (it writes the next phi before reading the old)
        PlsaEm fused = new PlsaEm(p.counts(), 8, true, false);
        assertTrue(fused.phiNext != fused.phi, "the fused iteration keeps both");
    }

    @Test
    void bitIdenticalForOneAndManyThreads() {
        Planted p = planted(1000, 300, 5, 50, 4);   // > one chunk of documents and of terms
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Plsa.Result a = Plsa.fit(p.counts(), Plsa.Options.defaults().withTopics(7).withIterations(15));
            Parallel.setThreads(4);
            Plsa.Result b = Plsa.fit(p.counts(), Plsa.Options.defaults().withTopics(7).withIterations(15));
            assertArrayEquals(a.docTopic(), b.docTopic(), 0.0);
            assertArrayEquals(a.termTopic(), b.termTopic(), 0.0);
            assertArrayEquals(a.logLik(), b.logLik(), 0.0);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void anIterationCapOfAnySizeRunsTheSamePath() {
        // the log-likelihood history grows as the iterations run: a cap of 2^31 - 1 used to size it up front
        // (a negative array size), and a run past its first 1,024 iterations must keep every value
        Planted p = planted(200, 60, 3, 30, 3);
        Plsa.Options o = Plsa.Options.defaults().withTopics(3).withSeed(2).withTol(1e-6);
        Plsa.Result capped = Plsa.fit(p.counts(), o.withIterations(500));
        Plsa.Result huge = Plsa.fit(p.counts(), o.withIterations(Integer.MAX_VALUE));
        assertTrue(huge.converged());
        assertArrayEquals(capped.logLik(), huge.logLik(), 0.0);
        assertArrayEquals(capped.docTopic(), huge.docTopic(), 0.0);
        Planted small = planted(30, 12, 2, 10, 4);
        Plsa.Result longer = Plsa.fit(small.counts(), Plsa.Options.defaults().withTopics(2).withIterations(2500));
        Plsa.Result shorter = Plsa.fit(small.counts(), Plsa.Options.defaults().withTopics(2).withIterations(1100));
        assertEquals(2501, longer.logLik().length);
        assertArrayEquals(java.util.Arrays.copyOf(longer.logLik(), 1100), java.util.Arrays.copyOf(shorter.logLik(), 1100),
                0.0);
    }
}
