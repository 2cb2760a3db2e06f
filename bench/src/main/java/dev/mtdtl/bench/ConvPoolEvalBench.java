package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.BatchNormPoolCpu;
import dev.mtdtl.tensor.cpu.Conv2dCpu;
import dev.mtdtl.tensor.cpu.ConvGeom;
import dev.mtdtl.tensor.cpu.ConvPoolEvalCpu;
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
 * Inference through a pooled block of the base CNN at batch 32: the conv, batch norm (running statistics), ReLU and
 * 2x2 max pool as one op ({@code fused}, ConvPoolEvalCpu) against the conv's forward followed by the fused batch
 * norm + ReLU + pool ({@code apart}, what inference ran before; the same bits).
 *
 * <p>Work: the conv's 2 * N * OC * HO * WO * C * KH * KW FLOPs (conv1: 708 MFLOP, conv2-conv3: 1,019) plus about 6
 * per conv output (normalise 2, ReLU 1, 3 compares per window). Nominal memory traffic: fused reads x and w and
 * writes the pooled quarter, 4 * (|x| + |w| + |y|/4) bytes (conv1: 14 MB); apart also writes the conv output y and
 * reads it back, 8 * |y| more (conv1: 57 MB more). GB/s = those bytes / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class ConvPoolEvalBench {

    /** Block: conv1 (2 -> 16, 5 x 5, row stride 2, 216 x 128 input) to conv4. */
    @Param({"conv1", "conv2", "conv3", "conv4"})
    public String block;

    /** Pool size; 0 keeps the default (all processors). */
    @Param({"0"})
    public int threads;

    private ConvGeom g;
    private float[] x;
    private float[] w;
    private float[] b;
    private float[] convOut;
    private float[] pooled;
    private int[] argmax;
    private float[] gamma;
    private float[] beta;
    private float[] rm;
    private float[] rv;
    private float[] wsApart;
    private float[] wsFused;

    @Setup
    public void setup() {
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        g = switch (block) {
            case "conv1" -> new ConvGeom(32, 2, 216, 128, 16, 5, 5, 2, 1, 2, 2);
            case "conv2" -> new ConvGeom(32, 16, 54, 64, 32, 3, 3, 1, 1, 1, 1);
            case "conv3" -> new ConvGeom(32, 32, 27, 32, 64, 3, 3, 1, 1, 1, 1);
            case "conv4" -> new ConvGeom(32, 64, 13, 16, 64, 3, 3, 1, 1, 1, 1);
            default -> throw new IllegalArgumentException("block " + block);
        };
        SplittableRandom r = new SplittableRandom(42);
        x = gaussian(r, (int) g.xSize(), 1);
        w = gaussian(r, (int) g.wSize(), 0.2);
        b = gaussian(r, g.oc(), 0.1);
        gamma = gaussian(r, g.oc(), 1);
        beta = gaussian(r, g.oc(), 0.3);
        rm = gaussian(r, g.oc(), 0.2);
        rv = new float[g.oc()];
        java.util.Arrays.fill(rv, 1.5f);
        convOut = new float[(int) g.ySize()];
        pooled = new float[g.n() * g.oc() * (g.ho() / 2) * (g.wo() / 2)];
        argmax = new int[BatchNormPoolCpu.argmaxLength(g.n(), g.oc(), g.ho(), g.wo())];
        wsApart = new float[(int) Conv2dCpu.workspaceFloats(g)];
        wsFused = new float[(int) ConvPoolEvalCpu.workspaceFloats(g)];
    }

    @Benchmark
    public float[] fused() {
        ConvPoolEvalCpu.forward(pooled, x, w, b, gamma, beta, rm, rv, 1e-5f, g, wsFused);
        return pooled;
    }

    @Benchmark
    public float[] apart() {
        Conv2dCpu.forward(convOut, x, w, b, g, wsApart);
        BatchNormPoolCpu.forwardEval(pooled, argmax, convOut, gamma, beta, rm, rv, g.n(), g.oc(), g.ho(), g.wo(),
                1e-5f);
        return pooled;
    }

    private static float[] gaussian(SplittableRandom r, int len, double sd) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) (sd * r.nextGaussian());
        }
        return a;
    }
}
