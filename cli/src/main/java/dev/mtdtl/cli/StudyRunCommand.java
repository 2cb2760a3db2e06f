package dev.mtdtl.cli;

import dev.mtdtl.study.run.RunnerConfig;
import dev.mtdtl.study.run.RunStore;
import dev.mtdtl.study.run.StudyRunner;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mtdtl study run}: the plan's pending rows and the baselines on this machine. Exit status 1 if a run failed. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a study's pending rows: train, extract on every target dataset of PREPARED, evaluate; "
                + "Rand and MFCC once per study. Everything resumes (run the same command again after a stop); a "
                + "failed run is recorded in STUDY/runs/ID/error.txt and the others go on; results are appended to "
                + "STUDY/results.csv (evaluate's format). One progress line per finished run, with the ETA.",
                "Exit status 1 when a run failed (it is tried again next time)."})
final class StudyRunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "STUDY", description = "a folder made by 'mtdtl study design'")
    Path study;

    @Option(names = "--data", required = true, paramLabel = "PREPARED", description = "a folder made by 'mtdtl prepare'")
    Path data;

    @Option(names = "--workers", defaultValue = "1",
            description = "runs at once in this process (default ${DEFAULT-VALUE}); the CPU threads are shared out")
    int workers;

    @ArgGroup(exclusive = true)
    Length length;

    static final class Length {
        @Option(names = "--epochs", description = "the study's training length in epochs (before its first run only)")
        Long epochs;

        @Option(names = "--iterations", description = "the study's training length in iterations per source "
                + "(before its first run only)")
        Long iterations;
    }

    @Option(names = "--threads", description = "CPU threads in all (default: all cores, or MTDTL_THREADS)")
    Integer threads;

    @Option(names = "--shard", paramLabel = "I/N", description = "only the plan rows j with j mod N = I (and the "
            + "baselines when I = 0); what a Slurm array task runs")
    String shard;

    @Option(names = "--executor", defaultValue = "local", description = "name recorded in each run's status "
            + "(default ${DEFAULT-VALUE}; the Slurm script passes slurm:JOB_TASK)")
    String executor;

    @picocli.CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    @Override
    public Integer call() throws Exception {
        RunnerConfig cfg = RunnerConfig.defaults().withWorkers(workers).withThreads(threads).withExecutor(executor)
                .withDevice(deviceOption.device)
                .withLength(length == null ? null : length.epochs, length == null ? null : length.iterations);
        if (shard != null) {
            String[] p = shard.split("/");
            try {
                cfg = cfg.withShard(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--shard must be I/N (e.g. 3/40), not '" + shard + "'");
            }
        }
        StudyRunner.Summary s = StudyRunner.run(study, data, cfg);
        // The status says which runs failed and why (the progress lines went to stdout): one line each on stderr.
        RunStore store = new RunStore(study);
        for (String id : s.failedIds()) {
            java.util.Map<String, Object> st = store.readableStatus(id);
            System.err.printf(java.util.Locale.ROOT, "mtdtl study run: run %s failed: %s (see %s)%n", id,
                    st == null ? "?" : st.get("error"), store.dir(id).resolve("error.txt"));
        }
        return s.failed() > 0 ? 1 : 0;
    }
}
