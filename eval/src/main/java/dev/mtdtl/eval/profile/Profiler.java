package dev.mtdtl.eval.profile;

import dev.mtdtl.nn.BatchSampler;
import dev.mtdtl.nn.InMemoryTrainingData;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.nn.TrainConfig;
import dev.mtdtl.nn.Trainer;
import dev.mtdtl.nn.TrainingData;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One training step (Algorithm 1: batch upload, forward, KL, backward, gradient check, Adam) and one
 * inference pass (eval-mode forward to the logits) of a multi-source network, op by op, on any device:
 * the real {@link Trainer} and {@link MultiSourceNet} run on a {@link ProfilingDevice} wrapped around the
 * chosen device, so what is timed is exactly what {@code mtdtl train} and {@code mtdtl extract} run.
 *
 * <p>Each phase runs {@code warmup} times unrecorded (the JIT, the allocator's caches), then {@code repeats}
 * times recorded; an op's time is its median over the repeats (the op sequence of a phase is the same every
 * time, so the k-th call of each repeat is the same op). The input is Gaussian noise of the paper's crop
 * shape (2 x 216 x 128) and uniform targets: the arithmetic does not depend on the values.
 */
public final class Profiler {

    /** What to profile. {@code sources}: the network's; the step trains the first non-self source. */
    public record Config(Strategy strategy, List<Source> sources, int batch, int warmup, int repeats, long seed) {
        public Config {
            if (batch < 2 || warmup < 0 || repeats < 1) {
                throw new IllegalArgumentException("profile: batch >= 2 (batch norm), warmup >= 0 and repeats >= 1 needed, got batch "
                        + batch + ", warmup " + warmup + ", repeats " + repeats);
            }
            if (sources.isEmpty()) {
                throw new IllegalArgumentException("profile: at least one source is needed");
            }
        }
    }

    private Profiler() {}

    /** Profile on {@code device} against the given roofs. */
    public static Profile run(Device device, Config cfg, Peaks peaks) {
        ProfilingDevice pd = new ProfilingDevice(device);
        TrainingData data = randomData(cfg.batch() + 8, cfg.sources(), cfg.seed());
        MultiSourceNet net = MultiSourceNet.paper(cfg.strategy(), cfg.sources(), cfg.seed());
        Trainer trainer = new Trainer(net, data, TrainConfig.paper(cfg.seed()).withBatch(cfg.batch()), pd);
        BatchSampler sampler = new BatchSampler(data, TrainingData.Split.TRAIN, cfg.sources(), cfg.batch(), cfg.seed() + 1,
                false);
        Source s = cfg.sources().stream().filter(x -> !x.isSelf()).findFirst().orElse(cfg.sources().get(0));
        List<Profile.Phase> phases = new ArrayList<>();

        List<List<ProfilingDevice.OpCall>> runs = new ArrayList<>();
        long[] wall = new long[cfg.repeats()];
        for (int i = 0; i < cfg.warmup() + cfg.repeats(); i++) {
            BatchSampler.Batch b = sampler.batch(i, s);
            boolean rec = i >= cfg.warmup();
            pd.record(rec);
            long t0 = pd.now();
            trainer.step(b);
            pd.synchronize();
            if (rec) {
                wall[i - cfg.warmup()] = pd.now() - t0;
                runs.add(new ArrayList<>(pd.calls()));
                pd.clear();
            }
        }
        pd.record(false);
        phases.add(Profile.Phase.of("train_step (source " + s.id() + ")", runs, wall));

        net.setTraining(false);
        Tensor x = sampler.batch(0, s).x().to(pd);
        runs = new ArrayList<>();
        wall = new long[cfg.repeats()];
        for (int i = 0; i < cfg.warmup() + cfg.repeats(); i++) {
            boolean rec = i >= cfg.warmup();
            pd.record(rec);
            long t0 = pd.now();
            net.forward(s, x);
            pd.synchronize();
            if (rec) {
                wall[i - cfg.warmup()] = pd.now() - t0;
                runs.add(new ArrayList<>(pd.calls()));
                pd.clear();
            }
        }
        pd.record(false);
        phases.add(Profile.Phase.of("inference", runs, wall));
        return new Profile(device.name(), dev.mtdtl.tensor.Parallel.threads(), cfg, peaks, phases);
    }

    /**
     * n tracks of (2, 216, 128) Gaussian mels, every factor source labelled with uniform targets (also the
     * bench step timers' data).
     */
    public static TrainingData randomData(int n, List<Source> sources, long seed) {
        Rng r = new Rng(seed);
        int per = 2 * 216 * 128;
        float[][] mel = new float[n][per];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) {
                mel[i][j] = (float) r.nextGaussian();
            }
            lengths[i] = 216;
        }
        Map<Source, float[]> z = new EnumMap<>(Source.class);
        Map<Source, boolean[]> mask = new EnumMap<>(Source.class);
        for (Source src : sources) {
            if (src.isSelf()) {
                continue;
            }
            float[] zs = new float[n * 50];
            Arrays.fill(zs, 1f / 50);
            boolean[] m = new boolean[n];
            Arrays.fill(m, true);
            z.put(src, zs);
            mask.put(src, m);
        }
        InMemoryTrainingData.SplitData split = new InMemoryTrainingData.SplitData(mel, lengths, z, mask);
        return new InMemoryTrainingData(2, 216, 128, 50, split, split);
    }
}
