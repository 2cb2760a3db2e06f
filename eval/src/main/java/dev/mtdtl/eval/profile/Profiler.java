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
import dev.mtdtl.tensor.LoopStats;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One training step (Algorithm 1: batch upload, forward, KL, backward, gradient check, Adam) and one
 * inference pass (the eval-mode fc-features of every source, trunk once, as feature extraction runs them:
 * {@link MultiSourceNet#representations}) of a multi-source network, op by op, on any device, and optionally the
 * audio front end that feeds it ({@link FrontEnd}: decode, resample, dB-mel, standardise):
 * the real {@link Trainer} and {@link MultiSourceNet} run on a {@link ProfilingDevice} wrapped around the
 * chosen device, so what is timed is exactly what {@code mtdtl train} and {@code mtdtl extract} run.
 *
 * <p>Each phase runs {@code warmup} times unrecorded (the JIT, the allocator's caches), then {@code repeats}
 * times recorded. {@link #AUTO} warm-up repeats the phase until it stops getting faster (see {@link #warm}): on
 * the CPU, C2 compiles the big vector kernels only after several steps, and until then they run the Vector API's
 * boxed fallback (2 warm-up steps, the old default, gave a base-CNN step of 437 ms where a warm one takes 215,
 * Adam at 17 ms instead of 0.7). An op's time is its median over the repeats (the op sequence of a phase is
 * the same every time, so the k-th call of each repeat is the same op). The input is Gaussian noise of the
 * paper's crop shape (2 x 216 x 128) and uniform targets: the arithmetic does not depend on the values.
 */
public final class Profiler {

    /**
     * What to profile. {@code sources}: the network's; the step trains the first non-self source. {@code frontEnd}:
     * also the audio front end ({@link FrontEnd}) as a third phase.
     */
    public record Config(Strategy strategy, List<Source> sources, int batch, int warmup, int repeats, long seed,
                         boolean frontEnd) {

        /** The network's two phases only. */
        public Config(Strategy strategy, List<Source> sources, int batch, int warmup, int repeats, long seed) {
            this(strategy, sources, batch, warmup, repeats, seed, false);
        }

        public Config {
            // upper bounds: a batch whose input no array holds (2^31 - 1 overflowed into a negative size), and counts
            // that would run for days; far above any profile's use (the paper's batch is 128)
            if (batch < 2 || batch > 4096 || (warmup < 0 && warmup != AUTO) || warmup > 10_000 || repeats < 1
                    || repeats > 10_000) {
                throw new IllegalArgumentException("profile: batch from 2 (batch norm) to 4096, warmup from 0 (or auto) "
                        + "and repeats from 1 to 10,000 needed, got batch " + batch + ", warmup " + warmup + ", repeats "
                        + repeats);
            }
            if (sources.isEmpty()) {
                throw new IllegalArgumentException("profile: at least one source is needed");
            }
        }
    }

    /** Warm up until the phase stops getting faster. */
    public static final int AUTO = -1;
    /** Auto warm-up: at least this many runs, ... */
    static final int AUTO_MIN = 5;
    /** ... and stop after this many in a row that were not 3% faster than the best so far ... */
    static final int AUTO_PATIENCE = 4;
    /** ... or after this many runs or this much time, whichever comes first. */
    static final int AUTO_MAX = 60;
    static final long AUTO_MAX_NS = 90_000_000_000L;

    private Profiler() {}

    /**
     * Runs {@code phase.accept(i)} for i = 0, 1, ... unrecorded: {@code warmup} times, or with {@link #AUTO} until
     * {@link #AUTO_PATIENCE} runs in a row were no more than 3% faster than the best before them (at least
     * {@link #AUTO_MIN} runs, at most {@link #AUTO_MAX} or {@link #AUTO_MAX_NS}). Returns the runs made.
     */
    static int warm(ProfilingDevice pd, int warmup, java.util.function.IntConsumer phase) {
        pd.record(false);
        if (warmup != AUTO) {
            for (int i = 0; i < warmup; i++) {
                phase.accept(i);
            }
            return warmup;
        }
        long start = pd.now();
        long best = Long.MAX_VALUE;
        int since = 0;
        int n = 0;
        while (n < AUTO_MAX && pd.now() - start < AUTO_MAX_NS) {
            long t0 = pd.now();
            phase.accept(n);
            pd.synchronize();
            long t = pd.now() - t0;
            n++;
            if (t < best - best / 33) {
                since = 0;
            } else {
                since++;
            }
            best = Math.min(best, t);
            if (n >= AUTO_MIN && since >= AUTO_PATIENCE) {
                break;
            }
        }
        return n;
    }

    /** Profile on {@code device} against the given roofs. */
    public static Profile run(Device device, Config cfg, Peaks peaks) {
        // A profile times the kernels warm: their scalar start (ColdStart) would only lengthen the warm-up, and an auto
        // warm-up could stop on it (a fast scalar first repetition, then the vector forms' slower first ones)
        dev.mtdtl.tensor.ColdStart.endForBatch();
        ProfilingDevice pd = new ProfilingDevice(device);
        TrainingData data = randomData(cfg.batch() + 8, cfg.sources(), cfg.seed());
        MultiSourceNet net = MultiSourceNet.paper(cfg.strategy(), cfg.sources(), cfg.seed());
        Trainer trainer = new Trainer(net, data, TrainConfig.paper(cfg.seed()).withBatch(cfg.batch()), pd);
        BatchSampler sampler = new BatchSampler(data, TrainingData.Split.TRAIN, cfg.sources(), cfg.batch(), cfg.seed() + 1,
                false);
        Source s = cfg.sources().stream().filter(x -> !x.isSelf()).findFirst().orElse(cfg.sources().get(0));
        List<Profile.Phase> phases = new ArrayList<>();

        java.util.function.IntConsumer step = i -> trainer.step(sampler.batch(i, s));
        String name = "train_step (source " + s.id() + ")";
        phases.add(recorded(pd, name, warm(pd, cfg.warmup(), step), cfg.repeats(), step));

        net.setTraining(false);
        Tensor x = sampler.batch(0, s).x().to(pd);
        List<Source> paths = cfg.strategy() == dev.mtdtl.nn.Strategy.MSSRFC ? List.of(net.sources().get(0))
                : net.sources();   // as Extractor: MS-SR@FC's sources share one fc-feature
        java.util.function.IntConsumer infer = i -> net.representations(paths, x, (src, r) -> r.toCpu());
        phases.add(recorded(pd, "inference", warm(pd, cfg.warmup(), infer), cfg.repeats(), infer));
        if (cfg.frontEnd()) {
            FrontEnd fe = FrontEnd.create(cfg.seed());
            java.util.function.IntConsumer audio = i -> fe.run(pd);
            phases.add(recorded(pd, "front_end (one 30 s clip, on the CPU)", warm(pd, cfg.warmup(), audio),
                    cfg.repeats(), audio));
        }
        return new Profile(device.name(), dev.mtdtl.tensor.Parallel.threads(), cfg, peaks, phases);
    }

    /** {@code repeats} recorded runs of {@code phase}, numbered on from the {@code warmed} warm-up runs. */
    private static Profile.Phase recorded(ProfilingDevice pd, String name, int warmed, int repeats,
                                          java.util.function.IntConsumer phase) {
        System.err.println("mtdtl profile: " + name + ": " + warmed + " warm-up runs, then " + repeats + " recorded");
        List<List<ProfilingDevice.OpCall>> runs = new ArrayList<>();
        long[] wall = new long[repeats];
        LoopStats.start();
        for (int r = 0; r < repeats; r++) {
            pd.record(true);
            long t0 = pd.now();
            phase.accept(warmed + r);
            pd.synchronize();
            wall[r] = pd.now() - t0;
            runs.add(new ArrayList<>(pd.calls()));
            pd.clear();
        }
        LoopStats.Snapshot loops = LoopStats.stop();
        pd.record(false);
        return Profile.Phase.of(name, runs, wall, loops);
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
