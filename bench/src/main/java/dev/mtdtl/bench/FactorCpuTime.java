package dev.mtdtl.bench;

import dev.mtdtl.factor.Csr;
import dev.mtdtl.factor.Gmm1d;
import dev.mtdtl.factor.Plsa;
import dev.mtdtl.factor.PlsaEm;
import dev.mtdtl.factor.Wmf;
import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Single-thread CPU time per operation of the factor workloads (the JMH benchmarks' setups), for
 * machines shared with other jobs, where wall-clock figures swing by 2-4x between runs: the thread's CPU
 * time does not count the time it waits for a core. Not a JMH benchmark (JMH measures wall time);
 * bench/factor_side_by_side.py --cpu compares these with numpy's process_time under one BLAS thread.
 * Prints one line per workload: {@code cpu <name> <median seconds> alloc_mb <median MB allocated> gc_ms <mean GC ms>},
 * each per operation, by the calling thread and the kernel workers (one here).
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -cp benchmarks.jar dev.mtdtl.bench.FactorCpuTime [reps [plsa,als,gmm]]}
 */
public final class FactorCpuTime {

    private FactorCpuTime() {}

    interface Op {
        void run();
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        java.util.List<String> only = java.util.List.of((args.length > 1 ? args[1] : "plsa,als,gmm").split(","));
        Parallel.setThreads(1);
        if (only.contains("plsa")) {
            plsa(reps);
        }
        if (only.contains("als")) {
            als(reps);
        }
        if (only.contains("gmm")) {
            gmm(reps);
        }
    }

    private static void plsa(int reps) {
        Csr plsaData = FactorData.counts(40000, 5000, 800000, 42);
        PlsaEm plsa = Plsa.model(plsaData, 50, 1);
        report("plsa", reps, plsa::iterate);
    }

    private static void als(int reps) {
        Csr r = FactorData.counts(1000, 27000, 270000, 7);
        Wmf.Model wmf = Wmf.init(r, FactorData.gaussian(27000, 512, 8), 512, Wmf.Options.defaults());
        report("als", reps, wmf::epoch);
    }

    private static void gmm(int reps) {
        SplittableRandom g = new SplittableRandom(5);
        double[] x = new double[1_000_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (120 + 25 * g.nextGaussian());
        }
        Gmm1d.Fit f = Gmm1d.fit(x, Gmm1d.Options.defaults().withMaxIter(2));
        Gmm1d.Em em = Gmm1d.em(x, f.params(), 1e-6);
        report("gmm", reps, em::step);
    }

    /** Least warm-up time per workload. */
    private static final long WARMUP_NS = 1_500_000_000L;

    private static void report(String name, int reps, Op op) {
        // Warm-up (JIT): 3 calls and at least WARMUP_NS. Three calls alone (0.3 s for the GMM) sometimes ended before
        // C2 had compiled the vector kernels: one JVM in 11 timed the GMM's EM step at 1.93 s against 0.09
        // (bench/RESULTS.md, session 39).
        long w0 = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - w0 < WARMUP_NS; i++) {
            op.run();
        }
        double[] t = new double[reps];
        double[] mb = new double[reps];
        double gcMs = 0;
        StepClock clock = new StepClock();
        for (int i = 0; i < reps; i++) {
            clock.start();
            op.run();
            clock.stop();
            t[i] = clock.cpuMs / 1e3;
            mb[i] = clock.allocMb;
            gcMs += clock.gcMs;
        }
        Arrays.sort(t);
        Arrays.sort(mb);
        // The allocation is the JIT's health: the models allocate their scratch once per call, so tens of
        // MB per operation mean a Vector API kernel running boxed (see bench/RESULTS.md, "JIT health").
        System.out.printf("cpu %s %.4f alloc_mb %.2f gc_ms %.0f%n", name, t[reps / 2], mb[reps / 2], gcMs / reps);
    }
}
