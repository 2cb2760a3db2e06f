package dev.mtdtl.bench;

import dev.mtdtl.factor.Csr;
import dev.mtdtl.factor.Wmf;
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

import java.util.concurrent.TimeUnit;

/**
 * One ALS sweep (U, V, W updates) of WMF with item features: 1,000 users x 27,000 items at 1% density,
 * r = 50, D = 512 features (mean || std of the 256-d representation), the paper's settings (issue 4; the
 * reference's time: about 2 s a sweep). The one-off X^T X factorisation is setup, not timed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g"}, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class WmfBench {

    @Param({"1000"})
    int users;
    @Param({"27000"})
    int items;
    @Param({"0.01"})
    double density;
    @Param({"512"})
    int dims;
    @Param({"0"})
    int threads;

    Wmf.Model model;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        Csr r = FactorData.counts(users, items, (int) (density * users * items), 7);
        double[] x = FactorData.gaussian(items, dims, 8);
        model = Wmf.init(r, x, dims, Wmf.Options.defaults());
        model.epoch();
        for (double t : model.w) {
            if (!Double.isFinite(t)) {
                throw new IllegalStateException("non-finite W after one sweep");
            }
        }
    }

    @Benchmark
    public double sweep() {
        model.epoch();
        return model.u[0];
    }
}
