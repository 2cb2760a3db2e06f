package dev.mtdtl.study.run;

import dev.mtdtl.tensor.io.CodeIdentity;

import java.io.PrintStream;

/**
 * How one invocation of the study runner works (not what the study is: that is study.json).
 *
 * @param workers          runs worked on at once by this process (the local worker pool)
 * @param threads          CPU threads of the kernels in all (null: the engine's default); with K workers each
 *                         gets threads / K, at least 1 (see {@link StudyRunner})
 * @param device           where runs train and extract: "cpu", "cuda" or "auto" ({@code Devices.open})
 * @param epochs           if set, the study's training length in epochs (only before any run has started)
 * @param iterationsPerSource if set, the study's training length in iterations per source (same rule)
 * @param shardIndex       this invocation works on the plan rows i with i mod shardCount == shardIndex, and on
 *                         the baselines when shardIndex is 0 (a Slurm array task is one shard)
 * @param shardCount       1 for the whole plan
 * @param executor         recorded in each run's status ("local", "slurm:JOB_TASK")
 * @param checkpointEvery  training checkpoint interval in iterations (what a killed run can lose at most)
 * @param progress         the progress lines (one per finished run, with the ETA)
 * @param code             the build doing the work ({@link CodeIdentity}), recorded in each run's status
 */
public record RunnerConfig(int workers, Integer threads, String device, Long epochs, Long iterationsPerSource,
                           int shardIndex, int shardCount, String executor, int checkpointEvery, PrintStream progress,
                           String code) {

    public RunnerConfig {
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be >= 1, got " + workers);
        }
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        if (shardCount < 1 || shardIndex < 0 || shardIndex >= shardCount) {
            throw new IllegalArgumentException("--shard must be I/N with 0 <= I < N, got " + shardIndex + "/" + shardCount);
        }
        if (epochs != null && iterationsPerSource != null) {
            throw new IllegalArgumentException("give --epochs or --iterations, not both");
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0");
        }
        if (code == null || code.isBlank()) {
            throw new IllegalArgumentException("no code identity");
        }
    }

    /** One worker, the whole plan, on the CPU, progress to stdout. */
    public static RunnerConfig defaults() {
        return new RunnerConfig(1, null, "cpu", null, null, 0, 1, "local", RunTask.CHECKPOINT_EVERY, System.out,
                CodeIdentity.current());
    }

    public RunnerConfig withWorkers(int k) {
        return new RunnerConfig(k, threads, device, epochs, iterationsPerSource, shardIndex, shardCount, executor,
                checkpointEvery, progress, code);
    }

    public RunnerConfig withThreads(Integer t) {
        return new RunnerConfig(workers, t, device, epochs, iterationsPerSource, shardIndex, shardCount, executor,
                checkpointEvery, progress, code);
    }

    public RunnerConfig withDevice(String d) {
        return new RunnerConfig(workers, threads, d, epochs, iterationsPerSource, shardIndex, shardCount, executor,
                checkpointEvery, progress, code);
    }

    public RunnerConfig withLength(Long e, Long i) {
        return new RunnerConfig(workers, threads, device, e, i, shardIndex, shardCount, executor, checkpointEvery,
                progress, code);
    }

    public RunnerConfig withShard(int index, int count) {
        return new RunnerConfig(workers, threads, device, epochs, iterationsPerSource, index, count, executor,
                checkpointEvery, progress, code);
    }

    public RunnerConfig withExecutor(String e) {
        return new RunnerConfig(workers, threads, device, epochs, iterationsPerSource, shardIndex, shardCount, e,
                checkpointEvery, progress, code);
    }

    public RunnerConfig withCheckpointEvery(int n) {
        return new RunnerConfig(workers, threads, device, epochs, iterationsPerSource, shardIndex, shardCount, executor,
                n, progress, code);
    }

    public RunnerConfig withProgress(PrintStream p) {
        return new RunnerConfig(workers, threads, device, epochs, iterationsPerSource, shardIndex, shardCount, executor,
                checkpointEvery, p, code);
    }

    /** The same, recorded as the work of build {@code c} (tests stand for two builds with two names). */
    public RunnerConfig withCode(String c) {
        return new RunnerConfig(workers, threads, device, epochs, iterationsPerSource, shardIndex, shardCount, executor,
                checkpointEvery, progress, c);
    }
}
