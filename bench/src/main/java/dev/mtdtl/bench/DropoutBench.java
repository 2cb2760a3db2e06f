package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.DropoutCpu;
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
 * DropoutCpu, p = 0.5, on the fc-feature output (32 x 256 and 128 x 256) and on a conv1-sized array
 * (7,077,888 elements) to see the per-element cost of the counter hash.
 *
 * <p>Per element: forward reads x, writes y and mask (12 B) and hashes (2 64-bit multiplies, 6
 * shifts/xors); backward reads dy, mask, writes dx (12 B), 1 FLOP. {@link #baseline} copies: 8 B.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class DropoutBench {

    @Param({"8192", "32768", "7077888"})
    public int len;

    @Param({"0"})
    public int threads;

    private float[] x;
    private float[] y;
    private float[] mask;
    private float[] dx;
    private long seed = 1234;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        x = BatchNormBench.fill(new SplittableRandom(42), len, 0f);
        y = new float[len];
        mask = new float[len];
        dx = new float[len];
        DropoutCpu.forward(y, mask, x, len, 0.5f, seed);
        int kept = 0;
        for (float m : mask) {
            kept += m != 0f ? 1 : 0;
        }
        if (Math.abs(kept - len / 2.0) > 5 * Math.sqrt(len / 4.0)) {
            throw new IllegalStateException("kept " + kept + " of " + len);
        }
    }

    @Benchmark
    public void forward(Blackhole bh) {
        DropoutCpu.forward(y, mask, x, len, 0.5f, seed++);
        bh.consume(y);
    }

    @Benchmark
    public void backward(Blackhole bh) {
        DropoutCpu.backward(dx, x, mask, len);
        bh.consume(dx);
    }

    @Benchmark
    public void baseline(Blackhole bh) {
        System.arraycopy(x, 0, y, 0, len);
        bh.consume(y);
    }
}
