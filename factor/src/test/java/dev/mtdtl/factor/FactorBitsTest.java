package dev.mtdtl.factor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The factor models' bits, pinned across vector widths and JDKs: every kernel with a double vector and every model
 * built on them gives the fingerprints below. They were first printed by the code of 940eb6f (256-bit doubles on
 * an AVX-512 machine) and held since; on 2026-12-06 the inputs' normal draws moved from
 * {@code SplittableRandom.nextGaussian} to a StrictMath Box-Muller (the same on every JDK) and the fingerprints
 * were printed again by the code that still gave the old ones on the old inputs, at 8, 4 and 2 lanes and on JDK 17
 * and 25 alike. The kernels now run at the preferred double shape (8 lanes on AVX-512, 4 on AVX2, 2 on
 * NEON), so these fingerprints hold only because each kernel keeps a sum order that does not depend on the
 * lane count. The factor module's surefire runs this class a second and a third time with
 * {@code -XX:MaxVectorSize=32} and {@code =16} (the AVX2 and 128-bit shapes on this machine).
 *
 * <p>The GMM's fingerprint changed once, on purpose: its logs and exps are StrictMath's since 2026-12-06 (they were
 * Math's, whose x86 intrinsics round other last bits than AArch64's: docs/portability.md). The new one is what an
 * AArch64 JVM prints too (docs/portability.md).
 */
class FactorBitsTest {

    /** A CRC-32 of the raw bits of every double fed to it. */
    private static final class Fp {
        private final CRC32 crc = new CRC32();
        private long n;

        void add(double v) {
            long b = Double.doubleToRawLongBits(v);
            for (int s = 0; s < 64; s += 8) {
                crc.update((int) (b >>> s));
            }
            n++;
        }

        void add(double[] a) {
            for (double v : a) {
                add(v);
            }
        }

        @Override
        public String toString() {
            return String.format("n=%d crc=%08x", n, crc.getValue());
        }
    }

    /**
     * A standard normal draw by Box-Muller from StrictMath, so the test's inputs are the same on every JDK
     * ({@code SplittableRandom.nextGaussian}'s algorithm is not specified, and JDK 25's differs from JDK 17's).
     */
    private static double normal(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log1p(-u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
    }

    private static double[] gaussian(SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = normal(r);
        }
        return a;
    }

