package dev.mtdtl.bench;

import dev.mtdtl.tensor.cpu.KlReduction;
import dev.mtdtl.tensor.cpu.SoftmaxCpu;
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
 * SoftmaxCpu losses on the heads' shapes: KL over K = 50 topics at batch 32 and 128, and the
 * Siamese 2-class cross-entropy at batch 128 (N x K).
 *
 * <p>Per element of (N, K): klForward reads logits and z, writes p (12 B) and takes 2 exp + 1 log
 * (about 60 FLOP-equivalents); klBackward reads p, z, writes dlogits (12 B), 3 FLOP.
 * {@link #baseline} copies N*K floats (8 B). These ops are latency, not bandwidth, bound: microseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"-Xms2g", "-Xmx2g", JvmFlags.VECTOR, JvmFlags.TRAPS})
public class SoftmaxKlBench {

    @Param({"32x50", "128x50", "128x2"})
    public String shape;

    private int n;
    private int k;
    private float[] logits;
    private float[] z;
    private float[] p;
    private float[] d;
    private int[] target;

    @Setup
    public void setup() {
        String[] s = shape.split("x");
        n = Integer.parseInt(s[0]);
        k = Integer.parseInt(s[1]);
        SplittableRandom r = new SplittableRandom(42);
        logits = BatchNormBench.fill(r, n * k, 0f);
        z = new float[n * k];
        target = new int[n];
        for (int i = 0; i < n; i++) {
            target[i] = r.nextInt(k);
            z[i * k + target[i]] = 1f;   // one-hot rows sum to 1
        }
        p = new float[n * k];
        d = new float[n * k];
        float kl = SoftmaxCpu.klForward(p, logits, z, n, k, KlReduction.BATCHMEAN);
        float ce = SoftmaxCpu.crossEntropyForward(p, logits, target, n, k);
        if (Math.abs(kl - ce) > 1e-4 * Math.abs(ce)) {
            throw new IllegalStateException("KL to one-hot must equal cross-entropy: " + kl + " vs " + ce);
        }
    }

    @Benchmark
    public float klForward() {
        return SoftmaxCpu.klForward(p, logits, z, n, k, KlReduction.MEAN);
    }

    @Benchmark
    public void klBackward(Blackhole bh) {
        SoftmaxCpu.klBackward(d, p, z, n, k, KlReduction.MEAN);
        bh.consume(d);
    }

    @Benchmark
    public float crossEntropyForward() {
        return SoftmaxCpu.crossEntropyForward(p, logits, target, n, k);
    }

    @Benchmark
    public void baseline(Blackhole bh) {
        System.arraycopy(logits, 0, d, 0, n * k);
        bh.consume(d);
    }
}
