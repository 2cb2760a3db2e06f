package dev.mtdtl.cli;

import dev.mtdtl.data.prepare.LearningTargets;
import dev.mtdtl.data.prepare.Prepare;
import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl prepare}: a corpus folder (from synth or an importer) to mel stores, standardisation
 * statistics and learning targets (layout in {@link Prepare}). Resumable: re-run the same command.
 */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Turn a corpus into mel stores (train/valid split and every target dataset), per-band "
                + "statistics of the training split and the learning targets z_t. Resumable: re-run the same command.")
final class PrepareCommand implements Callable<Integer> {

    @Option(names = "--corpus", required = true, paramLabel = "DIR", description = "corpus folder (with manifest.json)")
    Path corpus;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (created)")
    Path out;

    @Option(names = "--dtype", defaultValue = "float32", description = "store element type: float32 or float16 "
            + "(default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the split and the factor models "
            + "(default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--valid-fraction", defaultValue = "0.1", description = "validation share (default ${DEFAULT-VALUE})")
    double valid;

    @Option(names = "--topics", defaultValue = "50", description = "K of pLSA and GMM (default ${DEFAULT-VALUE})")
    int topics;

    @Option(names = "--iterations", defaultValue = "100", description = "EM iterations (default ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--bpm-noise", defaultValue = "" + LearningTargets.BPM_NOISE, paramLabel = "F",
            description = "relative uncertainty of a bpm label in its GMM posteriors: component k's variance "
                    + "becomes sigma_k^2 + (F mu_k)^2 (default ${DEFAULT-VALUE}; 0: the reference's raw posteriors, "
                    + "one-hot on small corpora)")
    double bpmNoise;

    @Option(names = "--threads", description = "CPU threads (default: all cores, or MTDTL_THREADS)")
    Integer threads;

    @Override
    public Integer call() {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        try {
            Prepare.Config cfg = new Prepare.Config(corpus, out, MelStore.DType.of(dtype), seed, valid, topics,
                    iterations, bpmNoise, -1);
            Prepare.Report r = Prepare.run(cfg, s -> System.err.println("prepare: " + s));
            System.out.printf(Locale.ROOT, "%s: %d tracks (%d computed now, %d unreadable%s) in %.1f s: %.2f tracks/s, "
                            + "peak heap <= %.0f MB%n", out, r.tracks(), r.computed(), r.failed(), r.damaged() == 0 ? ""
                            : ", " + r.damaged() + " from damaged files: see prepare-report.json", r.seconds(),
                    r.tracksPerSecond(), r.peakHeapBytes() / 1e6);
            return 0;
        } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
            System.err.println("mtdtl prepare: " + e.getMessage());
            return 1;
        }
    }
}
