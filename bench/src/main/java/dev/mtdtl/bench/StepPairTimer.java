package dev.mtdtl.bench;

import com.sun.management.ThreadMXBean;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A/B of two builds of the engine on the same training step ({@link TrainStep}: the base CNN, one source, batch B)
 * in ONE JVM, steps interleaved A, B, A, B, ..., so that the host's slow and fast phases hit both builds alike.
 * On the shared 2-vCPU machines the same jar's step reads 52 to 74 ms median from one JVM to the next (bench/RESULTS.md,
 * session 31), more than most single changes are worth; alternating whole JVMs needed many pairs to see 2 %.
 *
 * <p>Each build is loaded from its benchmarks jar by a class loader of its own whose parent is the platform loader,
 * so that every engine class, the thread pool included ({@code Parallel}: each side has its own workers), is that
 * build's. The sides share nothing but the JIT's code cache and the machine. Before each step the timer sleeps
 * SLEEP_MS (1 ms), so that the idle side's workers have stopped spinning ({@code mtdtl.spinMicros}, 300 us) before
 * the other side's step starts; both sides pay the same wake-up at their step's first loop. A build that spins longer
 * needs a longer sleep, or its idle workers take CPU from the other side's steps.
 *
 * <p>Prints per side the median and min wall ms and the heap MB its compute threads allocated a step (the
 * step's thread and its pool's workers: ~0.4 at batch 32 when every kernel runs as compiled vector code; more
 * means a boxed kernel, and its times are not comparable), then the median and the quartiles of the per-pair
 * ratios B / A, and whether the two sides' losses were bit-identical at every step (they train the same model from
 * the same seed: a change meant to keep the bits must print {@code identical_losses=true}).
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 -cp benchmarks.jar
 * dev.mtdtl.bench.StepPairTimer JAR_A JAR_B [BATCH 32] [THREADS 2] [WARMUP 15] [PAIRS 40] [SLEEP_MS 1]}; JAR_A and JAR_B are
 * benchmarks jars (bench/target/benchmarks.jar of two checkouts; README, "Profiling").
 */
public final class StepPairTimer {

    private StepPairTimer() {}

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** One build: its step object, run() and its pool's worker thread ids. */
    private record Side(String label, Object trainStep, Method run, Method workerIds) {

        static Side load(String label, Path jar, int batch, int threads) throws ReflectiveOperationException,
                java.io.IOException {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("StepPairTimer: no jar at " + jar);
            }
            URLClassLoader cl = new URLClassLoader(label, new URL[]{jar.toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            Class<?> parallel = Class.forName("dev.mtdtl.tensor.Parallel", true, cl);
            parallel.getMethod("setThreads", int.class).invoke(null, threads);
            Class<?> stepClass = Class.forName("dev.mtdtl.bench.TrainStep", true, cl);
            Constructor<?> make = stepClass.getConstructor(int.class, long.class);
            return new Side(label, make.newInstance(batch, 1234L), stepClass.getMethod("run"),
                    parallel.getMethod("workerIds"));
        }

        float step() throws ReflectiveOperationException {
            return (Float) run.invoke(trainStep);
        }

        /** Heap bytes allocated so far by the calling thread and this side's workers. */
        long allocated() throws ReflectiveOperationException {
            long[] ids = (long[]) workerIds.invoke(null);
            long sum = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (long b : THREADS.getThreadAllocatedBytes(ids)) {
                sum += Math.max(0, b);
            }
            return sum;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: StepPairTimer JAR_A JAR_B [BATCH] [THREADS] [WARMUP] [PAIRS] [SLEEP_MS]");
            System.exit(2);
        }
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 15;
        int pairs = args.length > 5 ? Integer.parseInt(args[5]) : 40;
        int sleepMs = args.length > 6 ? Integer.parseInt(args[6]) : 1;
        Side a = Side.load("A", Path.of(args[0]), batch, threads);
        Side b = Side.load("B", Path.of(args[1]), batch, threads);
        boolean identical = true;
        for (int i = 0; i < warmup; i++) {
            identical &= sameBits(a.step(), b.step());
        }
        double[][] ms = new double[2][pairs];
        double[][] mb = new double[2][pairs];
        double[] ratio = new double[pairs];
        float[] loss = new float[2];
        for (int i = 0; i < pairs; i++) {
            Side[] order = i % 2 == 0 ? new Side[]{a, b} : new Side[]{b, a};   // who goes first alternates too
            for (Side s : order) {
                int k = s == a ? 0 : 1;
                Thread.sleep(sleepMs);
                long alloc0 = s.allocated();
                long t0 = System.nanoTime();
                loss[k] = s.step();
                ms[k][i] = (System.nanoTime() - t0) / 1e6;
                mb[k][i] = (s.allocated() - alloc0) / 1e6;
            }
            identical &= sameBits(loss[0], loss[1]);
            ratio[i] = ms[1][i] / ms[0][i];
        }
        for (int k = 0; k < 2; k++) {
            double[] t = ms[k].clone();
            double[] m = mb[k].clone();
            Arrays.sort(t);
            Arrays.sort(m);
            System.out.printf(Locale.ROOT, "side=%s jar=%s batch=%d threads=%d median_ms=%.2f min_ms=%.2f"
                    + " alloc_mb_per_step=%.2f%n", k == 0 ? "A" : "B", args[k], batch, threads, t[pairs / 2], t[0],
                    m[pairs / 2]);
        }
        Arrays.sort(ratio);
        System.out.printf(Locale.ROOT, "ratio_b_over_a median=%.4f q1=%.4f q3=%.4f pairs=%d identical_losses=%b%n",
                ratio[pairs / 2], ratio[pairs / 4], ratio[(3 * pairs) / 4], pairs, identical);
    }

    private static boolean sameBits(float x, float y) {
        return Float.floatToRawIntBits(x) == Float.floatToRawIntBits(y);
    }
}
