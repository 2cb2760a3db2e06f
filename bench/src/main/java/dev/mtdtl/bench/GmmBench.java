package dev.mtdtl.bench;

import dev.mtdtl.factor.Gmm1d;
import dev.mtdtl.tensor.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A full GMM fit (k-means++ and Lloyd init, then EM to tol 1e-3, at most 100 iterations) of 1M values
 * with 50 components: {@code bpm}-like continuous values (N(120, 25^2) rounded to float32, ~all distinct:
 * the hard case) and {@code year}-like ones (integers, ~90 distinct: EM runs on the distinct values).
 * Also one EM iteration alone (the values already reduced to distinct ones), to compare per iteration.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g"}, jvmArgsAppend = {JvmFlags.VECTOR, JvmFlags.TRAPS})
public class GmmBench {

    @Param({"1000000"})
    int n;
    @Param({"50"})
    int components;
    @Param({"bpm", "year"})
    String data;
    @Param({"0"})
    int threads;

    double[] x;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        SplittableRandom r = new SplittableRandom(5);
        x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = data.equals("bpm") ? (float) (120 + 25 * r.nextGaussian()) : Math.rint(1995 + 12 * r.nextGaussian());
        }
        Gmm1d.Fit f = Gmm1d.fit(x, Gmm1d.Options.defaults().withComponents(components).withMaxIter(2));
        if (!Double.isFinite(f.avgLogLik())) {
            throw new IllegalStateException("non-finite log-likelihood");
        }
    }

    @Benchmark
    public double fit() {
        return Gmm1d.fit(x, Gmm1d.Options.defaults().withComponents(components)).avgLogLik();
    }

    /** One fused E+M pass over the values (from the parameters of a 2-iteration fit). */
    @Benchmark
    public double emIteration(EmState s) {
        return s.em.step();
    }

    @State(Scope.Benchmark)
    public static class EmState {
        Gmm1d.Em em;

        @Setup
        public void setup(GmmBench b) {
            Gmm1d.Fit f = Gmm1d.fit(b.x, Gmm1d.Options.defaults().withComponents(b.components).withMaxIter(2));
            em = Gmm1d.em(b.x, f.params(), 1e-6);
        }
    }
}
