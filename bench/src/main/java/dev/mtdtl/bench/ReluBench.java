package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.ReluCpu;
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
 * ReluCpu on the base CNN's activation sizes at batch 32 (element counts of (32,16,108,128),
 * (32,32,54,64), (32,64,27,32), (32,256,3,4), (32,256)).
 *
 * <p>Traffic per element: forward 8 B (read x, write y), 1 FLOP; backward 12 B (read dy, y, write dx).
 * {@link #baseline} copies: 8 B.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class ReluBench {

    @Param({"7077888", "3538944", "1769472", "98304", "8192"})
    public int len;

    @Param({"0"})
    public int threads;

    private float[] x;
    private float[] y;
    private float[] dy;
    private float[] dx;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        SplittableRandom r = new SplittableRandom(42);
        x = BatchNormBench.fill(r, len, 0f);
        dy = BatchNormBench.fill(r, len, 0f);
        y = new float[len];
        dx = new float[len];
        ReluCpu.forward(y, x, len);
        for (int i = 0; i < 100; i++) {
            if (y[i] != Math.max(x[i], 0f)) {
                throw new IllegalStateException("relu wrong at " + i);
            }
        }
    }

    @Benchmark
    public void forward(Blackhole bh) {
        ReluCpu.forward(y, x, len);
        bh.consume(y);
    }

    @Benchmark
    public void backward(Blackhole bh) {
        ReluCpu.backward(dx, dy, y, len);
        bh.consume(dx);
    }

    @Benchmark
    public void baseline(Blackhole bh) {
        System.arraycopy(x, 0, y, 0, len);
        bh.consume(y);
    }
}
