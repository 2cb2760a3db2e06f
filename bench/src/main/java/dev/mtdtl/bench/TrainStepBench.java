package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One full training step of the base CNN (forward, KL loss, backward, Adam) at batch 32 and 128.
 * Work per step: {@link TrainStep#STEP_FLOPS_PER_SAMPLE} x batch, about 11.2 GFLOP at batch 32;
 * GFLOP/s = that / (ms per op) / 1e6.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgs = {"-Xms6g", "-Xmx6g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class TrainStepBench {

    @Param({"32", "128"})
    public int batch;

    @Param({"2"})
    public int threads;

    private TrainStep step;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        step = new TrainStep(batch, 1234);
        float loss = step.run();
        if (!Float.isFinite(loss)) {
            throw new IllegalStateException("training step produced loss " + loss);
        }
    }

    @Benchmark
    public float trainStep() {
        return step.run();
    }
}
