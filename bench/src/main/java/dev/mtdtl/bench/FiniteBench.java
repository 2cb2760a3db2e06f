package dev.mtdtl.bench;

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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The trainer's gradient check ({@link FiniteCpu#allFinite}) against the element-by-element loop it replaced, on
 * the base CNN's largest gradient (conv61's weights, 294,912 floats) and on all of its gradients at once (576,482).
 *
 * <p>Traffic per element: 4 B read; 1 FMA (counted as 2 FLOPs) for the vector check, 1 compare for the loop.
 * Finite data, so both read the whole array.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms1g", "-Xmx1g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class FiniteBench {

    @Param({"294912", "576482"})
    public int len;

    private float[] a;

    @Setup
    public void setup() {
        a = BatchNormBench.fill(new SplittableRandom(42), len, 0f);
        if (!FiniteCpu.allFinite(a, len) || !scalar(a, len)) {
            throw new IllegalStateException("finite data reported non-finite");
        }
    }

    @Benchmark
    public boolean vector() {
        return FiniteCpu.allFinite(a, len);
    }

    /** The loop CpuDevice ran before (an early exit per element). */
    @Benchmark
    public boolean scalarLoop() {
        return scalar(a, len);
    }

    private static boolean scalar(float[] a, int len) {
        for (int i = 0; i < len; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }
}
