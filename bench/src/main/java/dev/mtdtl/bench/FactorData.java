package dev.mtdtl.bench;

import dev.mtdtl.factor.Csr;

import java.util.SplittableRandom;

/**
 * The synthetic workloads of the factor benchmarks, generated identically by bench/factor_side_by_side.py
 * in spirit (same sizes and distributions; the random streams differ, which does not matter for timing).
 */
final class FactorData {

    private FactorData() {}

    /**
     * A docs x terms count matrix with about {@code nnz} entries: documents uniform, terms skewed
     * (term = floor(T u^2), a long tail as in tag and word counts), counts 1..5; duplicates summed.
     */
    static Csr counts(int docs, int terms, int nnz, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] rr = new int[nnz];
        int[] cc = new int[nnz];
        double[] vv = new double[nnz];
        for (int i = 0; i < nnz; i++) {
            rr[i] = i < docs ? i : r.nextInt(docs);   // every document non-empty
            double u = r.nextDouble();
            cc[i] = (int) Math.min(terms - 1, terms * u * u);
            vv[i] = 1 + r.nextInt(5);
        }
        return Csr.fromTriplets(docs, terms, rr, cc, vv, nnz);
    }

    /** Standard normal (n, d) features. */
    static double[] gaussian(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }
}