    /** A random SPD matrix (n, n): G G^T / n + I, full (both triangles). */
    private static double[] spd(SplittableRandom r, int n) {
        double[] g = gaussian(r, n * n);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < n; p++) {
                    s += g[i * n + p] * g[j * n + p];
                }
                a[i * n + j] = s / n + (i == j ? 1 : 0);
            }
        }
        return a;
    }

    @Test
    void dotAndAxpy() {
        SplittableRandom r = new SplittableRandom(1);
        Fp f = new Fp();
        for (int n = 0; n <= 70; n++) {
            double[] a = gaussian(r, n + 3);
            double[] b = gaussian(r, n + 5);
            f.add(Linalg.dot(a, 3, b, 1, n));
            double[] y = gaussian(r, n + 2);
            Linalg.axpy(normal(r), a, 2, y, 1, n);
            f.add(y);
        }
        assertEquals("n=2698 crc=a890ac98", f.toString());
    }

    @Test
    void gemmAndGram() {
        SplittableRandom r = new SplittableRandom(2);
        Fp f = new Fp();
        int[] ns = {1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 16, 23, 24, 25, 31, 48, 50};
        for (int m : new int[] {1, 3, 4, 5, 9}) {
            for (int n : ns) {
                int kk = 1 + (m * 7 + n) % 19;
                double[] c = gaussian(r, m * n + 1);
                double[] a = gaussian(r, kk * m + 2);
                double[] b = gaussian(r, kk * n + 3);
                Linalg.gemm(c, 1, n, a, 2, m, 1, b, 3, n, m, n, kk);    // C += A^T B
                f.add(c);
                Linalg.gemm(c, 1, n, a, 2, 1, kk, b, 3, n, m, n, kk);   // C += A B
                f.add(c);
            }
        }
        for (int k : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 17, 20, 24, 26, 50}) {
            int items = 40;
            double[] fac = gaussian(r, items * k);
            int n = 1 + k % 9;
            int[] rows = new int[n + 2];
            for (int j = 0; j < rows.length; j++) {
                rows[j] = r.nextInt(items);
            }
            double[] w = gaussian(r, n);
            double[] c = new double[k * k];
            Linalg.gramGathered(c, fac, rows, 2, w, n, k);
            for (int i = 0; i < k; i++) {   // the lower triangle is defined; above it, only scratch
                for (int j = 0; j <= i; j++) {
                    f.add(c[i * k + j]);
                }
            }
        }
        assertEquals("n=15245 crc=06d22f9e", f.toString());
    }

    @Test
    void choleskyAndSolves() {
        SplittableRandom r = new SplittableRandom(3);
        Fp f = new Fp();
        for (int n : new int[] {1, 2, 3, 4, 5, 8, 13, 17, 24, 33, 50}) {
            double[] a = spd(r, n);
            double[] l = a.clone();
            assertEquals(true, Linalg.cholesky(l, n));
            double[] b = gaussian(r, n + 1);
            Linalg.cholSolve(l, n, b, 1);
            f.add(b);
            double[] lneg = new double[n * n];
            for (int i = 0; i < n * n; i++) {
                lneg[i] = -l[i];
            }
            int w = 1 + n % 27;
            double[] bm = gaussian(r, n * w);
            Linalg.cholSolveMatrix(l, lneg, n, bm, w, 0, w / 2);
            Linalg.cholSolveMatrix(l, lneg, n, bm, w, w / 2, w);
            f.add(bm);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    f.add(l[i * n + j]);
                }
            }
        }
        assertEquals("n=5283 crc=8f48db94", f.toString());
    }

    @Test
    void batchedCholeskyPerSystem() {
        SplittableRandom r = new SplittableRandom(4);
        Fp f = new Fp();
        int bsz = CholeskyBatch.B;
        int systems = 24;   // a multiple of every batch size (2, 4, 8)
        for (int n : new int[] {1, 2, 3, 4, 5, 6, 13, 50}) {
            double[][] as = new double[systems][];
            double[][] bs = new double[systems][];
            for (int s = 0; s < systems; s++) {
                as[s] = spd(r, n);
                bs[s] = gaussian(r, n);
            }
            double[][] xs = new double[systems][n];
            for (int s0 = 0; s0 < systems; s0 += bsz) {
                double[] sys = new double[n * n * bsz];
                double[] x = new double[n * bsz];
                for (int l = 0; l < bsz; l++) {
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j <= i; j++) {
                            sys[(i * n + j) * bsz + l] = as[s0 + l][i * n + j];
                        }
                        x[i * bsz + l] = bs[s0 + l][i];
                    }
                }
                assertEquals(0, CholeskyBatch.factorSolve(sys, x, n));
                for (int l = 0; l < bsz; l++) {
                    for (int i = 0; i < n; i++) {
                        xs[s0 + l][i] = x[i * bsz + l];
                    }
                }
            }
            for (double[] x : xs) {
                f.add(x);
            }
        }
        assertEquals("n=2016 crc=58b1d0c4", f.toString());
    }

    @Test
    void models() {
        SplittableRandom r = new SplittableRandom(5);
        double[] values = new double[1003];   // not a multiple of any lane count: the scalar tail runs too
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.rint((r.nextInt(3) * 7 + normal(r)) * 1000) / 1000;
        }
        Gmm1d.Fit g = Gmm1d.fit(values, Gmm1d.Options.defaults().withComponents(5).withMaxIter(40));
        Fp fg = new Fp();
        fg.add(g.params().weights());
        fg.add(g.params().means());
        fg.add(g.params().variances());
        fg.add(g.lowerBounds());

        int docs = 60;
        int terms = 45;
        double[] counts = new double[docs * terms];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = r.nextInt(5) == 0 ? 1 + r.nextInt(4) : 0;
        }
        Plsa.Result p = Plsa.fit(Csr.fromDense(counts, docs, terms),
                Plsa.Options.defaults().withTopics(37).withIterations(25).withSeed(3));
        Fp fp = new Fp();
        fp.add(p.docTopic());
        fp.add(p.termTopic());
        fp.add(p.logLik());

        int users = 70;
        int items = 90;
        int d = 6;
        double[] plays = new double[users * items];
        for (int u = 0; u < users; u++) {
            int per = u % 2 == 0 ? 3 : 40;   // short rows (Woodbury) and long ones (the batched solves)
            for (int t = 0; t < per; t++) {
                plays[u * items + r.nextInt(items)] = 1 + r.nextInt(9);
            }
        }
        double[] x = gaussian(r, items * d);
        Fp fw = new Fp();
        for (int rank : new int[] {10, 23, 50}) {
            Wmf.Model m = Wmf.fit(Csr.fromDense(plays, users, items), x, d,
                    Wmf.Options.defaults().withRank(rank).withIterations(3));
            fw.add(m.u);
            fw.add(m.v);
            fw.add(m.w);
        }
        assertEquals("gmm n=21 crc=a39f0f57; plsa n=3911 crc=3ff03d5d; wmf n=13778 crc=72480185",
                "gmm " + fg + "; plsa " + fp + "; wmf " + fw);
    }
}
