package dev.mtdtl.cli;

import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.eval.Report;
import dev.mtdtl.study.analysis.AnalysisJob;
import dev.mtdtl.study.analysis.StudyAnalysis;
import dev.mtdtl.tensor.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code mtdtl report}: results CSV(s) into a self-contained HTML page and a console summary. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Turn results CSVs from 'mtdtl evaluate' into a self-contained HTML report (inline SVG: scores "
                + "per task by strategy with the baselines as lines, standardised score by number of sources, a "
                + "table) and print a summary."})
final class ReportCommand implements Callable<Integer> {

    @Option(names = "--results", required = true, paramLabel = "DIR|FILE",
            description = "a results CSV, or a folder whose *.csv are all read")
    Path results;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the HTML page to write")
    Path out;

    @Option(names = "--study", description = "render the study report instead (as 'mtdtl study analyze': the "
            + "hierarchical models with bootstrap intervals, Figs. 7, 9-14, 16, Table 6, the four findings); "
            + "analysis.json and analysis/*.csv go beside the page")
    boolean study;

    @Option(names = "--bootstrap", defaultValue = "1000", paramLabel = "B",
            description = "with --study: bootstrap replicates (default ${DEFAULT-VALUE})")
    int bootstrap;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "with --study: seed (default ${DEFAULT-VALUE})")
    long seed;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // The per-task report has no bootstrap and no seed: a value given without --study would be ignored in silence
        // (a user who meant the study report would get the other page), so it is refused.
        for (String o : new String[] {"--bootstrap", "--seed"}) {
            if (!study && spec.commandLine().getParseResult().hasMatchedOption(o)) {
                throw new IllegalArgumentException(o + " applies to the study report only: add --study, or leave "
                        + o + " out");
            }
        }
        if (study) {
            AnalysisJob.Paths p = AnalysisJob.locate(results, null);
            Path dir = out.toAbsolutePath().getParent();
            p = new AnalysisJob.Paths(p.results(), p.folder(), p.design(), dir.resolve("analysis.json"),
                    dir.resolve("analysis"), out);
            System.out.print(AnalysisJob.run(p, StudyAnalysis.Options.defaults().withBootstrap(bootstrap).withSeed(seed),
                    null, null, System.out));
            return 0;
        }
        write(results, out);
        return 0;
    }

    static Report write(Path results, Path out) throws java.io.IOException {
        List<Evaluation.Row> rows = new ArrayList<>();
        if (Files.isDirectory(results)) {
            List<Path> csvs;
            try (Stream<Path> s = Files.list(results)) {
                csvs = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
            }
            if (csvs.isEmpty()) {
                throw new IllegalArgumentException(results + ": no results CSV in the folder");
            }
            for (Path p : csvs) {
                rows.addAll(Evaluation.read(p));
            }
        } else if (Files.isRegularFile(results)) {
            rows.addAll(Evaluation.read(results));
        } else {
            throw new IllegalArgumentException(results + ": no such results CSV or folder");
        }
        Report r = new Report(rows);
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        try (dev.mtdtl.tensor.io.OutputLock lock = dev.mtdtl.tensor.io.OutputLock.resumeFile(out)) {
            AtomicFiles.writeString(out, r.html("mtdtl transfer results"));
        }
        System.out.print(r.summary());
        System.out.println("report: " + out.toAbsolutePath());
        return r;
    }
}
