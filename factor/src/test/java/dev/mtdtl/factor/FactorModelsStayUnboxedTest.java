package dev.mtdtl.factor;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.test.Allocation;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The factor models in the order a study's {@code prepare} runs them (pLSA, then ALS, then the GMM), in one JVM:
 * once compiled, an EM iteration of the GMM and an ALS sweep must allocate no more than their own buffers. A
 * Vector API kernel that C2 compiled boxed allocates a vector object per operation: the GMM's E-step allocated
 * 1.7 GB an iteration at 10^6 values after pLSA and ALS had run, because C2's per-method trap limit (100, summed
 * over every inlined method's class-check traps, which the JDK's own vector methods collect during warm-up) was
 * passed. The build raises the limit for every JVM it starts (pom.xml, jit.flag); without it this test fails
 * (bench/RESULTS.md, "JIT health: the trap limit").
 */
class FactorModelsStayUnboxedTest {

    /** How long the models may take to be compiled (C2 needs a few thousand loop trips: well under a few s). */
    private static final long DEADLINE_NS = 60_000_000_000L;

    private final int threads0 = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads0);
    }

    private static void assertSettles(String what, long limit, Runnable op) {
        Allocation.assertSettles(what, limit, DEADLINE_NS, op);
    }

    private static Csr counts(int rows, int cols, int nnz, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] rr = new int[nnz];
        int[] cc = new int[nnz];
        double[] vv = new double[nnz];
        for (int i = 0; i < nnz; i++) {
            rr[i] = i < rows ? i : r.nextInt(rows);
            double u = r.nextDouble();
            cc[i] = (int) Math.min(cols - 1, cols * u * u);
            vv[i] = 1 + r.nextInt(5);
        }
        return Csr.fromTriplets(rows, cols, rr, cc, vv, nnz);
    }

    @Test
    void plsaThenAlsThenGmm() {
        Parallel.setThreads(1);   // every byte is then the caller's
        // pLSA: its own arrays are allocated by Plsa.model; an iteration allocates chunk partials only.
        PlsaEm plsa = Plsa.model(counts(4000, 2000, 80_000, 42), 50, 1);
        assertSettles("a pLSA EM iteration", 1 << 20, plsa::iterate);
        // ALS: 200 users, 5,000 items of rank 50 with 64 content features; a sweep allocates the content
        // factors and Woodbury's products (I x r doubles each, 2 MB here) and per-thread row buffers once.
        SplittableRandom g = new SplittableRandom(8);
        double[] feats = new double[5000 * 64];
        for (int i = 0; i < feats.length; i++) {
            feats[i] = g.nextGaussian();
        }
        Wmf.Model wmf = Wmf.init(counts(200, 5000, 50_000, 7), feats, 64, Wmf.Options.defaults());
        assertSettles("an ALS sweep", 8 << 20, wmf::epoch);
        // GMM: 10^5 values, 50 components; an iteration allocates ~14 KB per chunk of 2,048 values (0.7 MB).
        double[] x = new double[100_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (120 + 25 * g.nextGaussian());
        }
        Gmm1d.Em em = Gmm1d.em(x, Gmm1d.fit(x, Gmm1d.Options.defaults().withMaxIter(2)).params(), 1e-6);
        assertSettles("a GMM EM iteration", 2 << 20, em::step);
    }
}
