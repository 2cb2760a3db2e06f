package dev.mtdtl.bench;

import dev.mtdtl.nn.BatchSampler;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.nn.TrainConfig;
import dev.mtdtl.nn.Trainer;
import dev.mtdtl.nn.TrainingData;
import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A/B of two strategies' factor-source step in ONE JVM, steps interleaved (A, B, A, B, ...), so that
 * load drift on a shared machine hits both sides alike; for questions such as "does MSS-CR's factor
 * step cost more than SS-R's" (the work is one full base network either way).
 *
 * <p>Usage: {@code StrategyPairTimer STRATEGY_A SOURCES_A STRATEGY_B SOURCES_B BATCH THREADS WARMUP ITERS};
 * each side trains its first non-self source. Prints, per side, the median wall ms and the median CPU ms of
 * the compute threads ({@link StepClock}), GC pauses per step, and the median of the per-pair ratios B / A.
 */
public final class StrategyPairTimer {

    private StrategyPairTimer() {}

    private record Side(String label, Trainer trainer, BatchSampler sampler, Source source) {}

    public static void main(String[] args) {
        if (args.length != 8) {
            System.err.println("usage: StrategyPairTimer STRATEGY_A SOURCES_A STRATEGY_B SOURCES_B BATCH THREADS WARMUP ITERS");
            System.exit(1);
        }
        int batch = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        int warmup = Integer.parseInt(args[6]);
        int iters = Integer.parseInt(args[7]);
        Parallel.setThreads(threads);
        Side a = side(args[0], args[1], batch);
        Side b = side(args[2], args[3], batch);
        Side[] sides = {a, b};
        for (int i = 0; i < warmup; i++) {
            for (Side s : sides) {
                s.trainer().step(s.sampler().batch(i, s.source()));
            }
        }
        double[][] wall = new double[2][iters];
        double[][] cpu = new double[2][iters];
        double[] gc = new double[2];
        StepClock clock = new StepClock();
        for (int i = 0; i < iters; i++) {
            for (int k = 0; k < 2; k++) {
                Side s = sides[(i + k) % 2 == 0 ? 0 : 1];   // alternate which side goes first
                int idx = s == a ? 0 : 1;
                BatchSampler.Batch bt = s.sampler().batch(warmup + i, s.source());
                clock.start();
                s.trainer().step(bt);
                clock.stop();
                wall[idx][i] = clock.wallMs;
                cpu[idx][i] = clock.cpuMs;
                gc[idx] += clock.gcMs;
            }
        }
        double[] rw = new double[iters];
        double[] rc = new double[iters];
        for (int i = 0; i < iters; i++) {
            rw[i] = wall[1][i] / wall[0][i];
            rc[i] = cpu[1][i] / cpu[0][i];
        }
        for (int k = 0; k < 2; k++) {
            System.out.printf(Locale.ROOT, "pair side=%s batch=%d threads=%d median_ms=%.1f median_cpu_ms=%.1f gc_ms_per_step=%.1f%n",
                    sides[k].label(), batch, threads, median(wall[k]), median(cpu[k]), gc[k] / iters);
        }
        System.out.printf(Locale.ROOT, "pair ratio=%s/%s wall=%.2f cpu=%.2f (medians of per-pair ratios)%n",
                b.label(), a.label(), median(rw), median(rc));
    }

    private static Side side(String strategy, String sourceList, int batch) {
        List<Source> sources = Source.parseList(sourceList);
        TrainingData data = StrategyStepTimer.randomData(batch + 8, sources, 1234);
        MultiSourceNet net = MultiSourceNet.paper(Strategy.of(strategy), sources, 1234);
        Trainer trainer = new Trainer(net, data, TrainConfig.paper(1234).withBatch(batch));
        BatchSampler sampler = new BatchSampler(data, TrainingData.Split.TRAIN, sources, batch, 99, false);
        Source factor = sources.stream().filter(s -> !s.isSelf()).findFirst().orElseThrow(
                () -> new IllegalArgumentException("need a factor source in " + sourceList));
        return new Side(strategy + ":" + sourceList, trainer, sampler, factor);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
