package dev.mtdtl.bench;

import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.MelSpectrogram;
import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Does what ran earlier in a JVM slow down what runs later? The check behind bench/RESULTS.md, "One vector
 * shape per JVM": C2 on JDK 17 boxes Vector API code whose shared JDK call sites have seen two vector shapes
 * of one element type, so a kernel can run 4-30x slower in a real job than in its benchmark.
 *
 * <p>Usage: {@code JitContamination FIRST THEN}, FIRST {@code none} or a comma list of {@code dbmel} (4 s of the
 * paper's dB-mel on noise), {@code mlp} (an MLP fit, {@link MlpEpochTimer}), {@code als}, {@code gmm},
 * {@code plsa} ({@link FactorCpuTime}; a study worker runs the MLP and WMF before its next training); THEN one of {@code step} (the base-CNN
 * training step at batch 32, {@link TrainStep}), {@code conv} ({@link ConvCpuTimer} on four layers),
 * {@code als} or {@code gmm} ({@link FactorCpuTime}'s ALS sweep or GMM iteration, with their allocation), {@code mlp}
 * ({@link MlpEpochTimer}). One thread. Run it with the launcher's JVM flags (README, "JVM flags"): without
 * {@code -XX:PerMethodTrapLimit=100000}, {@code plsa,als gmm} shows the trap-limit fallback. Compare {@code none X}
 * with {@code dbmel X}
 * (or {@code mlp als}), each in a fresh JVM: the figures should agree.
 */
public final class JitContamination {

    private JitContamination() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: JitContamination none|dbmel,mlp,als,gmm,plsa step|conv|als|gmm|mlp");
            System.exit(2);
        }
        Parallel.setThreads(1);
        for (String first : args[0].split(",")) {
            switch (first) {
                case "none" -> { }
                case "dbmel" -> dbMel(4.0);
                case "mlp" -> MlpEpochTimer.main(new String[] {"--threads", "1", "--rounds", "3", "--warmup", "1"});
                case "als" -> FactorCpuTime.main(new String[] {"3", "als"});
                case "gmm" -> FactorCpuTime.main(new String[] {"3", "gmm"});
                case "plsa" -> FactorCpuTime.main(new String[] {"3", "plsa"});
                default -> throw new IllegalArgumentException(
                        "FIRST must be none or a comma list of dbmel, mlp, als, gmm, plsa; got '" + first + "'");
            }
        }
        switch (args[1]) {
            case "step" -> step();
            case "conv" -> ConvCpuTimer.main(new String[] {"32", "1", "8", "conv1,conv2,conv5,conv61"});
            case "als" -> FactorCpuTime.main(new String[] {"4", "als"});
            case "gmm" -> FactorCpuTime.main(new String[] {"4", "gmm"});
            case "mlp" -> MlpEpochTimer.main(new String[] {"--threads", "1", "--rounds", "3", "--warmup", "1"});
            default -> throw new IllegalArgumentException(
                    "THEN must be step, conv, als, gmm or mlp, got '" + args[1] + "'");
        }
    }

    /** The paper's dB-mel of a 10 s stereo clip of noise, repeated for {@code seconds}. */
    private static void dbMel(double seconds) {
        MelSpectrogram ms = new MelSpectrogram(MelConfig.paper());
        int n = 22050 * 10;
        float[] x = new float[2 * n];           // (2, n) channel-major
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.1 * (r.nextDouble() - 0.5));
        }
        float[] out = new float[2 * ms.frames(n) * 128];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int reps = 0;
        while (System.nanoTime() < end) {
            ms.dbMel(out, x, 2, n);
            reps++;
        }
        System.out.printf(Locale.ROOT, "first: dbmel x %d (10 s stereo clips)%n", reps);
    }

    /** Median CPU ms of the training step over 6 rounds of 5, after the JIT has settled (rounds 2-6 printed). */
    private static void step() {
        TrainStep step = new TrainStep(32, 1234);
        StepClock clock = new StepClock();
        for (int round = 0; round < 6; round++) {
            double[] cpu = new double[5];
            double[] mb = new double[5];
            for (int i = 0; i < cpu.length; i++) {
                clock.start();
                step.run();
                clock.stop();
                cpu[i] = clock.cpuMs;
                mb[i] = clock.allocMb;
            }
            Arrays.sort(cpu);
            Arrays.sort(mb);
            if (round > 0) {
                System.out.printf(Locale.ROOT, "then: step batch=32 threads=1 round=%d median_cpu_ms=%.1f alloc_mb=%.2f%n",
                        round, cpu[2], mb[2]);
            }
        }
    }
}
