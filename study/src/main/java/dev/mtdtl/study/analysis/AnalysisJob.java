package dev.mtdtl.study.analysis;

import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.eval.EvaluationProtocol;
import dev.mtdtl.eval.FeatureSet;
import dev.mtdtl.study.run.RunStore;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mtdtl study analyze} as a library call: find the results (a study folder's results.csv, a
 * quickstart's results/results.csv, or a CSV given directly), the design (design.json beside them, for
 * Fig. 7) and a feature folder for the t-SNE map; run {@link StudyAnalysis}; write analysis.json, the
 * tidy CSVs (analysis/) and the HTML report; return the plain-text summary.
 *
 * <p>Outputs go to the study folder (or the CSV's folder): {@code analysis.json}, {@code analysis/*.csv},
 * and {@code report.html} for a study folder, {@code study-report.html} beside a CSV (which may already
 * have the results report as report.html).
 */
public final class AnalysisJob {

    /** Where things are and what was written. */
    public record Paths(Path results, Path folder, Path design, Path json, Path csvDir, Path html) {}

    private AnalysisJob() {}

    /** Locate the inputs and the outputs for {@code input} (a study folder or a results CSV); out may override. */
    public static Paths locate(Path input, Path out) {
        Path results;
        Path folder;
        boolean study;
        if (Files.isDirectory(input)) {
            study = true;
            folder = input;
            if (Files.isRegularFile(input.resolve("results.csv"))) {
                results = input.resolve("results.csv");
            } else if (Files.isRegularFile(input.resolve("results").resolve("results.csv"))) {
                results = input.resolve("results").resolve("results.csv");
            } else {
                throw new IllegalArgumentException(input + ": no results.csv (looked for " + input.resolve("results.csv")
                        + " and " + input.resolve("results").resolve("results.csv") + ")");
            }
        } else if (Files.isRegularFile(input)) {
            study = false;
            results = input;
            folder = input.toAbsolutePath().getParent();
        } else {
            throw new IllegalArgumentException(input + ": no such study folder or results file");
        }
        Path design = null;
        for (Path c : List.of(folder.resolve("design.json"), results.toAbsolutePath().getParent().resolve("design.json"))) {
            if (Files.isRegularFile(c)) {
                design = c;
                break;
            }
        }
        Path o = out != null ? out : folder;
        return new Paths(results, folder, design, o.resolve("analysis.json"), o.resolve("analysis"),
                o.resolve(study && out == null ? "report.html" : "study-report.html"));
    }

    /**
     * A feature folder and its prepared dataset for Fig. 16, searched in the quickstart's layout
     * (FOLDER/features/RUN/D with FOLDER/prepared/targets/D): the task "genre" if present (the paper's
     * GTZAN), else the first classification task; the multi-source run that scores best on it.
     */
    static Path[] findTsne(Paths p, Scores sc) {
        Path feats = p.folder().resolve("features");
        Path targets = p.folder().resolve("prepared").resolve("targets");
        if (!Files.isDirectory(feats) || !Files.isDirectory(targets)) {
            return null;
        }
        List<String> tasks = sc.allTasks().stream().filter(t -> !t.contains("/")).toList();
        String task = tasks.contains("genre") ? "genre" : null;
        for (String t : tasks) {
            if (task == null && Files.isRegularFile(targets.resolve(t).resolve("labels.tsv"))
                    && sc.trained().stream().anyMatch(s -> s.task().equals(t) && s.value() <= 1 && s.value() >= 0)) {
                task = t;
            }
        }
        if (task == null) {
            return null;
        }
        String tk = task;
        Scores.Score best = null;
        for (Scores.Score s : sc.trained()) {
            if (!s.task().equals(tk) || !Files.isRegularFile(feats.resolve(s.run()).resolve(tk).resolve("features.json"))) {
                continue;
            }
            // Prefer a multi-source run (the paper shows an MS-CR), then the higher score.
            boolean better = best == null || (s.nSources() > 1) != (best.nSources() > 1) ? best == null || s.nSources() > 1
                    : s.value() > best.value();
            if (better) {
                best = s;
            }
        }
        return best == null ? null : new Path[]{feats.resolve(best.run()).resolve(tk), targets.resolve(tk)};
    }

    /**
     * The training run a feature folder was extracted from, by the two layouts that write them: a study's
     * STUDY/runs/ID/features/D (the run is STUDY/runs/ID) and the quickstart's FOLDER/features/RUN/D (the run
     * is FOLDER/runs/RUN); null when neither holds checkpoints (a baseline's features, or another layout).
     */
    public static Path runOf(Path features) {
        Path f = features.toAbsolutePath().normalize();
        Path up = f.getParent();
        if (up == null || up.getParent() == null) {
            return null;
        }
        List<Path> candidates = new ArrayList<>();
        if (up.getFileName().toString().equals("features")) {
            candidates.add(up.getParent());
        }
        if (up.getParent().getFileName() != null && up.getParent().getFileName().toString().equals("features")
                && up.getParent().getParent() != null) {
            candidates.add(up.getParent().getParent().resolve("runs").resolve(up.getFileName().toString()));
        }
        for (Path c : candidates) {
            if (Files.isDirectory(c.resolve("checkpoints"))) {
                return c;
            }
        }
        return null;
    }

    private static TsneMap tsne(Path features, Path dataset, Path run, StudyAnalysis.Options o, PrintStream log)
            throws IOException {
        if (!FeatureSet.complete(features)) {
            throw new IllegalArgumentException(features + ": not a complete feature folder (no features.json)");
        }
        long t1 = System.nanoTime();
        TsneMap m = TsneMap.build(features, dataset, run != null ? run : runOf(features), o.seed(), o.tsneMinLift());
        log.printf(Locale.ROOT, "t-SNE of %s: %d tracks (%.1f s)%n", features, m.ids().size(),
                (System.nanoTime() - t1) / 1e9);
        return m;
    }

    /** Run and write everything; the summary is returned and progress goes to log. */
    public static String run(Path input, Path out, StudyAnalysis.Options o, Path tsneFeatures, Path tsneDataset,
                             PrintStream log) throws IOException {
        return run(locate(input, out), o, tsneFeatures, tsneDataset, null, log);
    }

    /** As above; {@code tsneRun}: the training run of the Fig. 16 features (null: found from their folder). */
    public static String run(Path input, Path out, StudyAnalysis.Options o, Path tsneFeatures, Path tsneDataset,
                             Path tsneRun, PrintStream log) throws IOException {
        return run(locate(input, out), o, tsneFeatures, tsneDataset, tsneRun, log);
    }

    /** As above with the paths given (e.g. the report page elsewhere: {@code mtdtl report --study}). */
    public static String run(Paths p, StudyAnalysis.Options o, Path tsneFeatures, Path tsneDataset, PrintStream log)
            throws IOException {
        return run(p, o, tsneFeatures, tsneDataset, null, log);
    }

    /** As above with the run of the Fig. 16 features (null: found from their folder). */
    public static String run(Paths p, StudyAnalysis.Options o, Path tsneFeatures, Path tsneDataset, Path tsneRun,
                             PrintStream log) throws IOException {
        List<Evaluation.Row> rows = Evaluation.read(p.results());
        Map<String, EvaluationProtocol> protocols = EvaluationProtocol.read(p.results());
        Scores sc = new Scores(Scores.fromResults(rows));
        long t0 = System.nanoTime();
        StudyAnalysis.Result r = StudyAnalysis.run(sc, o);
        log.printf(Locale.ROOT, "analysis of %s: %d rows, %d runs, %d task(s), bootstrap %d (%.1f s)%n", p.results(),
                rows.size(), sc.trained().stream().map(Scores.Score::run).distinct().count(), sc.tasks().size(),
                o.bootstrap(), (System.nanoTime() - t0) / 1e9);
        List<String> extra = new ArrayList<>();
        DesignInfo design = null;
        if (p.design() != null) {
            String[] why = new String[1];
            design = DesignInfo.read(p.design(), why);
            if (design == null) {
                extra.add(why[0]);
            }
        }
        TsneMap tsne = null;
        if (tsneFeatures != null) {              // asked for: its errors are the user's to fix
            if (tsneDataset == null) {
                throw new IllegalArgumentException("--tsne-features needs --tsne-dataset (the prepared target dataset "
                        + "folder with labels.tsv)");
            }
            tsne = tsne(tsneFeatures, tsneDataset, tsneRun, o, log);
        } else {
            Path[] ts = findTsne(p, sc);
            if (ts != null) {
                try {
                    tsne = tsne(ts[0], ts[1], null, o, log);
                } catch (IllegalArgumentException e) {
                    extra.add("Fig. 16 not drawn: " + e.getMessage());
                }
            }
        }
        Map<String, Object> builds = builds(p.folder(), rows);
        if (builds.size() > 1) {
            List<String> each = new ArrayList<>();
            builds.forEach((b, runs) -> each.add(b + " (" + ((List<?>) runs).size() + " run(s))"));
            extra.add("These results were made by " + builds.size() + " builds of mtdtl: " + String.join(", ", each)
                    + " ('mtdtl study status' names each build's runs; a run resumed by another build counts under both)");
        } else if (builds.size() == 1) {
            extra.add("Made by build " + builds.keySet().iterator().next() + " of mtdtl.");
        }
        Map<String, Object> extraJson = new LinkedHashMap<>();
        extraJson.put("results", p.results().toString());
        extraJson.put("builds", builds);
        extraJson.put("design", p.design() == null ? null : p.design().toString());
        Map<String, Object> prot = new LinkedHashMap<>();
        protocols.forEach((d, v) -> prot.put(d, v.toString() + "; repetitions differ by " + v.repetitionsDiffer()));
        extraJson.put("evaluation_protocol", prot);
        extraJson.put("tsne", tsne == null ? null : Json.object("title", tsne.title(), "tracks", tsne.ids().size()));
        AnalysisWriter.write(r, p.json(), p.csvDir(), extraJson);
        AtomicFiles.writeString(p.html(), StudyReport.html("mtdtl study analysis", r, design, tsne, protocols, extra));
        String summary = StudyReport.summary(r);
        log.println("analysis: " + p.json().toAbsolutePath());
        log.println("tables:   " + p.csvDir().toAbsolutePath());
        log.println("report:   " + p.html().toAbsolutePath());
        return summary;
    }

    /**
     * The builds that made the results' runs, from the runs' status files of a study folder (RunStore.CODES), each
     * with its runs in the results' order; empty when the results are not a study's (no runs/ID/status.json).
     */
    public static Map<String, Object> builds(Path folder, List<Evaluation.Row> rows) throws IOException {
        RunStore store = new RunStore(folder);
        Map<String, Object> by = new LinkedHashMap<>();
        for (String run : rows.stream().map(Evaluation.Row::run).distinct().toList()) {
            if (!run.matches("[A-Za-z0-9_+-][A-Za-z0-9_.+-]*")) {
                continue;   // not a run folder's name (a results file is input): no path outside runs/ is read
            }
            for (String c : store.codes(run)) {
                @SuppressWarnings("unchecked")
                List<String> l = (List<String>) by.computeIfAbsent(c, k -> new ArrayList<String>());
                l.add(run);
            }
        }
        return by;
    }
}
