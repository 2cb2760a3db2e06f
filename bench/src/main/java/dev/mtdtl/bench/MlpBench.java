package dev.mtdtl.bench;

import dev.mtdtl.eval.Mlp;
import dev.mtdtl.tensor.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One training epoch of the evaluation MLP ({@link Mlp}: hidden (256, 256), ReLU, softmax, Adam lr 1e-3,
 * L2 1e-4, minibatch 200, sklearn's settings) on n = 5,000 rows of d = 512 float32 features, 10 classes:
 * the size of issue 15's comparison with scikit-learn's MLPClassifier (bench/mlp_side_by_side.py). An
 * invocation is a fit of {@link #EPOCHS} epochs (random labels: no early stop), reported per epoch; it
 * includes the fit's set-up (about one epoch in a thousand).
 *
 * <p>Work per epoch (25 minibatches of m = 200; d = 512, h = 256, c = 10; 199,690 parameters):
 * <ul>
 *   <li>FLOPs: forward 2·m·(dh + hh + hc) = 79.7 M, weight gradients the same, input gradients of layers 2 and 3
 *       2·m·(hh + hc) = 27.2 M: 186.6 M a minibatch, <b>4.66 GFLOP an epoch</b> (plus ~0.2 M for softmax, biases,
 *       Adam: 14 operations a parameter).</li>
 *   <li>Bytes: Adam reads p, g, m, v and writes p, m, v (28 B a parameter): 5.6 MB a minibatch, 140 MB an
 *       epoch; the minibatch gather reads the 10.2 MB of features once an epoch; the packed weight copies
 *       (W0, W1, W1ᵀ, W2, W2ᵀ: 1.06 MB) are rewritten every minibatch, 27 MB an epoch; activations and
 *       deltas (~2.5 MB a minibatch) stay in L2 only in part. About 240 MB an epoch in all.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"}, jvmArgsAppend = {JvmFlags.VECTOR, JvmFlags.TRAPS})
public class MlpBench {

    static final int EPOCHS = 5;

    @Param({"5000"})
    int n;
    @Param({"512"})
    int d;
    @Param({"10"})
    int classes;
    @Param({"2"})
    int threads;

    float[] x;
    int[] y;

    /** Standard normal features, float32, row-major (n, d). */
    static float[] features(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Uniform labels in [0, k). */
    static int[] labels(int n, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(k);
        }
        return y;
    }

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        x = features(n, d, 1);
        y = labels(n, classes, 2);
    }

    @Benchmark
    @OperationsPerInvocation(EPOCHS)
    public double epoch() {
        Mlp m = Mlp.classifier(x, n, d, y, classes, Mlp.Options.sklearn(1).withMaxEpochs(EPOCHS));
        if (m.epochs() != EPOCHS) {
            throw new IllegalStateException("stopped after " + m.epochs() + " epochs, not " + EPOCHS);
        }
        return m.finalLoss();
    }
}
