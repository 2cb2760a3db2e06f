package dev.mtdtl.bench;

import dev.mtdtl.tensor.cpu.StrictLog;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The natural log of 4,096 doubles in (0, 100]: {@code Math.log} (the JIT's intrinsic, platform bits),
 * {@code StrictMath.log} (fdlibm; a native call on JDK 17, Java on JDK 21+), and {@link StrictLog}, scalar
 * and in vector lanes (StrictMath's bits, Java code).
 *
 * <p>Work per element: fdlibm's path is a division and about 25 other double operations (12 in the
 * polynomial, the rest in the reduction and the reconstruction); the vector form runs all three of the
 * algorithm's formulas, about 40 operations and a division. Traffic: 16 B (read x, write the log). Far from
 * either roof: the division's throughput and the chain's latency bound it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms1g", "-Xmx1g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class LogBench {

    private static final int N = 4096;

    private double[] x;
    private double[] y;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(42);
        x = new double[N];
        y = new double[N];
        for (int i = 0; i < N; i++) {
            x[i] = 100 * (1 - r.nextDouble());
        }
        for (int i = 0; i < N; i++) {
            if (StrictLog.log(x[i]) != StrictMath.log(x[i])) {
                throw new IllegalStateException("StrictLog differs from StrictMath at " + x[i]);
            }
        }
    }

    @Benchmark
    public void mathLog(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            y[i] = Math.log(x[i]);
        }
        bh.consume(y);
    }

    @Benchmark
    public void strictMathLog(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            y[i] = StrictMath.log(x[i]);
        }
        bh.consume(y);
    }

    @Benchmark
    public void strictLogScalar(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            y[i] = StrictLog.log(x[i]);
        }
        bh.consume(y);
    }

    @Benchmark
    public void strictLogArray(Blackhole bh) {
        StrictLog.log(x, 0, y, 0, N);
        bh.consume(y);
    }
}
