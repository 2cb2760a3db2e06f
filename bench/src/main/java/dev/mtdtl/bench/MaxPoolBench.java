package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.MaxPoolCpu;
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
 * MaxPoolCpu 2x2/2 on the inputs of the base CNN's five pooling layers at batch 32 (N x C x H x W).
 *
 * <p>Traffic per INPUT element E = N*C*H*W: forward reads x (4 B) and writes y and argmax (1 float +
 * 1 int per 4 inputs: 2 B) = 6 B, 3 compares per window; backward reads dy and argmax (2 B) and writes
 * dx (4 B) = 6 B. {@link #baseline} copies E floats: 8 B.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class MaxPoolBench {

    @Param({"32x16x108x128", "32x32x54x64", "32x64x27x32", "32x64x13x16", "32x128x6x8"})
    public String shape;

    @Param({"0"})
    public int threads;

    private int n;
    private int c;
    private int h;
    private int w;
    private float[] x;
    private float[] y;
    private int[] argmax;
    private float[] dy;
    private float[] dx;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        String[] d = shape.split("x");
        n = Integer.parseInt(d[0]);
        c = Integer.parseInt(d[1]);
        h = Integer.parseInt(d[2]);
        w = Integer.parseInt(d[3]);
        SplittableRandom r = new SplittableRandom(42);
        x = BatchNormBench.fill(r, n * c * h * w, 0f);
        dx = new float[x.length];
        int out = n * c * (h / 2) * (w / 2);
        y = new float[out];
        argmax = new int[out];
        dy = BatchNormBench.fill(r, out, 0f);
        MaxPoolCpu.forward(y, argmax, x, n, c, h, w);
        if (y[0] != Math.max(Math.max(x[0], x[1]), Math.max(x[w], x[w + 1]))) {
            throw new IllegalStateException("first window maximum wrong");
        }
    }

    @Benchmark
    public void forward(Blackhole bh) {
        MaxPoolCpu.forward(y, argmax, x, n, c, h, w);
        bh.consume(y);
    }

    @Benchmark
    public void backward(Blackhole bh) {
        MaxPoolCpu.backward(dx, dy, argmax, n, c, h, w);
        bh.consume(dx);
    }

    @Benchmark
    public void baseline(Blackhole bh) {
        System.arraycopy(x, 0, dx, 0, x.length);
        bh.consume(dx);
    }
}
