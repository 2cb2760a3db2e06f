package dev.mtdtl.cli;

import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.eval.EvaluationProtocol;
import dev.mtdtl.eval.FeatureSet;
import dev.mtdtl.eval.TargetDataset;
import dev.mtdtl.factor.Wmf;
import dev.mtdtl.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl evaluate}: feature folders on a prepared target dataset, repeated, into a tidy results CSV.
 * Results already in OUT for a (run, dataset) are kept and not recomputed (resume) when they were made with this
 * command's protocol (a run asking for another, such as more repetitions, is refused); the file is rewritten
 * atomically after each feature set.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate feature folders on a target dataset (paper section 4): MLP accuracy / R^2, or "
                + "WMF with item features and nDCG@500 for recommendation.",
                "Writes tidy rows: run,strategy,sources,dataset,repetition,metric,value; the protocol (MLP input "
                        + "scaling, split, what the repetitions vary) goes to OUT's .protocol.json beside it."})
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--features", required = true, split = ",", paramLabel = "DIR",
            description = "feature folder(s) from 'mtdtl extract' (comma-separated or repeated)")
    List<Path> features;

    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "PREPARED/targets/D")
    Path dataset;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "results CSV (rows are added)")
    Path out;

    @Option(names = "--repetitions", defaultValue = "5", description = "repetitions (default ${DEFAULT-VALUE})")
    int reps;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the models and drawn splits (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "standardise the MLP's inputs with the training split's mean and sd (default); "
                    + "--no-standardize feeds them unscaled, as the paper's code does by default")
    boolean standardize = true;

    @Option(names = "--max-epochs", defaultValue = "200", description = "MLP epoch cap (default ${DEFAULT-VALUE}, sklearn's)")
    int maxEpochs;

    @Option(names = "--artist-folds", description = "classification/regression: artist-grouped 5 folds (seeded) "
            + "instead of the dataset's protocol, so that no artist is on both sides")
    boolean artistFolds;

    @Option(names = "--wmf-variant", defaultValue = "reference",
            description = "recommendation: reference (the authors' code: content pull lambda_W in the V update) or "
                    + "paper (lambda_V, the objective's minimiser) (default ${DEFAULT-VALUE})")
    String wmfVariant;

    @Option(names = "--threads", description = "CPU threads (default: all cores, or MTDTL_THREADS)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        TargetDataset ds = TargetDataset.open(dataset).withArtistFolds(artistFolds);
        List<FeatureSet> sets = new ArrayList<>();
        java.util.Map<String, Path> byName = new java.util.HashMap<>();
        for (Path p : features) {
            FeatureSet f = FeatureSet.read(p);
            Path other = byName.put(f.name(), p);
            if (other != null) {
                // one representation twice would add its rows twice and weigh it double in every mean
                throw new IllegalArgumentException("--features: " + other + " and " + p + " are both representation '"
                        + f.name() + "'");
            }
            sets.add(f);
        }
        try {
            run(sets, ds, out, reps, seed, standardize, maxEpochs, variant(wmfVariant), artistFolds);
        } catch (IllegalArgumentException e) {
            // Name the inputs: the evaluation's own message knows the sets by name, not by folder.
            throw new IllegalArgumentException("features " + features + " on " + dataset + ": " + e.getMessage(), e);
        }
        return 0;
    }

    static Wmf.Variant variant(String v) {
        return switch (v) {
            case "reference" -> Wmf.Variant.REFERENCE_CODE;
            case "paper" -> Wmf.Variant.PAPER_CONSISTENT;
            default -> throw new IllegalArgumentException("--wmf-variant must be reference or paper, not '" + v + "'");
        };
    }

    static List<Evaluation.Row> run(List<FeatureSet> sets, TargetDataset ds, Path out, int reps, long seed,
                                    boolean standardize, int maxEpochs, Wmf.Variant variant) throws java.io.IOException {
        return run(sets, ds, out, reps, seed, standardize, maxEpochs, variant, false);
    }

    static List<Evaluation.Row> run(List<FeatureSet> sets, TargetDataset ds, Path out, int reps, long seed,
                                    boolean standardize, int maxEpochs, Wmf.Variant variant, boolean artistFolds)
            throws java.io.IOException {
        Evaluation.checkCounts(reps, maxEpochs);   // before the protocol sidecar records them
        try (dev.mtdtl.tensor.io.OutputLock lock = dev.mtdtl.tensor.io.OutputLock.resumeFile(out,
                EvaluationProtocol.sidecar(out))) {
            return runLocked(sets, ds, out, reps, seed, standardize, maxEpochs, variant, artistFolds);
        }
    }

    private static List<Evaluation.Row> runLocked(List<FeatureSet> sets, TargetDataset ds, Path out, int reps, long seed,
                                                  boolean standardize, int maxEpochs, Wmf.Variant variant,
                                                  boolean artistFolds) throws java.io.IOException {
        // Per feature set, as the evaluation will split (sets covering different tracks could differ).
        java.util.LinkedHashSet<String> differs = new java.util.LinkedHashSet<>();
        for (FeatureSet f : sets) {
            differs.add(Evaluation.repetitionsDiffer(f, ds, artistFolds));
        }
        String differ = String.join("; or, for other feature sets, ", differs);
        boolean rec = ds.task.equals("recommendation");
        EvaluationProtocol protocol = new EvaluationProtocol(!rec && standardize, artistFolds ? "artist-5-fold"
                : ds.protocol, differ, reps, seed, rec ? (variant == Wmf.Variant.REFERENCE_CODE ? "reference" : "paper")
                : null);
        List<Evaluation.Row> rows = Files.isRegularFile(out) ? new ArrayList<>(Evaluation.read(out)) : new ArrayList<>();
        Set<String> done = new HashSet<>();
        rows.forEach(r -> done.add(r.run() + "\u0000" + r.dataset()));
        boolean work = sets.stream().anyMatch(f -> !done.contains(f.name() + "\u0000" + ds.name));
        if (!work) {    // the rows kept are the recorded protocol's: another asked for is refused, not answered with them
            EvaluationProtocol.check(out, ds.name, protocol);
        } else {
            EvaluationProtocol.record(out, ds.name, protocol);
            if (differ.equals(Evaluation.FIXED_SPLIT_SEED_ONLY)) {
                System.out.printf(Locale.ROOT, "%s: the predefined split is the same in every repetition, so the %d "
                        + "repetitions differ only by the model's seed (they measure the model's variance, not the "
                        + "split's); --artist-folds draws seeded artist-grouped folds instead%n", ds.name, reps);
            } else if (ds.protocol.equals("fixed-split") && !artistFolds) {
                System.out.printf(Locale.ROOT, "%s: repetitions differ by %s%n", ds.name, differ);
            }
        }
        for (FeatureSet f : sets) {
            if (done.contains(f.name() + "\u0000" + ds.name)) {
                System.out.printf(Locale.ROOT, "%s on %s: already in %s, kept%n", f.name(), ds.name, out);
                continue;
            }
            long t0 = System.nanoTime();
            List<Evaluation.Row> r = Evaluation.run(f, ds, reps, seed, standardize, maxEpochs, variant, System.err);
            rows.addAll(r);
            Evaluation.write(out, rows);
            // One mean per metric (emotion has two: r2_arousal and r2_valence), each under its own name.
            Map<String, double[]> means = new LinkedHashMap<>();
            for (Evaluation.Row x : r) {
                if (!x.metric().contains("truncated")) {
                    double[] a = means.computeIfAbsent(x.metric(), k -> new double[2]);
                    a[0] += x.value();
                    a[1]++;
                }
            }
            StringBuilder sb = new StringBuilder();
            means.forEach((m, a) -> sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                    "%s mean %.4f", m, a[0] / a[1])));
            System.out.printf(Locale.ROOT, "%s on %s: %s over %d repetition(s) (%.1f s)%n", f.name(), ds.name, sb, reps,
                    (System.nanoTime() - t0) / 1e9);
        }
        return rows;
    }
}
