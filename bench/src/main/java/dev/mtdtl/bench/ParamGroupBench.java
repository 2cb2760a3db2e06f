package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.AdamCpu;
import dev.mtdtl.tensor.cpu.FiniteCpu;
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
 * The element-wise ops over a parameter group's tensors, one call per tensor against one call for the group (its
 * elements end to end in one parallel loop): Adam ({@link AdamCpu#step} x 34 against {@link AdamCpu#stepAll}) and
 * the gradients' finiteness check ({@link FiniteCpu#allFinite(float[], int)} x 34 against the list form), on the
 * base CNN's 34 trainable tensors (576,482 floats, from 50 to 294,912 each).
 *
 * <p>Per element: Adam reads p, g, m, v and writes p, m, v (28 B), about 14 FLOP; the check reads 4 B, 1 FMA.
 * The step counter runs on; bias corrections tend to 1, which does not change the cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class ParamGroupBench {

    /** The base CNN's trainable tensors, in its parameter order (conv1's weight and bias, bn1's, ... fc_out's). */
    static final int[] BASE_CNN = {800, 16, 16, 16, 4608, 32, 32, 32, 18432, 64, 64, 64, 36864, 64, 64, 64, 73728,
        128, 128, 128, 294912, 256, 256, 256, 65536, 256, 256, 256, 65536, 256, 256, 256, 12800, 50};

    @Param({"0"})
    public int threads;

    private float[][] p;
    private float[][] g;
    private float[][] m;
    private float[][] v;
    private int t;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        SplittableRandom r = new SplittableRandom(42);
        int k = BASE_CNN.length;
        p = new float[k][];
        g = new float[k][];
        m = new float[k][];
        v = new float[k][];
        for (int i = 0; i < k; i++) {
            p[i] = BatchNormBench.fill(r, BASE_CNN[i], 0f);
            g[i] = BatchNormBench.fill(r, BASE_CNN[i], 0f);
            m[i] = new float[BASE_CNN[i]];
            v[i] = new float[BASE_CNN[i]];
        }
        if (!FiniteCpu.allFinite(g, BASE_CNN)) {
            throw new IllegalStateException("finite gradients reported non-finite");
        }
        t = 0;
    }

    @Benchmark
    public void adamPerTensor(Blackhole bh) {
        t++;
        for (int i = 0; i < p.length; i++) {
            AdamCpu.step(p[i], g[i], m[i], v[i], 0, BASE_CNN[i], t, 2.5e-4f, 0.9f, 0.999f, 1e-8f, 1e-6f);
        }
        bh.consume(p);
    }

    @Benchmark
    public void adamGroup(Blackhole bh) {
        AdamCpu.stepAll(p, g, m, v, BASE_CNN, ++t, 2.5e-4f, 0.9f, 0.999f, 1e-8f, 1e-6f);
        bh.consume(p);
    }

    @Benchmark
    public boolean finitePerTensor() {
        boolean ok = true;
        for (int i = 0; i < g.length; i++) {
            ok &= FiniteCpu.allFinite(g[i], BASE_CNN[i]);
        }
        return ok;
    }

    @Benchmark
    public boolean finiteGroup() {
        return FiniteCpu.allFinite(g, BASE_CNN);
    }
}
