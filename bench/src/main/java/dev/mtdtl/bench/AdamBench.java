package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.AdamCpu;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * AdamCpu over the whole base CNN (576,538 parameters: one ParamArena) and over one fc-out head
 * (12,850 parameters, the per-source group stepped on each iteration).
 *
 * <p>Per parameter: reads p, g, m, v and writes p, m, v (28 B); about 14 FLOP including one sqrt and
 * one divide. {@link #baseline} copies the parameter array (8 B per parameter).
 * The step counter runs on; bias corrections tend to 1, which does not change the cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class AdamBench {

    @Param({"576538", "12850"})
    public int len;

    @Param({"0"})
    public int threads;

    private float[] p;
    private float[] g;
    private float[] m;
    private float[] v;
    private float[] copy;
    private int t;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        SplittableRandom r = new SplittableRandom(42);
        p = BatchNormBench.fill(r, len, 0f);
        g = BatchNormBench.fill(r, len, 0f);
        m = new float[len];
        v = new float[len];
        copy = new float[len];
        float p0 = p[0];
        AdamCpu.step(p, g, m, v, 0, len, 1, 2.5e-4f, 0.9f, 0.999f, 1e-8f, 1e-6f);
        // Step 1 moves every parameter by about lr against the sign of its gradient.
        if (Math.abs(Math.abs(p[0] - p0) - 2.5e-4f) > 1e-5f) {
            throw new IllegalStateException("first Adam step moved p[0] by " + (p[0] - p0));
        }
        t = 1;
    }

    @Benchmark
    public void step(Blackhole bh) {
        AdamCpu.step(p, g, m, v, 0, len, ++t, 2.5e-4f, 0.9f, 0.999f, 1e-8f, 1e-6f);
        bh.consume(p);
    }

    @Benchmark
    public void baseline(Blackhole bh) {
        System.arraycopy(p, 0, copy, 0, len);
        bh.consume(copy);
    }
}
