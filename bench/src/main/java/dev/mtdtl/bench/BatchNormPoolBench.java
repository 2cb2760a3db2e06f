package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.BatchNormPoolCpu;
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
 * The fused batch norm + ReLU + 2x2 max pool (BatchNormPoolCpu) on the inputs of the base CNN's blocks 1..5
 * at batch 32, to compare with BatchNormBench + ReluBench + MaxPoolBench on the same shapes.
 *
 * <p>Nominal traffic per input element E = N*C*H*W: forwardTrain reads x for the statistics and again to
 * normalise (8 B; the second read from cache when a channel fits) and writes E/4 pooled floats plus 2 bits
 * of argmax (1 B per element), about 11 FLOP (statistics 5, normalise 2, ReLU 1, 3 compares per window);
 * backwardTrain reads x twice, dy and the pooled output twice (E/4 each), writes dx over x: about 14 B and
 * 7 FLOP per element. GB/s = bytes * E / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class BatchNormPoolBench {

    @Param({"32x16x108x128", "32x32x54x64", "32x64x27x32", "32x64x13x16", "32x128x6x8"})
    public String shape;

    /** Pool size; 0 keeps the default (all processors). */
    @Param({"0"})
    public int threads;

    private int n;
    private int c;
    private int h;
    private int w;
    private float[] x;
    private float[] dxOverX;
    private float[] y;
    private int[] argmax;
    private float[] dy;
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
        h = Integer.parseInt(d[2]);
        w = Integer.parseInt(d[3]);
        int len = n * c * h * w;
        int out = n * c * (h / 2) * (w / 2);
        SplittableRandom r = new SplittableRandom(42);
        x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) r.nextGaussian();
        }
        dxOverX = x.clone();
        dy = new float[out];
        for (int i = 0; i < out; i++) {
            dy[i] = (float) r.nextGaussian();
        }
        y = new float[out];
        argmax = new int[BatchNormPoolCpu.argmaxLength(n, c, h, w)];
        gamma = new float[c];
        beta = new float[c];
        java.util.Arrays.fill(gamma, 1f);
        rm = new float[c];
        rv = new float[c];
        java.util.Arrays.fill(rv, 1f);
        mean = new float[c];
        invstd = new float[c];
        dgamma = new float[c];
        dbeta = new float[c];
        forwardTrain();
    }

    @Benchmark
    public float[] forwardTrain() {
        BatchNormPoolCpu.forwardTrain(y, argmax, mean, invstd, x, gamma, beta, rm, rv, n, c, h, w, 0.1f, 1e-5f);
        return y;
    }

    /** dx written into a copy of x (the network writes it over x; a copy keeps x for the next call). */
    @Benchmark
    public float[] backwardTrain() {
        BatchNormPoolCpu.backwardTrain(dxOverX, dgamma, dbeta, dy, argmax, y, x, mean, invstd, gamma, n, c, h, w);
        return dxOverX;
    }
}
