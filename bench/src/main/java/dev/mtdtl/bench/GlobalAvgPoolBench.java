package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.GlobalAvgPoolCpu;
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
 * GlobalAvgPoolCpu on conv62's output (32, 256, 3, 4) of the base CNN, plus a larger plane size to
 * show the per-plane overhead ((32, 64, 27, 32)).
 *
 * <p>Traffic per input element E = N*C*S: forward reads x (4 B; y is 1/S of that), 1 FLOP; backward
 * writes dx (4 B; dy is 1/S). {@link #baseline} copies E floats: 8 B.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class GlobalAvgPoolBench {

    @Param({"32x256x3x4", "32x64x27x32"})
    public String shape;

    @Param({"0"})
    public int threads;

    private int n;
    private int c;
    private int s;
    private float[] x;
    private float[] y;
    private float[] dx;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        String[] d = shape.split("x");
        n = Integer.parseInt(d[0]);
        c = Integer.parseInt(d[1]);
        s = Integer.parseInt(d[2]) * Integer.parseInt(d[3]);
        x = BatchNormBench.fill(new SplittableRandom(42), n * c * s, 1f);
        y = new float[n * c];
        dx = new float[x.length];
        GlobalAvgPoolCpu.forward(y, x, n, c, s);
        double m = 0;
        for (int j = 0; j < s; j++) {
            m += x[j];
        }
        if (Math.abs(y[0] - m / s) > 1e-5) {
            throw new IllegalStateException("mean of plane 0 wrong: " + y[0] + " vs " + m / s);
        }
    }

    @Benchmark
    public void forward(Blackhole bh) {
        GlobalAvgPoolCpu.forward(y, x, n, c, s);
        bh.consume(y);
    }

    @Benchmark
    public void backward(Blackhole bh) {
        GlobalAvgPoolCpu.backward(dx, y, n, c, s);
        bh.consume(dx);
    }

    @Benchmark
    public void baseline(Blackhole bh) {
        System.arraycopy(x, 0, dx, 0, x.length);
        bh.consume(dx);
    }
}
