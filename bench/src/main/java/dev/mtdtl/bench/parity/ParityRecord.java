package dev.mtdtl.bench.parity;

import dev.mtdtl.nn.BaseCnn;
import dev.mtdtl.nn.BatchSampler;
import dev.mtdtl.nn.Dropout;
import dev.mtdtl.nn.InMemoryTrainingData;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Param;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.nn.TrainConfig;
import dev.mtdtl.nn.Trainer;
import dev.mtdtl.nn.TrainingData;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Devices;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * The mtdtl side of the training-trajectory parity harness (bench/parity, docs/parity.md): trains a
 * small multi-source network for N iterations of Algorithm 1 and writes everything PyTorch needs to
 * replay the same run from the same start:
 * <pre>
 *   OUT/run/checkpoints/it-000000000/   the initial weights (Adam moments zero, step 0), as a checkpoint
 *   OUT/run/checkpoints/it-00000000N/   the state after N iterations: weights, BN running statistics and
 *                                       num_batches_tracked, every group's exp_avg, exp_avg_sq and step
 *   OUT/steps/it-NNNNNN.safetensors     iteration i: x (B, C, T, F), for self x2 (B, C, T, F), z (B, K or 2),
 *                                       bias:NAME, the pre-step value of every bias that feeds a batch norm,
 *                                       loss (1) = mtdtl's loss of that iteration, mask.0, mask.1, ... the
 *                                       dropout masks (0 or 1/(1-p)) in the order the forward calls them
 *                                       (feature dropout of x, of x2, then the pair dropout); metadata:
 *                                       source, tracks, masks ("layer:call" per mask)
 * </pre>
 *
 * <p>The step is the trainer's own: batches come from a {@link BatchSampler} built exactly as
 * {@link Trainer} builds its training sampler (same data, split, sources, batch, seed, self balance), and
 * each iteration is {@link Trainer#step}. A test (ParityRecordTest) checks that this gives bit for bit the
 * state of {@link Trainer#run}. Dropout masks are recomputed here with the device's own dropout kernel from
 * each layer's stream position: call t of a layer with seed s uses seed {@code Rng.hash(s, t)}
 * ({@link Dropout}), and the positions that moved during a step are exactly the calls it made.
 *
 * <p>Usage: {@code ParityRecord --strategy S --sources self,tag,bpm --iterations N --out DIR
 * [--batch B] [--seed K] [--lr LR] [--device cpu|cuda|auto] [--threads T]}.
 */
public final class ParityRecord {

    /** The harness network: every part of the base CNN, narrow (a few thousand weights per branch). */
    public static final int[] CHANNELS = {6, 6, 8, 8, 8, 12, 12};
    public static final int FEATURE = 24;
    public static final int PAIR_HIDDEN = 12;
    public static final int K = 10;
    public static final int TRACKS = 30;

    /**
     * Biases that feed a batch norm: their gradient is zero in exact arithmetic, so their values are
     * rounding noise stepped by Adam (docs/parity.md); each step file holds their pre-step values, so
     * that the replay can take their history out of the BN running means, which it enters.
     */
    static final Pattern BN_FED_BIAS = Pattern.compile("(conv\\w+|fc_feature|fc_pair)\\.bias$");

    /** What to record. */
    public record Settings(Strategy strategy, List<Source> sources, int iterations, int batch, long seed, float lr,
                           String device) {}

    private ParityRecord() {}

    /** The network of the harness (dropout 0.5, the paper's p, so the masks matter). */
    public static MultiSourceNet net(Settings s) {
        return new MultiSourceNet(s.strategy(), s.sources(),
                new BaseCnn.Spec(ParityCorpus.C, CHANNELS, FEATURE, K, 0.5f), PAIR_HIDDEN, s.seed());
    }

    /** The corpus: labels for the run's factor sources (at least one, so tag is used for a self-only run). */
    public static InMemoryTrainingData data(Settings s) {
        List<Source> factors = new ArrayList<>();
        for (Source x : s.sources()) {
            if (!x.isSelf()) {
                factors.add(x);
            }
        }
        if (factors.isEmpty()) {
            factors.add(Source.TAG);
        }
        return ParityCorpus.of(factors, K, TRACKS, s.seed());
    }

    /** The paper's training settings (Adam betas, eps 1e-8, L2 1e-6, KL mean over B*K) at batch B and lr. */
    public static TrainConfig config(Settings s) {
        return TrainConfig.paper(s.seed()).withBatch(s.batch()).withLr(s.lr()).withIntervals(0, 0, 0);
    }

    /** Record a run under {@code out}; returns mtdtl's loss per iteration. */
    public static float[] record(Settings s, Path out) throws IOException {
        Device device = Devices.open(s.device()).device();
        InMemoryTrainingData data = data(s);
        TrainConfig cfg = config(s);
        Trainer trainer = new Trainer(net(s), data, cfg, device);
        MultiSourceNet net = trainer.net();
        Path run = out.resolve("run");
        Path steps = out.resolve("steps");
        if (Files.exists(run) || Files.exists(steps)) {
            throw new IllegalArgumentException(out + " already holds a recording (run/ or steps/): use an empty "
                    + "directory (a checkpoint of the same iteration would be kept, not rewritten)");
        }
        Files.createDirectories(steps);
        trainer.saveCheckpoint(run);
        BatchSampler sampler = new BatchSampler(data, TrainingData.Split.TRAIN, net.sources(), cfg.batch(), cfg.seed(),
                cfg.balancedSelf());
        List<Dropout> drops = net.dropouts();
        float p = net.spec().dropout();
        float[] losses = new float[s.iterations()];
        for (int i = 0; i < s.iterations(); i++) {
            BatchSampler.Batch b = sampler.batch(i);
            long[] before = new long[drops.size()];
            for (int d = 0; d < drops.size(); d++) {
                before[d] = drops.get(d).calls();
            }
            Safetensors.Writer w = new Safetensors.Writer();
            for (Param q : net.stateDict()) {
                if (BN_FED_BIAS.matcher(q.name()).find()) {
                    w.put("bias:" + q.name(), q.value().toCpu().data().clone(), q.value().shape());
                }
            }
            losses[i] = trainer.step(b);
            w.put("x", b.x()).put("z", b.z()).put("loss", new float[]{losses[i]}, 1).metadata("source", b.source().id());
            if (b.x2() != null) {
                w.put("x2", b.x2());
            }
            // dropouts() lists the trunk's, then per source path its feature dropout and (self) the pair head's:
            // sorted by (layer, call) this is the forward's call order (x, then x2, then the pair).
            int rows = b.x().dim(0);
            int n = 0;
            StringJoiner which = new StringJoiner(",");
            for (int d = 0; d < drops.size(); d++) {
                Dropout layer = drops.get(d);
                // a self iteration calls the feature dropout twice (x, x2: the twin shares the counter) and the
                // pair dropout once; a factor iteration calls one feature dropout once
                int width = b.source().isSelf() && layer.calls() - before[d] == 1 ? net.pairHidden()
                        : net.spec().featureDim();
                for (long c = before[d]; c < layer.calls(); c++) {
                    w.put("mask." + n++, mask(device, rows, width, p, Rng.hash(layer.seed(), c)));
                    which.add(d + ":" + c);
                }
            }
            int expect = b.source().isSelf() ? 3 : 1;
            if (n != expect) {
                throw new IllegalStateException("iteration " + i + " (" + b.source().id() + "): " + n
                        + " dropout calls, expected " + expect);
            }
            StringJoiner tracks = new StringJoiner(",");
            for (int t : b.tracks()) {
                tracks.add(Integer.toString(t));
            }
            w.metadata("masks", which.toString()).metadata("tracks", tracks.toString());
            w.write(steps.resolve(String.format(Locale.ROOT, "it-%06d.safetensors", i)));
        }
        trainer.saveCheckpoint(run);
        return losses;
    }

    /** The (rows, width) mask 0 or 1/(1-p) of one dropout call, from the device's kernel. */
    private static Tensor mask(Device device, int rows, int width, float p, long seed) {
        Tensor ones = device.zeros(rows, width);
        device.fill(ones, 1f);
        Tensor y = device.zeros(rows, width);
        Tensor m = device.zeros(rows * width);
        device.ops().dropoutForward(y, m, ones, rows * width, p, seed);
        return Tensor.of(y.toCpu().data().clone(), rows, width);
    }

    public static void main(String[] args) throws IOException {
        String strategy = null;
        String sources = "self,tag,bpm";
        String out = null;
        String device = "cpu";
        int iterations = 300;
        int batch = 8;
        long seed = 7;
        float lr = 2.5e-4f;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--strategy" -> strategy = v;
                case "--sources" -> sources = v;
                case "--out" -> out = v;
                case "--device" -> device = v;
                case "--iterations" -> iterations = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--lr" -> lr = Float.parseFloat(v);
                case "--threads" -> Parallel.setThreads(Integer.parseInt(v));
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (strategy == null || out == null) {
            System.err.println("usage: ParityRecord --strategy S --sources a,b --iterations N --out DIR [--batch B] "
                    + "[--seed K] [--lr LR] [--device cpu|cuda|auto] [--threads T]");
            System.exit(1);
        }
        Settings s = new Settings(Strategy.of(strategy), Source.parseList(sources), iterations, batch, seed, lr, device);
        long t0 = System.nanoTime();
        float[] l = record(s, Path.of(out));
        System.out.printf(Locale.ROOT, "mtdtl %s %s: %d iterations in %.1f s, loss %.6f -> %.6f%n", strategy, sources,
                iterations, (System.nanoTime() - t0) * 1e-9, l[0], l[l.length - 1]);
    }
}
