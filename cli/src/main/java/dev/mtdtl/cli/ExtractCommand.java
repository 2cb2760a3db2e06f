package dev.mtdtl.cli;

import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.eval.Extractor;
import dev.mtdtl.eval.FeatureSet;
import dev.mtdtl.eval.TargetDataset;
import dev.mtdtl.tensor.Parallel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl extract}: track-level features of a prepared target dataset from a training run's newest
 * checkpoint, or from a baseline (Rand: the untrained network; MFCC: 120-d), into a feature folder
 * (features.npy, tracks.csv, features.json). A folder that is already complete is kept (resume) if it holds this
 * extractor's features of this dataset; another's is refused, naming both.
 */
@Command(name = "extract", mixinStandardHelpOptions = true,
        description = {"Extract track vectors [mean || std over 2.5-s slices] of a target dataset (paper section 4).",
                "Writes OUT/features.npy (N, D), OUT/tracks.csv and OUT/features.json; a complete OUT is skipped."})
final class ExtractCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @Option(names = "--run", paramLabel = "RUN_DIR", description = "a training run folder (its newest checkpoint)")
        Path run;

        @Option(names = "--baseline", description = "rand (untrained network) or mfcc (120-d)")
        String baseline;
    }

    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "PREPARED/targets/D")
    Path dataset;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "feature folder (created)")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the Rand network (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "CPU threads (default: all cores, or MTDTL_THREADS)")
    Integer threads;

    @picocli.CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        Extractor ex = extractor(what.run, what.baseline, seed);
        if (!ex.isMfcc()) {
            ex.on(deviceOption.open("extract"));
        }
        run(ex, dataset, out);
        return 0;
    }

    static Extractor extractor(Path run, String baseline, long seed) throws java.io.IOException {
        if (run != null) {
            return Extractor.fromRun(run);
        }
        return switch (baseline) {
            case "rand" -> Extractor.rand(seed);
            case "mfcc" -> Extractor.mfcc();
            default -> throw new IllegalArgumentException("--baseline must be rand or mfcc, not '" + baseline + "'");
        };
    }

    /** Extract ex's features of dataset into out unless out is complete; returns the features. */
    static FeatureSet run(Extractor ex, Path dataset, Path out) throws java.io.IOException {
        try (dev.mtdtl.tensor.io.OutputLock lock = dev.mtdtl.tensor.io.OutputLock.resumeFolder(out)) {
            return runLocked(ex, dataset, out);
        }
    }

    private static FeatureSet runLocked(Extractor ex, Path dataset, Path out) throws java.io.IOException {
        TargetDataset ds = TargetDataset.open(dataset);
        if (FeatureSet.complete(out)) {
            FeatureSet kept = FeatureSet.read(out);
            // Kept only if it is what this command would write: before, any finished folder was kept, so extracting
            // another run (or another dataset) into a used --out printed "already extracted, kept" and gave the
            // earlier run's features, with status 0. Runs are told apart by their names (features.json records no
            // more); the track ids are checked by evaluate against the dataset.
            String have = kept.name() + " (" + kept.strategy() + " on " + kept.sources() + ", " + kept.dims()
                    + " dims) on " + kept.dataset();
            String want = ex.name() + " (" + ex.strategyId() + " on " + ex.sourceIds() + ", " + ex.dims() + " dims) on "
                    + ds.name;
            if (!have.equals(want)) {
                throw new IllegalArgumentException(out + " holds the features of " + have + "; this command extracts "
                        + want + ": give another --out, or delete " + out);
            }
            System.out.printf(Locale.ROOT, "%s: already extracted, kept%n", out);
            return kept;
        }
        MelStore store = ds.store(!ex.isMfcc());
        long t0 = System.nanoTime();
        float[] x = ex.extract(store, System.err);
        double sec = (System.nanoTime() - t0) / 1e9;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < store.size(); i++) {
            ids.add(store.id(i));
        }
        FeatureSet f = new FeatureSet(ex.name(), ex.strategyId(), ex.sourceIds(), ds.name, ids, x, ex.dims());
        f.write(out);
        System.out.printf(Locale.ROOT, "%s on %s: %d tracks x %d dims in %.1f s (%.1f tracks/s) -> %s%n", ex.name(),
                ds.name, ids.size(), ex.dims(), sec, ids.size() / sec, out);
        return f;
    }
}
