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
 * Samples/s of one Algorithm 1 iteration of a multi-source network, per kind of source (a 50-way
 * factor source, and the Siamese self source, which runs two crops per sample), on random in-memory
 * data. For bench/strategies_side_by_side.py, which times the same step of the PyTorch mirror module
 * (nn/src/test/python/multisource_torch.py) in the same run.
 *
 * <p>Usage: {@code StrategyStepTimer STRATEGY SOURCES BATCH THREADS WARMUP ITERS}; prints one line per
 * timed source: {@code mtdtl strategy=S source=X batch=B threads=T median_ms=M samples_per_s=R median_cpu_ms=C
 * gc_ms_per_step=G gcs_per_step=N peak_rss_mb=P alloc_mb_per_step=A} (C: CPU time of the compute threads, the
 * load-independent figure; G, N: collector pause time and collections per step, see {@link StepClock}; A: heap the
 * compute threads allocate a step, megabytes where C2 compiled some kernel boxed).
 */
public final class StrategyStepTimer {

    private StrategyStepTimer() {}

    public static void main(String[] args) {
        Strategy strategy = Strategy.of(args[0]);
        List<Source> sources = Source.parseList(args[1]);
        int batch = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int iters = Integer.parseInt(args[5]);
        Parallel.setThreads(threads);
        TrainingData data = randomData(batch + 8, sources, 1234);
        MultiSourceNet net = MultiSourceNet.paper(strategy, sources, 1234);
        TrainConfig cfg = TrainConfig.paper(1234).withBatch(batch);
        Trainer trainer = new Trainer(net, data, cfg);
        BatchSampler sampler = new BatchSampler(data, TrainingData.Split.TRAIN, sources, batch, 99, false);
        Source factor = sources.stream().filter(s -> !s.isSelf()).findFirst().orElse(null);
        Source self = sources.contains(Source.SELF) ? Source.SELF : null;
        for (Source s : new Source[]{factor, self}) {
            if (s == null) {
                continue;
            }
            for (int i = 0; i < warmup; i++) {
                trainer.step(sampler.batch(i, s));
            }
            double[] ms = new double[iters];
            double[] cpu = new double[iters];
            double gcMs = 0;
            double allocMb = 0;
            long gcCount = 0;
            StepClock clock = new StepClock();
            for (int i = 0; i < iters; i++) {
                BatchSampler.Batch b = sampler.batch(warmup + i, s);
                clock.start();
                trainer.step(b);
                clock.stop();
                ms[i] = clock.wallMs;
                cpu[i] = clock.cpuMs;
                gcMs += clock.gcMs;
                gcCount += clock.gcCount;
                allocMb += clock.allocMb;
            }
            Arrays.sort(ms);
            Arrays.sort(cpu);
            double med = ms[iters / 2];
            System.out.printf(Locale.ROOT, "mtdtl strategy=%s source=%s batch=%d threads=%d median_ms=%.1f samples_per_s=%.1f"
                            + " median_cpu_ms=%.1f gc_ms_per_step=%.1f gcs_per_step=%.2f peak_rss_mb=%.0f"
                            + " alloc_mb_per_step=%.2f%n",
                    args[0], s.id(), batch, threads, med, batch / (med / 1e3), cpu[iters / 2], gcMs / iters,
                    gcCount / (double) iters, TrainStepTimer.peakRssMb(), allocMb / iters);
        }
    }

    /** n tracks of (2, 216, 128) Gaussian mels, every factor source labelled (the profiler's data). */
    static TrainingData randomData(int n, List<Source> sources, long seed) {
        return dev.mtdtl.eval.profile.Profiler.randomData(n, sources, seed);
    }
}
