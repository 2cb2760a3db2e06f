package dev.mtdtl.bench;

import dev.mtdtl.factor.Csr;
import dev.mtdtl.factor.Plsa;
import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * pLSA's EM at the Taste Profile's shape, where the model no longer fits any cache: the two-pass iteration (docs x
 * terms too large for the fused one's partial sums) on a docs x terms matrix whose entries pick documents with a
 * Zipf-like popularity (P(d) proportional to (d + 1)^-0.9, as {@code bench/prepare/msd_size.py} picks the Taste
 * Profile's songs: the most popular holds about 4 % of the entries) and terms uniformly (users alike). Each entry's dot
 * product reads a random term's row of phi (K doubles); the long first rows are what a per-chunk scratch sized by the
 * longest row of the whole matrix made expensive (bench/RESULTS.md, "Session 47").
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -Xmx3g -cp benchmarks.jar dev.mtdtl.bench.PlsaScaleTimer
 * [DOCS 385000] [TERMS 1019318] [NNZ 20000000] [ITERATIONS 5] [THREADS 2]}; prints seconds per iteration (each,
 * then the median of all but the first) and the log-likelihood reached (the same for any flags and thread count).
 * 2 x 3 x NNZ x K flops an iteration (one dot and two axpys an entry, K = 50).
 */
public final class PlsaScaleTimer {

    private PlsaScaleTimer() {}

    public static void main(String[] args) {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 385_000;
        int terms = args.length > 1 ? Integer.parseInt(args[1]) : 1_019_318;
        int nnz = args.length > 2 ? Integer.parseInt(args[2]) : 20_000_000;
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        Parallel.setThreads(threads);
        Csr m = zipfCounts(docs, terms, nnz, 0.9, 11);
        int longest = 0;
        for (int d = 0; d < m.rows; d++) {
            longest = Math.max(longest, m.indptr[d + 1] - m.indptr[d]);
        }
        System.out.printf(Locale.ROOT, "longest document: %d entries%n", longest);
        long[] stamps = new long[iterations + 1];
        Plsa.Result r = Plsa.fit(m, Plsa.Options.defaults().withTopics(50).withIterations(iterations).withSeed(3),
                (done, max, ll) -> stamps[done] = System.nanoTime());
        double[] sec = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            sec[i] = (stamps[i + 1] - stamps[i]) / 1e9;
        }
        double[] rest = Arrays.copyOfRange(sec, 1, sec.length);
        Arrays.sort(rest);
        double median = rest.length == 0 ? sec[0] : rest[rest.length / 2];
        System.out.printf(Locale.ROOT, "plsa docs=%d terms=%d nnz=%d k=50 threads=%d iterations_s=%s median_s=%.3f "
                        + "gflops=%.2f loglik=%.10e%n", m.rows, m.cols, m.nnz(), threads, Arrays.toString(sec), median,
                6.0 * m.nnz() * 50 / median / 1e9, r.logLik()[r.logLik().length - 1]);
    }

    /**
     * About {@code nnz} entries (duplicates summed): document d with probability proportional to (d + 1)^-exponent,
     * the term uniform, a count of 1 to 5; every document gets at least one entry.
     */
    static Csr zipfCounts(int docs, int terms, int nnz, double exponent, long seed) {
        double[] cdf = new double[docs];
        double t = 0;
        for (int d = 0; d < docs; d++) {
            t += Math.pow(d + 1, -exponent);
            cdf[d] = t;
        }
        SplittableRandom r = new SplittableRandom(seed);
        int[] rr = new int[nnz];
        int[] cc = new int[nnz];
        double[] vv = new double[nnz];
        for (int i = 0; i < nnz; i++) {
            int d = Arrays.binarySearch(cdf, r.nextDouble() * t);
            rr[i] = i < docs ? i : Math.min(docs - 1, d < 0 ? -d - 1 : d);
            cc[i] = r.nextInt(terms);
            vv[i] = 1 + r.nextInt(5);
        }
        return Csr.fromTriplets(docs, terms, rr, cc, vv, nnz);
    }
}
