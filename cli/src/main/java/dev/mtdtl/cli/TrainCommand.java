package dev.mtdtl.cli;

import dev.mtdtl.eval.PreparedTraining;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.nn.TrainConfig;
import dev.mtdtl.nn.Trainer;
import dev.mtdtl.tensor.Parallel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl train}: Algorithm 1 of the paper on a prepared folder. Resumes by itself when the run
 * folder holds a checkpoint: the iteration/epoch total is the run's total, so the same command after a
 * stop, or with a larger total, continues where the run stopped; every run ends with a checkpoint.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Learn a representation from one or more learning sources (paper Algorithm 1).",
                "Each iteration draws a source, a batch of distinct tracks labelled for it and a random 2.5 s crop "
                        + "of each, and steps the shared group's and that source's Adam.",
                "Checkpoints (safetensors with PyTorch names + optimiser state + checkpoint.json) go to "
                        + "RUN_DIR/checkpoints; validation KL per source to RUN_DIR/valid.csv.",
                "Memory: at batch 128 a path's activations take about 0.45 GB (planned by liveness; the self "
                        + "source runs two paths); every strategy with self trains within MTDTL_JAVA_OPTS=-Xmx2g."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a folder written by 'mtdtl prepare'")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "run folder (created; resumed if it holds a checkpoint)")
    Path out;

    @Option(names = "--strategy", required = true,
            description = "ssr, msscr, mscr2, mscr4, mscr6 or mssrfc (paper section 3.2)")
    String strategy;

    // Not split by picocli, which drops a trailing empty name ("bpm,tag,"): Source.parseList refuses every empty one.
    @Option(names = "--sources", required = true,
            description = "comma-separated: self, bpm, year, taste, tag, lyrics, cdr_tag, artist (ssr: exactly one)")
    List<String> sources;

    @ArgGroup(exclusive = true)
    Length length;

    static final class Length {
        @Option(names = "--epochs", description = "total epochs of (floor(N/B)+1) x sources iterations (paper: 200)")
        Long epochs;

        @Option(names = "--iterations", description = "total iterations")
        Long iterations;
    }

    @Option(names = "--batch", defaultValue = "128", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "2.5e-4", description = "Adam learning rate (default ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--seed", defaultValue = "0", description = "seed of every random choice (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--valid-every", defaultValue = "100", description = "validation KL every N iterations (0: never)")
    int validEvery;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "checkpoint every N iterations (0: every epoch)")
    int checkpointEvery;

    @Option(names = "--log-every", defaultValue = "10", description = "progress line every N iterations")
    int logEvery;

    @Option(names = "--balanced-self", description = "exactly half same-track pairs in each self batch (default: a coin per pair)")
    boolean balancedSelf;

    @Option(names = "--threads", description = "CPU threads (default: all cores, or MTDTL_THREADS)")
    Integer threads;

    @picocli.CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        if (length != null && (length.iterations != null && length.iterations < 1
                || length.epochs != null && length.epochs < 1)) {
            throw new IllegalArgumentException((length.iterations != null ? "--iterations " + length.iterations
                    : "--epochs " + length.epochs) + ": the training length must be at least 1");
        }
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        dev.mtdtl.tensor.Device device = deviceOption.open("train");   // first: a missing GPU fails before any work
        Strategy st = Strategy.of(strategy);
        List<Source> src = Source.parseList(String.join(",", sources));
        TrainConfig cfg = TrainConfig.paper(seed).withBatch(batch).withLr(lr)
                .withIntervals(validEvery, checkpointEvery, logEvery).withBalancedSelf(balancedSelf);
        Trainer trainer = PreparedTraining.trainer(data, st, src, cfg, device);
        try (dev.mtdtl.tensor.io.OutputLock lock = dev.mtdtl.tensor.io.OutputLock.resumeFolder(out)) {   // one trainer
            return train(trainer, st, src);
        }
    }

    /** Epochs in iterations; a count past 2^63 - 1 iterations is refused rather than wrapped to a negative total. */
    private static long epochs(long epochs, long perEpoch) {
        try {
            return Math.multiplyExact(epochs, perEpoch);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("--epochs " + epochs + " of " + perEpoch + " iterations is more "
                    + "iterations than a long holds");
        }
    }

    private int train(Trainer trainer, Strategy st, List<Source> src) throws java.io.IOException {
        MultiSourceNet net = trainer.net();
        if (trainer.resume(out, m -> System.err.println("mtdtl train: " + m))) {
            System.err.printf(Locale.ROOT, "mtdtl train: resuming %s at iteration %d%n", out, trainer.iteration());
        }
        long perEpoch = trainer.iterationsPerEpoch();
        long total = length == null ? 200 * perEpoch
                : length.iterations != null ? length.iterations : epochs(length.epochs, perEpoch);
        System.err.printf(Locale.ROOT, "mtdtl train: %s on %s, %,d parameters, %d iterations per epoch, total %d%n",
                st, src, net.parameterCount(), perEpoch, total);
        trainer.run(total, out, System.err);
        System.out.printf(Locale.ROOT, "trained %s to iteration %d; checkpoints in %s%n", out, trainer.iteration(),
                out.resolve("checkpoints"));
        return 0;
    }
}
