package dev.mtdtl.cli;

import dev.mtdtl.study.analysis.AnalysisJob;
import dev.mtdtl.study.analysis.StudyAnalysis;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mtdtl study analyze}: the paper's section 5 analysis of a study's (or any) tidy results. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Analyse a study's results as the paper's section 5: standardised scores, the two hierarchical "
                + "models (REML) with parametric-bootstrap 95%% intervals, pairwise strategy comparisons, per-source "
                + "variance components (Table 6), Figures 7, 9-14 and 16, and the four findings.",
                "Writes STUDY/analysis.json, STUDY/analysis/*.csv and STUDY/report.html (beside a CSV given directly: "
                        + "analysis.json, analysis/ and study-report.html)."})
final class StudyAnalyzeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "STUDY|RESULTS.csv",
            description = "a study folder (results.csv, or results/results.csv as the quickstart writes) or a results CSV")
    Path input;

    @Option(names = "--bootstrap", defaultValue = "1000", paramLabel = "B",
            description = "parametric bootstrap replicates for the intervals (default ${DEFAULT-VALUE}; 0: Wald intervals)")
    int bootstrap;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "seed of the bootstrap and the t-SNE map "
            + "(default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "write the outputs here instead")
    Path out;

    @Option(names = "--tempo-task", paramLabel = "TASK", description = "the tempo-defined task for finding 4 "
            + "(default: the task named dance or ballroom)")
    String tempoTask;

    @Option(names = "--tsne-features", paramLabel = "DIR", description = "feature folder (from 'mtdtl extract') for "
            + "the Fig. 16 map (default: the best multi-source run on genre in a quickstart-like folder)")
    Path tsneFeatures;

    @Option(names = "--tsne-dataset", paramLabel = "DIR", description = "its prepared target dataset (labels.tsv)")
    Path tsneDataset;

    @Option(names = "--tsne-run", paramLabel = "DIR", description = "the training run those features come from, "
            + "whose source heads pick each label's pLSA topic terms (default: found from the feature folder's place: "
            + "STUDY/runs/ID/features/D or FOLDER/features/RUN/D with FOLDER/runs/RUN)")
    Path tsneRun;

    @Option(names = "--tsne-min-lift", paramLabel = "L", defaultValue = "1.25", description = "Fig. 16: show a "
            + "label's pLSA topic terms when its tracks put at least L times the average probability on the topic "
            + "(default ${DEFAULT-VALUE}; 1 shows every label's strongest topic, however weak the run's heads)")
    double tsneMinLift;

    @Option(names = "--threads", description = "CPU threads for the bootstrap (default: all cores, or MTDTL_THREADS); "
            + "results do not depend on it")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (bootstrap < 0) {
            throw new IllegalArgumentException("--bootstrap must be >= 0, got " + bootstrap);
        }
        if (threads != null) {
            dev.mtdtl.tensor.Parallel.setThreads(threads);
        }
        StudyAnalysis.Options o = StudyAnalysis.Options.defaults().withBootstrap(bootstrap).withSeed(seed)
                .withTempoTask(tempoTask).withTsneMinLift(tsneMinLift);
        System.out.print(AnalysisJob.run(input, out, o, tsneFeatures, tsneDataset, tsneRun, System.out));
        return 0;
    }
}
