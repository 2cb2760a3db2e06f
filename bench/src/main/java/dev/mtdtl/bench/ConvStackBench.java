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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The conv part of one training step of the base CNN: forward, data gradient (not for conv1, whose
 * input needs none, as in PyTorch) and filter gradient of all seven conv layers, one shared workspace.
 * FLOPs per call: 3 x 3.74 G - 0.71 G = 10.5 G at batch 32 (x 4 at batch 128). Excludes batch norm,
 * ReLU, pooling and the fc layers (under 1% of the FLOPs). {@code baseline} copies the conv1 output.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class ConvStackBench {

    @Param({"32"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private ConvGeom[] g;
    private float[][] x, w, b, y, dx, dw, db;
    private float[] ws;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        String[] names = {"conv1", "conv2", "conv3", "conv4", "conv5", "conv61", "conv62"};
        int l = names.length;
        g = new ConvGeom[l];
        x = new float[l][];
        w = new float[l][];
        b = new float[l][];
        y = new float[l][];
        dx = new float[l][];
        dw = new float[l][];
        db = new float[l][];
        SplittableRandom r = new SplittableRandom(42);
        long wsMax = 0;
        for (int i = 0; i < l; i++) {
            g[i] = Conv2dBench.layer(names[i], batch);
            x[i] = fill(r, g[i].xSize());
            w[i] = fill(r, g[i].wSize());
            b[i] = fill(r, g[i].oc());
            y[i] = new float[g[i].ySize()];
            dx[i] = new float[g[i].xSize()];
            dw[i] = new float[g[i].wSize()];
            db[i] = new float[g[i].oc()];
            wsMax = Math.max(wsMax, Conv2dCpu.workspaceFloats(g[i]));
        }
        ws = new float[(int) wsMax];
    }

    private static float[] fill(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    @Benchmark
    public float[] step() {
        for (int i = 0; i < g.length; i++) {
            Conv2dCpu.forward(y[i], x[i], w[i], b[i], g[i], ws);
        }
        for (int i = g.length - 1; i >= 0; i--) {     // y stands in for dy
            Conv2dCpu.backwardFilter(dw[i], db[i], y[i], x[i], g[i], ws);
            if (i > 0) {
                Conv2dCpu.backwardData(dx[i], y[i], w[i], g[i], ws);
            }
        }
        return dw[0];
    }

    @Benchmark
    public float[] baseline() {
        System.arraycopy(y[0], 0, dx[1], 0, Math.min(y[0].length, dx[1].length));
        return dx[1];
    }
}
