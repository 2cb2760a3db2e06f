package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.Gemm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SGEMM C = A B on square row-major matrices (no transposition, beta = 0).
 *
 * <p>FLOPs per call: 2 n^3 (one multiply and one add per term). Bytes touched at least: 3 n^2 x 4
 * (A, B read, C written). Reported as average time; GFLOP/s = 2 n^3 / time, printed at tear-down
 * together with the share of {@link Peak#gflops(int)} for the thread count. {@code baseline} copies
 * A into C (n^2 floats) for a memory-speed reference on the same arrays.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class GemmBench {

    @Param({"512", "1024", "2048"})
    public int size;

    @Param({"1", "2"})
    public int threads;

    private float[] a;   // (size, size)
    private float[] b;   // (size, size)
    private float[] c;   // (size, size)
    private float[] ws;
    private long calls;
    private long nanos;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        int n = size;
        SplittableRandom r = new SplittableRandom(42);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
            b[i] = (float) r.nextDouble(-1, 1);
        }
        ws = new float[(int) Gemm.workspaceFloats(n, n, n)];
        // validate once: one entry against a double dot product
        Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n, ws, 0);
        double s = 0;
        for (int p = 0; p < n; p++) {
            s += (double) a[3 * n + p] * b[p * n + 5];
        }
        if (Math.abs(s - c[3 * n + 5]) > 1e-3 * Math.sqrt(n)) {
            throw new IllegalStateException("sgemm wrong: " + c[3 * n + 5] + " vs " + s);
        }
    }

    @Benchmark
    public float[] sgemm() {
        long t0 = System.nanoTime();
        int n = size;
        Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n, ws, 0);
        nanos += System.nanoTime() - t0;
        calls++;
        return c;
    }

    @Benchmark
    public float[] baseline() {
        System.arraycopy(a, 0, c, 0, a.length);
        return c;
    }

    @TearDown(Level.Trial)
    public void report() {
        if (calls > 0) {
            double gf = 2.0 * size * size * size * calls / nanos;
            System.out.printf("%n[gemm n=%d threads=%d] %.1f GFLOP/s = %.0f%% of nominal peak %.0f%n",
                    size, threads, gf, 100 * gf / Peak.gflops(threads), Peak.gflops(threads));
        }
    }
}
