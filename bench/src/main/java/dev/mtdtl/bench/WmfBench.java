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
 *
 * <p>Work per sweep (multiply-adds, 265,927 stored counts): X W and X^T V 2 x 691M (I D r each); user
 * systems 373M (sum of n r(r+1)/2 from the gathered rows, 1,000 factorisations of r^3/6); the 1,163 items
 * with at least r/2 users 96M the same way; the 25,775 others by the Woodbury identity 168M (P Y 68M,
 * K 62M, the rest 38M); Gram matrices 70M; W's solve 13M: about 2.1 G multiply-adds = 4.2 GFLOP. Bytes:
 * X (110.6 MB) streamed twice, the 266k gathered rows of V (400 B each, scattered over 10.8 MB) once, Y
 * and P Y (10.8 MB each) written and read: about 0.37 GB a sweep.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g"}, jvmArgsAppend = {JvmFlags.VECTOR, JvmFlags.TRAPS})
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
