package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.BatchNormCpu;
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
 * BatchNormCpu on the base CNN's batch-norm inputs at batch 32 (N x C x H x W; the last is bn_feature,
 * BatchNorm1d on (32, 256)).
 *
 * <p>Nominal traffic per element E = N*C*H*W (float32, each array touched once):
 * forwardTrain 8 B (read x, write y; the kernel reads x three times, the 2nd and 3rd from cache when a
 * channel's N*H*W floats fit), about 8 FLOP; backwardTrain 12 B (read dy, x, write dx), about 9 FLOP;
 * forwardEval 8 B, 3 FLOP; backwardEval 12 B, 5 FLOP. {@link #baseline} copies E floats: 8 B.
 * GB/s = bytes * E / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class BatchNormBench {

    @Param({"32x16x108x128", "32x32x54x64", "32x64x27x32", "32x64x13x16", "32x128x6x8", "32x256x3x4", "32x256x1x1"})
    public String shape;

    /** Pool size; 0 keeps the default (all processors). */
    @Param({"0"})
    public int threads;

    private int n;
    private int c;
    private int s;
    private float[] x;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private float[] gamma;
    private float[] beta;
    private float[] rm;
    private float[] rv;
    private float[] mean;
    private float[] invstd;
    private float[] dgamma;
    private float[] dbeta;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        String[] d = shape.split("x");
        n = Integer.parseInt(d[0]);
        c = Integer.parseInt(d[1]);
        s = Integer.parseInt(d[2]) * Integer.parseInt(d[3]);
        int len = n * c * s;
        SplittableRandom r = new SplittableRandom(42);
        x = fill(r, len, 1f);
        dy = fill(r, len, 0f);
        y = new float[len];
        dx = new float[len];
        gamma = fill(r, c, 1f);
        beta = fill(r, c, 0f);
        rm = new float[c];
        rv = new float[c];
        java.util.Arrays.fill(rv, 1f);
        mean = new float[c];
        invstd = new float[c];
        dgamma = new float[c];
        dbeta = new float[c];
        // Validate once: channel 0's batch mean against a plain double sum.
        BatchNormCpu.forwardTrain(y, mean, invstd, x, gamma, beta, rm, rv, n, c, s, 0.1f, 1e-5f);
        double m0 = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < s; j++) {
                m0 += x[i * c * s + j];
            }
        }
        m0 /= (double) n * s;
        if (Math.abs(mean[0] - m0) > 1e-5) {
            throw new IllegalStateException("batch mean " + mean[0] + ", expected " + m0);
        }
    }

    static float[] fill(SplittableRandom r, int len, float centre) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) (centre + r.nextDouble(-1, 1));
        }
        return a;
    }

    @Benchmark
    public void forwardTrain(Blackhole bh) {
        BatchNormCpu.forwardTrain(y, mean, invstd, x, gamma, beta, rm, rv, n, c, s, 0.1f, 1e-5f);
        bh.consume(y);
    }

    @Benchmark
    public void backwardTrain(Blackhole bh) {
        BatchNormCpu.backwardTrain(dx, dgamma, dbeta, dy, x, mean, invstd, gamma, n, c, s);
        bh.consume(dx);
    }

    @Benchmark
    public void forwardEval(Blackhole bh) {
        BatchNormCpu.forwardEval(y, x, gamma, beta, rm, rv, n, c, s, 1e-5f);
        bh.consume(y);
    }

    @Benchmark
    public void backwardEval(Blackhole bh) {
        BatchNormCpu.backwardEval(dx, dgamma, dbeta, dy, x, gamma, rm, rv, n, c, s, 1e-5f);
        bh.consume(dx);
    }

    /** Single-threaded copy of x to y: the memory-bandwidth yardstick (8 B per element). */
    @Benchmark
    public void baseline(Blackhole bh) {
        System.arraycopy(x, 0, y, 0, x.length);
        bh.consume(y);
    }
}
