package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.Conv2dCpu;
import dev.mtdtl.tensor.cpu.ConvGeom;
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
 * The base CNN's conv layers (paper, Table 3) at batch 32, input (32, 2, 216, 128), each direction.
 *
 * <p>FLOPs per call, every direction alike: 2 N OC HO WO C KH KW:
 * conv1 0.708 G, conv2 1.019 G, conv3 1.019 G, conv4 0.491 G, conv5 0.226 G, conv61 0.226 G, conv62 0.050 G.
 * Bytes at least (x + w + y, float32): conv1 7.5 + 28 MB, conv2 7 + 14 MB, conv3 3.5 + 7 MB,
 * conv4 1.7 + 1.7 MB, conv5 0.4 + 0.8 MB, conv61 0.2 + 1.2 MB, conv62 0.4 + 0.4 MB (+ weights,
 * at most 1.2 MB for conv61). GFLOP/s is printed at tear-down with the kernels each direction takes
 * ({@link Conv2dCpu#paths}: the filter gradient of conv2-conv5 is the channel-last kernel on 512-bit
 * cores); {@code baseline} copies y for scale.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class Conv2dBench {

    @Param({"conv1", "conv2", "conv3", "conv4", "conv5", "conv61", "conv62"})
    public String layer;

    @Param({"2"})
    public int threads;

    @Param({"32"})
    public int batch;

    private ConvGeom g;
    private float[] x, w, b, y, dx, dy, dw, db, ws, copy;
    private long calls, nanos;

    /** Geometry of a layer of the base CNN at batch n. */
    static ConvGeom layer(String name, int n) {
        return switch (name) {
            case "conv1" -> new ConvGeom(n, 2, 216, 128, 16, 5, 5, 2, 1, 2, 2);
            case "conv2" -> ConvGeom.same(n, 16, 54, 64, 32, 3);
            case "conv3" -> ConvGeom.same(n, 32, 27, 32, 64, 3);
            case "conv4" -> ConvGeom.same(n, 64, 13, 16, 64, 3);
            case "conv5" -> ConvGeom.same(n, 64, 6, 8, 128, 3);
            case "conv61" -> ConvGeom.same(n, 128, 3, 4, 256, 3);
            case "conv62" -> ConvGeom.same(n, 256, 3, 4, 256, 1);
            default -> throw new IllegalArgumentException("unknown layer " + name);
        };
    }

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        g = layer(layer, batch);
        SplittableRandom r = new SplittableRandom(42);
        x = fill(r, g.xSize());
        w = fill(r, g.wSize());
        b = fill(r, g.oc());
        dy = fill(r, g.ySize());
        y = new float[g.ySize()];
        copy = new float[g.ySize()];
        dx = new float[g.xSize()];
        dw = new float[g.wSize()];
        db = new float[g.oc()];
        ws = new float[(int) Conv2dCpu.workspaceFloats(g)];
        // validate once: one output against the definition
        Conv2dCpu.forward(y, x, w, b, g, ws);
        int o = g.oc() - 1, i = g.ho() / 2, j = g.wo() - 1;
        double s = b[o];
        for (int c = 0; c < g.c(); c++) {
            for (int u = 0; u < g.kh(); u++) {
                for (int v = 0; v < g.kw(); v++) {
                    int hi = i * g.sh() - g.ph() + u, wi = j * g.sw() - g.pw() + v;
                    if (hi >= 0 && hi < g.h() && wi >= 0 && wi < g.w()) {
                        s += (double) w[((o * g.c() + c) * g.kh() + u) * g.kw() + v] * x[(c * g.h() + hi) * g.w() + wi];
                    }
                }
            }
        }
        float got = y[(o * g.ho() + i) * g.wo() + j];
        if (Math.abs(got - s) > 1e-3 * (1 + Math.abs(s))) {
            throw new IllegalStateException(layer + ": conv wrong, " + got + " vs " + s);
        }
    }

    private static float[] fill(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    @Benchmark
    public float[] forward() {
        long t0 = System.nanoTime();
        Conv2dCpu.forward(y, x, w, b, g, ws);
        nanos += System.nanoTime() - t0;
        calls++;
        return y;
    }

    @Benchmark
    public float[] backwardData() {
        long t0 = System.nanoTime();
        Conv2dCpu.backwardData(dx, dy, w, g, ws);
        nanos += System.nanoTime() - t0;
        calls++;
        return dx;
    }

    @Benchmark
    public float[] backwardFilter() {
        long t0 = System.nanoTime();
        Conv2dCpu.backwardFilter(dw, db, dy, x, g, ws);
        nanos += System.nanoTime() - t0;
        calls++;
        return dw;
    }

    @Benchmark
    public float[] baseline() {
        System.arraycopy(dy, 0, copy, 0, dy.length);
        return copy;
    }

    @TearDown(Level.Trial)
    public void report() {
        if (calls > 0) {
            double gf = (double) g.flops() * calls / nanos;
            System.out.printf("%n[conv %s batch=%d threads=%d] %.1f GFLOP/s (%.2f ms/call, %.3f GFLOP; %s)%n",
                    layer, batch, threads, gf, nanos / 1e6 / calls, g.flops() / 1e9, Conv2dCpu.paths(g));
        }
    }
}
